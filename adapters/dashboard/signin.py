"""Signing in through the platforms: "Sign in with Slack" (OpenID Connect) and Discord OAuth2
(`identify` and `guilds`). Each ends in the same session cookie a one-time link gives, scoped to
the workspaces the person administers by the admin commands' own rule.

Only the authorization code passes through the browser; the code is exchanged server to server,
and no platform token is kept: the session holds the person's id and their workspaces, nothing
else. The `state` that ties a callback to the browser that started it travels in a signed,
ten-minute cookie (SameSite=Lax, so it survives the platform's redirect back), which lets any
replica check it."""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.domain.model import Platform

log = logging.getLogger(__name__)

STATE_COOKIE = "jembatan_signin"
# Discord's permission bits (its "Permissions" reference): either makes someone a server admin.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
# What a platform that refuses, answers oddly or cannot be reached raises (slack_sdk's own error is
# an Exception subclass caught where it is imported: the dashboard runs without the Slack extra).
UPSTREAM_ERRORS = (aiohttp.ClientError, TimeoutError, OSError, KeyError, ValueError, TypeError)

# (workspace or server id, user id) → whether that person is an admin there by a rule only the
# platform's own adapter can check (Slack: owner or admin per users.info; Discord: the admin role).
AdminCheck = Callable[[str, str], Awaitable[bool]]


@dataclass(frozen=True)
class SlackSignIn:
    client_id: str
    client_secret: str
    redirect_uri: str  # https://<this server>/auth/slack/callback, as registered with the app
    platform_admin: AdminCheck
    authorize_url: str = "https://slack.com/openid/connect/authorize"
    api_url: str = "https://slack.com/api/"


@dataclass(frozen=True)
class DiscordSignIn:
    client_id: str
    client_secret: str
    redirect_uri: str  # https://<this server>/auth/discord/callback
    role_admin: AdminCheck | None = None  # the configured admin role, checked with the bot's token
    authorize_url: str = "https://discord.com/oauth2/authorize"
    token_url: str = "https://discord.com/api/oauth2/token"
    api_url: str = "https://discord.com/api/v10"


@dataclass(frozen=True)
class Identity:
    """Who the platform says signed in, and where they administer it."""

    platform: Platform
    user_id: str
    name: str
    admin_in: tuple[str, ...]  # workspace / server ids where the platform makes them an admin
    member_of: tuple[str, ...]  # every workspace / server they are in (for our own admin list)


def new_state() -> str:
    return secrets.token_urlsafe(24)


def slack_authorize(config: SlackSignIn, state: str) -> str:
    from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator  # only where Slack is configured

    generator = OpenIDConnectAuthorizeUrlGenerator(
        client_id=config.client_id,
        redirect_uri=config.redirect_uri,
        scopes=["openid", "profile"],
        authorization_url=config.authorize_url,
    )
    return generator.generate(state=state, nonce=secrets.token_urlsafe(16))


async def slack_identity(config: SlackSignIn, code: str) -> Identity | None:
    """Exchange the code (openid.connect.token), ask who it is (openid.connect.userInfo), and
    whether they administer the workspace; None when Slack refused or could not be reached."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    try:
        exchange = await AsyncWebClient(base_url=config.api_url).openid_connect_token(
            client_id=config.client_id,
            client_secret=config.client_secret,
            code=code,
            redirect_uri=config.redirect_uri,
        )
        token = str(exchange["access_token"])
        info = await AsyncWebClient(token=token, base_url=config.api_url).openid_connect_userInfo()
        user_id = str(info["https://slack.com/user_id"])
        team_id = str(info["https://slack.com/team_id"])
        admin = await config.platform_admin(team_id, user_id)
    except (SlackApiError, *UPSTREAM_ERRORS) as error:
        log.info("Sign in with Slack failed: %s", type(error).__name__)
        return None
    name = str(info.get("name") or info.get("given_name") or user_id)
    return Identity(Platform.SLACK, user_id, name, (team_id,) if admin else (), (team_id,))


def discord_authorize(config: DiscordSignIn, state: str) -> str:
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "scope": "identify guilds",
        "redirect_uri": config.redirect_uri,
        "state": state,
        "prompt": "none",
    }
    return f"{config.authorize_url}?{urlencode(query)}"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _server_admin(guild: dict[str, Any]) -> bool:
    allowed = int(guild.get("permissions") or 0)
    return bool(guild.get("owner")) or bool(allowed & (ADMINISTRATOR | MANAGE_GUILD))


async def discord_identity(config: DiscordSignIn, code: str) -> Identity | None:
    """Exchange the code (/oauth2/token), then read /users/@me and /users/@me/guilds."""
    timeout = aiohttp.ClientTimeout(total=20)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(
                config.token_url,
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": config.redirect_uri},
                headers={"Authorization": _basic(config.client_id, config.client_secret)},
            ) as response:
                response.raise_for_status()
                token = str((await response.json())["access_token"])
            bearer = {"Authorization": f"Bearer {token}"}
            async with http.get(f"{config.api_url}/users/@me", headers=bearer) as response:
                response.raise_for_status()
                me = await response.json()
            async with http.get(f"{config.api_url}/users/@me/guilds", headers=bearer) as response:
                response.raise_for_status()
                guilds = await response.json()
        user_id = str(me["id"])
        admin_in = [str(g["id"]) for g in guilds if _server_admin(g)]
        member_of = [str(g["id"]) for g in guilds]
    except UPSTREAM_ERRORS as error:
        log.info("Sign in with Discord failed: %s", type(error).__name__)
        return None
    if config.role_admin is not None:
        for guild_id in member_of:
            if guild_id not in admin_in and await config.role_admin(guild_id, user_id):
                admin_in.append(guild_id)
    name = str(me.get("global_name") or me.get("username") or user_id)
    return Identity(Platform.DISCORD, user_id, name, tuple(admin_in), tuple(member_of))
