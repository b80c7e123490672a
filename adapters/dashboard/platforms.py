"""The dashboard inside the platforms' own processes: `jembatan run slack` serves it beside
/slack/events, `jembatan run discord` on --web-port / JEMBATAN_WEB_PORT. Each caller passes what
only it knows (how to tell a platform admin); the rest comes from the environment:

- JEMBATAN_DASHBOARD_URL  the dashboard's public address (https://…); unset: no dashboard
- JEMBATAN_DASHBOARD_KEY  the session key (32+ bytes), the same on every replica; unset: derived
                          from the platform's own secret, which every replica shares already
- Slack: SLACK_CLIENT_ID / SLACK_CLIENT_SECRET (the app's, as for OAuth installs)
- Discord: DISCORD_CLIENT_ID / DISCORD_CLIENT_SECRET (the application's OAuth2 credentials)
- SLACK_OIDC_AUTHORIZE_URL, DISCORD_OAUTH_URL: other places to sign in (the tests' fakes)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from adapters.dashboard.app import Setup, mount
from adapters.dashboard.security import Sessions, SignInLinks
from adapters.dashboard.serve import Running as Running  # what serve_for_discord hands back
from adapters.dashboard.serve import start
from adapters.dashboard.signin import AdminCheck, DiscordSignIn, SlackSignIn
from bot.app import Dashboard, Jembatan
from bot.domain.model import Platform, TenantRef

log = logging.getLogger(__name__)

CALLBACK = "/auth/{platform}/callback"


@dataclass(frozen=True)
class Public:
    url: str  # no trailing slash
    key: bytes


def public(env: Mapping[str, str], shared_secret: str) -> Public | None:
    url = env.get("JEMBATAN_DASHBOARD_URL", "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        return None
    given = env.get("JEMBATAN_DASHBOARD_KEY", "").encode()
    key = (
        given
        if len(given) >= 32
        else hmac.new(shared_secret.encode(), b"jembatan dashboard", hashlib.sha256).digest()
    )
    return Public(url, key)


def _setup(
    core: Jembatan, where: Public, platform_admin: Callable[[TenantRef, str], Awaitable[bool]]
) -> Setup:
    return Setup(
        Dashboard(core.store, core.deps, platform_admin),
        Sessions(where.key),
        SignInLinks(),
        {},
        secure_cookie=where.url.startswith("https://"),
    )


def mount_for_slack(
    app: web.Application,
    core: Jembatan,
    env: Mapping[str, str],
    *,
    signing_secret: str,
    api_url: str,
    platform_admin: Callable[[TenantRef, str], Awaitable[bool]],
) -> bool:
    """Add the dashboard with "Sign in with Slack" to the app serving /slack/events; False (and
    nothing added) when it is not configured."""
    where = public(env, signing_secret)
    client_id, secret = env.get("SLACK_CLIENT_ID", ""), env.get("SLACK_CLIENT_SECRET", "")
    if where is None or not client_id or not secret:
        return False
    setup = _setup(core, where, platform_admin)
    setup.slack = SlackSignIn(
        client_id,
        secret,
        where.url + CALLBACK.format(platform="slack"),
        lambda team, user: platform_admin(TenantRef(Platform.SLACK, team), user),
        authorize_url=env.get("SLACK_OIDC_AUTHORIZE_URL") or SlackSignIn.authorize_url,
        api_url=api_url,
    )
    mount(app, setup)
    core.deps.dashboard_url = where.url  # what `/jembatan dashboard` tells an admin
    log.info("the dashboard is at %s (Sign in with Slack)", where.url)
    return True


async def serve_for_discord(
    core: Jembatan,
    env: Mapping[str, str],
    port: int,
    *,
    bot_token: str,
    api_url: str | None,
    role_admin: AdminCheck | None,
    server_admin: AdminCheck | None = None,
) -> Running | None:
    """Serve the dashboard with Discord sign-in on `port` (0.0.0.0); None when not configured."""
    where = public(env, bot_token)
    client_id, secret = env.get("DISCORD_CLIENT_ID", ""), env.get("DISCORD_CLIENT_SECRET", "")
    if where is None or not client_id or not secret:
        log.warning("--web-port is set but JEMBATAN_DASHBOARD_URL or DISCORD_CLIENT_ID/SECRET is not")
        return None
    oauth = env.get("DISCORD_OAUTH_URL", "").rstrip("/") or "https://discord.com"

    async def still_admin(server: TenantRef, user_id: str) -> bool:
        # Sign-in read Manage Server from the person's own token, which is not kept: later the
        # bot's view of the server answers (None: nobody but our listed admins, a safe no).
        return server_admin is not None and await server_admin(server.external_id, user_id)

    setup = _setup(core, where, still_admin)
    setup.discord = DiscordSignIn(
        client_id,
        secret,
        where.url + CALLBACK.format(platform="discord"),
        role_admin,
        authorize_url=f"{oauth}/oauth2/authorize",
        token_url=f"{oauth}/api/oauth2/token",
        api_url=(api_url or f"{oauth}/api/v10").rstrip("/"),
    )
    running = await start(setup, "0.0.0.0", port)
    core.deps.dashboard_url = where.url  # what `/jembatan dashboard` tells an admin
    log.info("the dashboard is at %s (Sign in with Discord), port %d", where.url, running.port)
    return running


def discord_admin_check(client: Any, role_id: int | None) -> AdminCheck:
    """Manage Server, Administrator, the server's owner or DISCORD_ADMIN_ROLE, as the bot sees
    the member now (its cache, else one request for that member): the admin commands' rule,
    asked again while a dashboard session lasts. Anyone the bot cannot see is not an admin."""

    async def is_admin(guild_id: str, user_id: str) -> bool:
        guild = client.get_guild(int(guild_id))
        if guild is None:
            return False
        if guild.owner_id == int(user_id):
            return True
        member = guild.get_member(int(user_id))
        if member is None:
            try:
                member = await guild.fetch_member(int(user_id))
            except Exception:  # gone from the server, or Discord did not answer: not an admin
                return False
        allowed = member.guild_permissions
        role = role_id is not None and member.get_role(role_id) is not None
        return bool(allowed.manage_guild or allowed.administrator or role)

    return is_admin


def discord_role_check(client: Any, role_id: int | None) -> AdminCheck | None:
    """DISCORD_ADMIN_ROLE, read from the bot's own view of the server (discord.py's cache: a
    `discord.Client`, duck-typed so that this adapter needs no discord.py). A member the cache
    does not hold counts as not holding the role: a refusal is safe, a wrong yes is not."""
    if role_id is None:
        return None

    async def holds_role(guild_id: str, user_id: str) -> bool:
        guild = client.get_guild(int(guild_id))
        member = guild.get_member(int(user_id)) if guild is not None else None
        return bool(member is not None and member.get_role(role_id) is not None)

    return holds_role
