"""OAuth installs into many workspaces: an installation store on our own database, with bot
tokens encrypted at rest (Fernet, keyed from JEMBATAN_SECRET_KEY; JEMBATAN_OLD_SECRET_KEYS still
decrypt during a rotation), and the OAuth flow around it.

A stored token that no key decrypts is a configuration problem on our side, not an uninstall:
the workspace is *held* (its messages wait, pending; nothing is failed or erased) until the
process starts with the right key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.clients import TokenUnreadable, web_client
from bot.domain.model import Platform, TenantRef
from bot.settings import Settings
from bot.store.db import create_engine
from bot.store.installations import slack_installations as table

log = logging.getLogger(__name__)

SCOPES = ("commands", "chat:write", "im:write", "mpim:write", "users:read", "files:write")
STATE_SECONDS = 600


def fernet(secret_key: str) -> Fernet:
    """Any JEMBATAN_SECRET_KEY (a passphrase or a generated key) makes a 32-byte Fernet key."""
    digest = hashlib.sha256(b"jembatan/slack-tokens/v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keyring(secret_key: str, old_keys: tuple[str, ...] = ()) -> MultiFernet:
    """Encrypts with the first key; decrypts with any of them (a rotation under way)."""
    return MultiFernet([fernet(secret_key), *(fernet(k) for k in old_keys)])


def _tenant(team_id: str, enterprise_id: str, is_enterprise_install: bool) -> TenantRef:
    return TenantRef(Platform.SLACK, enterprise_id if is_enterprise_install else team_id)


class SqlInstallationStore(AsyncInstallationStore):
    """Bot installations only (Jembatan asks for no user scopes), one row per workspace or org."""

    def __init__(self, engine: AsyncEngine, client_id: str, cipher: Fernet | MultiFernet) -> None:
        self._engine = engine
        self._client_id = client_id
        self._cipher = cipher
        # Workspaces whose token no key decrypts, as last seen; shared with the store, whose
        # relay leaves their messages pending (see Store.held).
        self.unreadable: set[TenantRef] = set()

    async def close(self) -> None:
        await self._engine.dispose()

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        row: dict[str, Any] = {
            "client_id": self._client_id,
            "enterprise_id": bot.enterprise_id or "",
            "team_id": bot.team_id or "",
            "is_enterprise_install": bool(bot.is_enterprise_install),
            "app_id": bot.app_id,
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_token": self._cipher.encrypt(bot.bot_token.encode()).decode(),
            "bot_scopes": ",".join(bot.bot_scopes or []),
            "installed_at": datetime.fromtimestamp(float(bot.installed_at), UTC),
        }
        async with self._engine.begin() as conn:
            # A reinstall replaces the row: the newest token is the one that works.
            key = self._key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
            await conn.execute(delete(table).where(key))
            await conn.execute(table.insert().values(**row))
        log.info("installed in %s", bot.team_id or bot.enterprise_id)

    def _key(self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> Any:
        if is_enterprise_install:
            return and_(
                table.c.client_id == self._client_id,
                table.c.enterprise_id == (enterprise_id or ""),
                table.c.is_enterprise_install.is_(True),
            )
        clauses = [table.c.client_id == self._client_id, table.c.team_id == (team_id or "")]
        if enterprise_id:
            clauses.append(table.c.enterprise_id == enterprise_id)
        return and_(*clauses)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """Bolt's lookup: None also when the token does not decrypt (the workspace is then held,
        and the request is answered before Bolt would ask anyone to reinstall)."""
        try:
            return await self.bot(enterprise_id, team_id, is_enterprise_install)
        except TokenUnreadable:
            return None

    async def bot(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> Bot | None:
        """The installation, None when there is none; TokenUnreadable when its token does not
        decrypt with any configured key."""
        async with self._engine.connect() as conn:
            found = (
                await conn.execute(
                    select(table).where(self._key(enterprise_id, team_id, is_enterprise_install))
                )
            ).first()
        if found is None:
            return None
        row = found._mapping
        tenant = _tenant(row["team_id"], row["enterprise_id"], row["is_enterprise_install"])
        try:
            token = self._cipher.decrypt(row["bot_token"].encode()).decode()
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
        return Bot(
            app_id=row["app_id"],
            enterprise_id=row["enterprise_id"] or None,
            team_id=row["team_id"] or None,
            bot_token=token,
            bot_id=row["bot_id"] or "",
            bot_user_id=row["bot_user_id"] or "",
            bot_scopes=row["bot_scopes"],
            is_enterprise_install=row["is_enterprise_install"],
            installed_at=row["installed_at"].timestamp(),
        )

    async def check_keys(self) -> list[TenantRef]:
        """At start: every installation's token tried; the workspaces none of the keys decrypt
        (they are held from now on, so no message of theirs is even tried)."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(table))).mappings().all()
        unreadable: set[TenantRef] = set()
        for row in rows:
            try:
                self._cipher.decrypt(row["bot_token"].encode())
            except InvalidToken:
                unreadable.add(_tenant(row["team_id"], row["enterprise_id"], row["is_enterprise_install"]))
        self.unreadable.clear()
        self.unreadable.update(unreadable)
        return sorted(unreadable, key=lambda t: t.external_id)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id or "",
            is_enterprise_install=bot.is_enterprise_install,
            installed_at=bot.installed_at,
        )

    async def workspaces(self) -> list[TenantRef]:
        """Every workspace or org the app is installed in, as the core names them."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(table.c.team_id, table.c.enterprise_id, table.c.is_enterprise_install).where(
                    table.c.client_id == self._client_id
                )
            )
            return [TenantRef(Platform.SLACK, org_id if org else team) for team, org_id, org in rows]

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(table).where(self._key(enterprise_id, team_id, not team_id)))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # only the bot is stored; a user's own revocation changes nothing here
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


def _is_enterprise(tenant: TenantRef) -> bool:
    return tenant.external_id.startswith("E")  # Slack's ids: E… an org, T… a workspace


class InstallationTokens:
    """The token source for the Messenger and Directory: the installation's bot token."""

    def __init__(self, store: SqlInstallationStore) -> None:
        self._store = store

    async def bot_token(self, tenant: TenantRef) -> str | None:
        """None when not installed; raises TokenUnreadable when installed under another key."""
        org = _is_enterprise(tenant)
        bot = await self._store.bot(
            tenant.external_id if org else None, None if org else tenant.external_id, org
        )
        return bot.bot_token if bot else None


