"""OAuth installs into many workspaces: slack_sdk's installation store and Bolt's OAuth flow,
over the core's installs (bot/installations.py: tokens encrypted at rest, kept in our database).

A stored token that no key decrypts is a configuration problem on our side, not an uninstall:
the workspace is *held* (its messages wait, pending; nothing is failed or erased) until the
process starts with the right key."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.slack.clients import TokenUnreadable, web_client
from bot.app import Install, Installs, OAuthState, Store, keyring, state_key
from bot.settings import Settings

log = logging.getLogger(__name__)

SCOPES = ("commands", "chat:write", "im:write", "mpim:write", "users:read", "files:write")
# Every field of the core's install: slack_sdk's Bot and its Installation hold them by the same names.
_SHARED = tuple(f.name for f in fields(Install))


class SqlInstallationStore(AsyncInstallationStore):
    """Bot installations only (Jembatan asks for no user scopes), one row per workspace or org."""

    def __init__(self, installs: Installs) -> None:
        self.installs = installs

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        when = datetime.fromtimestamp(float(bot.installed_at), UTC)
        shared = {key: getattr(bot, key) for key in _SHARED} | {"installed_at": when}
        shared |= {
            "bot_scopes": ",".join(bot.bot_scopes or []),
            "is_enterprise_install": bool(bot.is_enterprise_install),
        }
        await self.installs.save(Install(**shared))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """Bolt's lookup: None also when the token does not decrypt (the workspace is then held,
        and the request is answered before Bolt would ask anyone to reinstall)."""
        try:
            found = await self.installs.find(enterprise_id, team_id, is_enterprise_install)
        except TokenUnreadable:
            return None
        if found is None:
            return None
        # (slack_sdk reads the comma-separated scopes and the datetime itself.)
        shared = {key: getattr(found, key) for key in _SHARED}
        return Bot(**shared | {"bot_id": found.bot_id or "", "bot_user_id": found.bot_user_id or ""})

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
        return Installation(user_id=user_id or "", **{key: getattr(bot, key) for key in _SHARED})

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.installs.delete(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # only the bot is stored; a user's own revocation changes nothing here
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class SignedState(AsyncOAuthStateStore):
    """The OAuth `state` as Bolt asks for it: signed and short-lived (the core's OAuthState), so
    any of several processes can check it (Bolt also pins it to the browser with a cookie)."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._state = OAuthState(key, clock)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return self._state.issue()

    async def async_consume(self, state: str) -> bool:
        return self._state.valid(state)


@dataclass
class OAuthParts:
    installs: Installs
    flow: AsyncOAuthFlow


def oauth_parts(settings: Settings, store: Store) -> OAuthParts:
    """The installs, kept in `store` (the core's own database), and Bolt's flow that adds them."""
    assert settings.slack_client_id and settings.slack_client_secret and settings.secret_key
    installs = Installs(store, keyring(settings.secret_key, settings.old_secret_keys))
    flow = AsyncOAuthFlow(
        client=web_client(None, settings.slack_api_url),
        settings=AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(SCOPES),
            user_scopes=[],
            installation_store=SqlInstallationStore(installs),
            installation_store_bot_only=True,
            state_store=SignedState(state_key(settings.secret_key)),
            logger=log,
        ),
    )
    return OAuthParts(installs, flow)
