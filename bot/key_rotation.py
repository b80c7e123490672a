"""`jembatan rotate-key`: re-encrypt the stored Slack tokens with JEMBATAN_SECRET_KEY.

Rotating: set the new key as JEMBATAN_SECRET_KEY and the old one in JEMBATAN_OLD_SECRET_KEYS
(both decrypt; new tokens are stored under the new key), run `jembatan rotate-key` once to
re-encrypt every stored token with the new key, then drop the old key.
"""

from __future__ import annotations

import asyncio
import sys

from bot.domain.model import TenantRef
from bot.installations import keyring, rotate_keys
from bot.process import BadConfig, database_errors_as_bad_config
from bot.settings import Settings
from bot.store.db import create_engine
from bot.store.unit_of_work import Store


async def rotate(settings: Settings) -> tuple[int, list[TenantRef]]:
    """Re-encrypt every stored token with the first key. Returns how many were re-encrypted,
    and the workspaces whose token none of the keys decrypts (left as they are)."""
    assert settings.secret_key is not None
    store = Store(create_engine(settings.database_url))
    try:
        return await rotate_keys(store, keyring(settings.secret_key, settings.old_secret_keys))
    finally:
        await store.dispose()


def main(settings: Settings) -> int:
    """`jembatan rotate-key`: one line on what was done; exit status 2 if anything is left."""
    if not settings.secret_key:
        print("jembatan: rotate-key needs JEMBATAN_SECRET_KEY (the key to encrypt with)", file=sys.stderr)
        return 2
    try:
        with database_errors_as_bad_config():
            done, unreadable = asyncio.run(rotate(settings))
    except BadConfig as error:
        print(f"jembatan: {error}", file=sys.stderr)
        return 2
    if unreadable:
        names = ", ".join(t.external_id for t in unreadable)
        print(
            f"jembatan: re-encrypted {done} token(s); {len(unreadable)} decrypt with none of the keys "
            f"({names}): add the key they were stored with to JEMBATAN_OLD_SECRET_KEYS and run again",
            file=sys.stderr,
        )
        return 2
    print(
        f"jembatan: re-encrypted {done} stored token(s) with JEMBATAN_SECRET_KEY; "
        "JEMBATAN_OLD_SECRET_KEYS can be removed now"
    )
    return 0
