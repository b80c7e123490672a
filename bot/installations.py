"""Workspaces that install the app through OAuth (Slack's many-workspace mode): their bot tokens,
encrypted at rest, and their removal.

Tokens are encrypted with Fernet, keyed from JEMBATAN_SECRET_KEY; JEMBATAN_OLD_SECRET_KEYS still
decrypt during a rotation. A stored token that no key decrypts is a configuration problem on our
side, not an uninstall: the workspace is *held* (Store.held: its messages wait, pending; nothing
is failed or erased) until the process starts with the right key.

The `cryptography` package comes with the Slack extra, so it is imported when a key is made, not
when the core is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.model import Platform, TenantRef
from bot.store.installations import StoredInstall
from bot.store.unit_of_work import Store

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

log = logging.getLogger(__name__)


class TokenUnreadable(Exception):
    """The workspace's stored token does not decrypt with any configured key: a configuration
    problem on our side (JEMBATAN_SECRET_KEY changed), never a sign the app was removed."""

    def __init__(self, tenant: TenantRef) -> None:
        super().__init__(tenant.external_id)
        self.tenant = tenant


def fernet(secret_key: str) -> Fernet:
    """Any JEMBATAN_SECRET_KEY (a passphrase or a generated key) makes a 32-byte Fernet key."""
    from cryptography.fernet import Fernet

    digest = hashlib.sha256(b"jembatan/slack-tokens/v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keyring(secret_key: str, old_keys: tuple[str, ...] = ()) -> MultiFernet:
    """Encrypts with the first key; decrypts with any of them (a rotation under way)."""
    from cryptography.fernet import MultiFernet

    return MultiFernet([fernet(secret_key), *(fernet(k) for k in old_keys)])


def state_key(secret_key: str) -> bytes:
    """The key that signs the OAuth `state`, apart from the one that encrypts tokens."""
    return hashlib.sha256(b"jembatan/slack-oauth-state/v1:" + secret_key.encode()).digest()


@dataclass(frozen=True)
class OAuthState:
    """The OAuth `state`: signed with `key` (state_key) and valid for `seconds`, so any of several
    processes can check the one another issued."""

    key: bytes
    clock: Callable[[], float] = time.time
    seconds: int = 600

    def _mac(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        body = f"{int(self.clock()) + self.seconds}.{secrets.token_hex(8)}"
        return f"{body}.{self._mac(body)}"

    def valid(self, state: str) -> bool:
        if not state.isascii():  # anyone can send anything here; compare_digest takes ASCII only
            return False
        body, _, mac = state.rpartition(".")
        expires = body.split(".", 1)[0]
        if not (body and expires.isdigit() and hmac.compare_digest(mac, self._mac(body))):
            return False
        return int(expires) >= self.clock()


def unreadable_line(tenants: Sequence[TenantRef]) -> str:
    """The start-up check's one line on the workspaces whose token no key decrypts."""
    names = ", ".join(t.external_id for t in tenants[:20]) + (" …" if len(tenants) > 20 else "")
    return (
        f"JEMBATAN_SECRET_KEY does not decrypt the stored Slack token of {len(tenants)} workspace(s): "
        f"{names}. Their messages wait (nothing is failed or erased) until the key they were stored "
        "with is set again, as JEMBATAN_SECRET_KEY or in JEMBATAN_OLD_SECRET_KEYS"
    )


def _tenant(install: StoredInstall) -> TenantRef:
    return TenantRef(Platform.SLACK, install.workspace)


def _ids(tenant: TenantRef) -> tuple[str | None, str | None, bool]:
    """(org id, workspace id, org-wide) of an install, from the id the core knows it by."""
    org = tenant.external_id.startswith("E")  # Slack's ids: E… an org, T… a workspace
    return (tenant.external_id, None, True) if org else (None, tenant.external_id, False)