class SignedState(AsyncOAuthStateStore):
    """The OAuth `state`: signed and short-lived, so any of several processes can check it
    (Bolt also pins it to the browser with a cookie)."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        body = f"{int(self._clock()) + STATE_SECONDS}.{secrets.token_hex(8)}"
        return f"{body}.{self._mac(body)}"

    async def async_consume(self, state: str) -> bool:
        body, _, mac = state.rpartition(".")
        expires = body.split(".", 1)[0]
        if not (body and expires.isdigit() and hmac.compare_digest(mac, self._mac(body))):
            return False
        return int(expires) >= self._clock()


@dataclass
class OAuthParts:
    store: SqlInstallationStore
    tokens: InstallationTokens
    flow: AsyncOAuthFlow
    forget: Callable[[TenantRef, datetime | None], Awaitable[None]]


def oauth_parts(settings: Settings) -> OAuthParts:
    assert settings.slack_client_id and settings.slack_client_secret and settings.secret_key
    store = SqlInstallationStore(
        create_engine(settings.database_url),
        settings.slack_client_id,
        keyring(settings.secret_key, settings.old_secret_keys),
    )
    state_key = hashlib.sha256(b"jembatan/slack-oauth-state/v1:" + settings.secret_key.encode()).digest()
    flow = AsyncOAuthFlow(
        client=web_client(None, settings.slack_api_url),
        settings=AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(SCOPES),
            user_scopes=[],
            installation_store=store,
            installation_store_bot_only=True,
            state_store=SignedState(state_key),
            logger=log,
        ),
    )

    async def forget(tenant: TenantRef, happened_at: datetime | None) -> None:
        org = _is_enterprise(tenant)
        enterprise_id, team_id = (tenant.external_id, None) if org else (None, tenant.external_id)
        if happened_at is not None:
            current = await store.async_find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org
            )
            # Slack stamps events to the second: the same second counts as before.
            if current is not None and int(current.installed_at) > happened_at.timestamp():
                return  # installed again after that removal: keep the new token
        await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    return OAuthParts(store, InstallationTokens(store), flow, forget)
