"""The platform settings, checked before anything starts: each problem is one `BadConfig` line
naming the variable (never its value), which the process shell turns into exit status 2.

The settings themselves are read by `settings.py`; this module says which of them a platform
needs, and how they must look. The platform's `main.py` keeps only its command-line options.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlparse

from bot.process import BadConfig
from bot.settings import Settings


@dataclass(frozen=True)
class SlackConfig:
    settings: Settings
    mode: str  # "socket" or "http"
    port: int  # HTTP mode's port
    oauth: bool  # installs through OAuth, many workspaces


def port_from_env(env: Mapping[str, str], default: int) -> int:
    """PORT, as platforms and deploy/compose.yml hand it over; empty counts as unset, as compose
    passes `${PORT:-}` through as an empty string."""
    raw = env.get("PORT", "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 65535):
        raise BadConfig("PORT must be a number from 1 to 65535")
    return int(raw)


def slack_config(settings: Settings, mode: str | None, port: int) -> SlackConfig:
    """`mode` is the one asked for (--mode), or None: then Socket Mode when SLACK_APP_TOKEN is set
    and no OAuth, else HTTP."""
    if not 1 <= port <= 65535:
        raise BadConfig("--port must be from 1 to 65535")
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    chosen = mode or ("socket" if settings.slack_app_token and not oauth else "http")
    api = urlparse(settings.slack_api_url)
    if api.scheme not in ("http", "https") or not api.netloc:
        raise BadConfig("SLACK_API_URL must be an http:// or https:// URL")
    if not settings.slack_api_url.endswith("/"):
        settings = replace(settings, slack_api_url=settings.slack_api_url + "/")
    if oauth:
        _check_oauth(settings, chosen)
    elif not settings.slack_bot_token:
        raise BadConfig("SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)")
    elif not settings.slack_bot_token.startswith("xoxb-"):
        raise BadConfig("SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)")
    if chosen == "socket":
        if not settings.slack_app_token:
            raise BadConfig("SLACK_APP_TOKEN is required for --mode socket")
        if not settings.slack_app_token.startswith("xapp-"):
            raise BadConfig("SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)")
    elif not settings.slack_signing_secret:
        instead = "" if mode or oauth else " (or set SLACK_APP_TOKEN to run in Socket Mode)"
        raise BadConfig(f"SLACK_SIGNING_SECRET is required for --mode http{instead}")
    return SlackConfig(settings, chosen, port, oauth)


def _check_oauth(settings: Settings, mode: str) -> None:
    if mode != "http":
        raise BadConfig("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs) need --mode http")
    for name, value in (
        ("SLACK_CLIENT_ID", settings.slack_client_id),
        ("SLACK_CLIENT_SECRET", settings.slack_client_secret),
        ("JEMBATAN_SECRET_KEY", settings.secret_key),
    ):
        if not value:
            raise BadConfig(f"{name} is required for OAuth installs")


@dataclass(frozen=True)
class DiscordConfig:
    settings: Settings
    token: str | None
    admin_role_id: int | None
    database_url_set: bool  # Discord has no default database: a gateway lock needs a shared one
    web_port: int | None = None  # the admin dashboard's port (--web-port / JEMBATAN_WEB_PORT)
    shards: int | None = None  # gateway shards to open; None: as many as Discord recommends

    def check_for_run(self) -> str:
        """What `run` needs beyond `sync` and `invite`; the token when all is there."""
        token = self.needs_token()
        if not self.database_url_set:
            raise BadConfig("DATABASE_URL is not set")
        return token

    def needs_token(self) -> str:
        if not self.token:
            raise BadConfig("DISCORD_TOKEN is not set")
        return self.token

    def application_id(self, given: str | None) -> str:
        """The application id an invite is for: the one given (--client-id), else the token's."""
        if not given and not self.token:
            raise BadConfig("DISCORD_TOKEN is not set (or pass --client-id)")
        client_id = given or application_id(self.token or "")
        if not client_id.isdigit():
            raise BadConfig("--client-id must be a number")
        return client_id


def application_id(token: str) -> str:
    """A bot token starts with the bot's id in base 64; for bots that is the application id."""
    head = token.split(".", 1)[0]
    try:
        value = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        value = ""
    if not value.isdigit():
        raise BadConfig("DISCORD_TOKEN does not look like a bot token; pass --client-id instead")
    return value


def discord_config(settings: Settings, env: Mapping[str, str]) -> DiscordConfig:
    role = env.get("DISCORD_ADMIN_ROLE", "").strip()
    if role and not role.isdigit():
        raise BadConfig("DISCORD_ADMIN_ROLE must be a role id (a number)")
    if settings.discord_api_url and not settings.discord_api_url.startswith(("http://", "https://")):
        raise BadConfig("DISCORD_API_URL must start with http:// or https://")
    if settings.discord_gateway_url and not settings.discord_gateway_url.startswith(("ws://", "wss://")):
        raise BadConfig("DISCORD_GATEWAY_URL must start with ws:// or wss://")
    role_id = int(role) if role else None
    web_port = env.get("JEMBATAN_WEB_PORT", "").strip()
    if web_port and not web_port.isdigit():
        raise BadConfig("JEMBATAN_WEB_PORT must be a port number")
    database_set = bool(env.get("DATABASE_URL", "").strip())
    port = int(web_port) if web_port else None
    return DiscordConfig(settings, settings.discord_token, role_id, database_set, port, discord_shards(env))


MAX_SHARDS = 1024  # far past any bot's need; a typo of a few more digits is refused, not obeyed


def discord_shards(env: Mapping[str, str]) -> int | None:
    """JEMBATAN_DISCORD_SHARDS: how many gateway shards to open; unset or `auto`, as many as
    Discord recommends for the bot's servers (None)."""
    raw = env.get("JEMBATAN_DISCORD_SHARDS", "").strip().lower()
    if raw in ("", "auto"):
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SHARDS:
        raise BadConfig(f"JEMBATAN_DISCORD_SHARDS must be auto or a number from 1 to {MAX_SHARDS}")
    return int(raw)