@dataclass(frozen=True)
class Install:
    """An installation as the platform hands it over and asks for it back: the token in clear."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool
    bot_token: str
    bot_scopes: str  # comma-separated
    installed_at: datetime
    app_id: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None


class Installs:
    """One Slack app's installations on our database, tokens encrypted with `cipher`."""

    def __init__(self, store: Store, cipher: Fernet | MultiFernet) -> None:
        assert store.slack_client_id, "the store keeps the installs of one Slack app"
        self._store = store
        self._cipher = cipher
        # Workspaces whose token no key decrypts, as last seen: the store's own set, so the relay
        # leaves their messages pending.
        self.unreadable = store.held

    async def save(self, install: Install) -> None:
        stored = StoredInstall(
            enterprise_id=install.enterprise_id or "",
            team_id=install.team_id or "",
            is_enterprise_install=install.is_enterprise_install,
            bot_token=self._cipher.encrypt(install.bot_token.encode()).decode(),
            bot_scopes=install.bot_scopes,
            installed_at=install.installed_at,
            app_id=install.app_id,
            bot_id=install.bot_id,
            bot_user_id=install.bot_user_id,
        )
        async with self._store.unit() as uow:
            await uow.installations.replace(stored)
            await uow.commit()
        log.info("installed in %s", install.team_id or install.enterprise_id)

    async def find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> Install | None:
        """The installation, None when there is none; TokenUnreadable when its token does not
        decrypt with any configured key (the workspace is then held)."""
        from cryptography.fernet import InvalidToken

        async with self._store.unit() as uow:
            found = await uow.installations.find(enterprise_id, team_id, is_enterprise_install)
        if found is None:
            return None
        tenant = _tenant(found)
        try:
            token = self._cipher.decrypt(found.bot_token.encode()).decode()
        except InvalidToken:
            if tenant not in self.unreadable:
                log.error(
                    "the stored token of workspace %s does not decrypt: JEMBATAN_SECRET_KEY is not the key "
                    "it was stored with (add that key to JEMBATAN_OLD_SECRET_KEYS); its messages wait",
                    tenant.external_id,
                )
            self.unreadable.add(tenant)
            raise TokenUnreadable(tenant) from None
        self.unreadable.discard(tenant)
        return Install(
            enterprise_id=found.enterprise_id or None,
            team_id=found.team_id or None,
            is_enterprise_install=found.is_enterprise_install,
            bot_token=token,
            bot_scopes=found.bot_scopes,
            installed_at=found.installed_at,
            app_id=found.app_id,
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
        )

    async def bot_token(self, tenant: TenantRef) -> str | None:
        """None when not installed; raises TokenUnreadable when installed under another key."""
        found = await self.find(*_ids(tenant))
        return found.bot_token if found else None

    async def check_keys(self) -> list[TenantRef]:
        """At start: every installation's token tried; the workspaces none of the keys decrypt
        (they are held from now on, so no message of theirs is even tried). A changed
        JEMBATAN_SECRET_KEY is the operator's to fix: said once, here, in one line."""
        from cryptography.fernet import InvalidToken

        async with self._store.unit() as uow:
            installs = await uow.installations.every()
        unreadable: set[TenantRef] = set()
        for install in installs:
            try:
                self._cipher.decrypt(install.bot_token.encode())
            except InvalidToken:
                unreadable.add(_tenant(install))
        self.unreadable.clear()
        self.unreadable.update(unreadable)
        named = sorted(unreadable, key=lambda t: t.external_id)
        if named:
            log.error(unreadable_line(named))
        return named

    async def workspaces(self) -> list[TenantRef]:
        """Every workspace or org the app is installed in, as the core names them."""
        async with self._store.unit() as uow:
            found = await uow.installations.workspaces()
        return [TenantRef(Platform.SLACK, org_id if org_wide else team) for team, org_id, org_wide in found]

    async def delete(self, enterprise_id: str | None, team_id: str | None) -> None:
        async with self._store.unit() as uow:
            await uow.installations.delete(enterprise_id, team_id, not team_id)
            await uow.commit()


async def uninstall(
    store: Store,
    now: datetime,
    tenant: TenantRef,
    delivery_id: str | None = None,
    happened_at: datetime | None = None,
) -> bool:
    """The app was removed from a workspace: its data and its installation go, in one
    transaction, and nothing more is sent to it. True when data was erased.

    The delivery id is claimed in the erasing transaction, as a command's is; once the workspace
    is gone, its absence is what a retried removal finds, and it does nothing. A removal that
    happened before the workspace's data or install was started again (removed, added back, then
    the old removal retried) is older news and keeps what is newer. Slack stamps events to the
    second, so the same second counts as before."""
    async with store.unit() as uow:
        erased = False
        tenant_id = await uow.tenants.find(tenant)
        if tenant_id is not None:
            created = (await uow.tenants.created_at(tenant_id)).replace(microsecond=0)
            older = happened_at is None or created <= happened_at
            if older and (not delivery_id or await uow.scoped(tenant_id).deliveries.claim(delivery_id, now)):
                await uow.tenants.erase(tenant_id)
                erased = True
        if store.slack_client_id and tenant.platform is Platform.SLACK:
            # Also when nothing was erased: a workspace that installed but never used Jembatan
            # has an installation and no data.
            installed = await uow.installations.find(*_ids(tenant))
            if installed is not None and not (
                happened_at is not None and int(installed.installed_at.timestamp()) > happened_at.timestamp()
            ):
                await uow.installations.delete(*_ids(tenant))
        await uow.commit()
    if erased:
        log.info("erased workspace %s:%s after removal", tenant.platform.value, tenant.external_id)
    return erased


async def rotate_keys(store: Store, cipher: MultiFernet) -> tuple[int, list[TenantRef]]:
    """Re-encrypt every stored token with the first key, in one transaction. Returns how many
    were re-encrypted, and the workspaces whose token none of the keys decrypts (left as they are)."""
    from cryptography.fernet import InvalidToken

    done, unreadable = 0, []
    async with store.unit() as uow:
        for install in await uow.installations.every():
            try:
                token = cipher.rotate(install.bot_token.encode()).decode()
            except InvalidToken:
                unreadable.append(_tenant(install))
                continue
            assert install.row_id is not None
            await uow.installations.set_token(install.row_id, token)
            done += 1
        await uow.commit()
    return done, unreadable
