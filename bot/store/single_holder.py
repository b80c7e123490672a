"""One process at a time for a shared resource (Discord's gateway for one bot): a PostgreSQL
session advisory lock, so a second process waits as a standby instead of doing the work twice.

A session lock, not a transaction one: it must outlive every transaction; and on a connection of
its own, never a pooled one, which would take the lock elsewhere. If that connection drops, the
lock is gone and `on_lost` is told. SQLite serves one process on one machine (single_process.py),
so there the lock is always held.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from bot.store.db import async_url, create_engine

log = logging.getLogger(__name__)

CHECK_EVERY, POLL_EVERY = 30.0, 2.0  # seconds


def lock_key(secret: str, purpose: str) -> int:
    """The lock's key, from a secret (hashed: the secret itself is never stored or sent)."""
    digest = hashlib.sha256(f"{purpose}:".encode() + secret.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def held_alone(
    url: str, key: int, *, what: str, stopped: asyncio.Event, on_lost: Callable[[], None]
) -> AsyncIterator[bool]:
    """Yields True once this process holds the lock, False if `stopped` came while waiting."""
    if not async_url(url).startswith("postgresql"):
        yield True
        return
    engine = create_engine(url, poolclass=NullPool)
    watch: asyncio.Task[None] | None = None
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            waiting = False
            # Ask again and again rather than block in pg_advisory_lock: a waiting standby must
            # still stop when told to.
            while not (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})).scalar():
                if not waiting:
                    log.warning("another process holds the %s; waiting for it", what)
                    waiting = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopped.wait(), POLL_EVERY)
                if stopped.is_set():
                    yield False
                    return
            log.info("holding the lock on the %s", what)

            async def keep_watch() -> None:
                while True:
                    await asyncio.sleep(CHECK_EVERY)
                    try:
                        await conn.execute(text("SELECT 1"))
                    except Exception:
                        log.error(
                            "lost the database connection that holds the lock on the %s; stopping", what
                        )
                        on_lost()
                        return

            watch = asyncio.create_task(keep_watch())
            yield True
    finally:
        if watch is not None:
            watch.cancel()
        await engine.dispose()
