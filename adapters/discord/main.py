"""`jembatan run discord`, `jembatan discord sync [--guild ID]` and `jembatan discord invite`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl

from adapters.discord.client import JembatanClient
from adapters.discord.directory import DiscordDirectory
from adapters.discord.messenger import DiscordMessenger
from adapters.health import serve_probes
from bot.app import (
    Backoff,
    BadConfig,
    DiscordConfig,
    Jobs,
    Shell,
    build,
    check_url,
    configure_logging,
    discord_config,
    held_alone,
    keep_connected,
    load_settings,
    lock_key,
    refuse,
    run_process,
    serve_platform,
)
from bot.settings import Settings

if TYPE_CHECKING:  # the dashboard is imported only when it is served
    from adapters.dashboard.platforms import Running

log = logging.getLogger(__name__)

# Exactly what the bot uses: see channels, post, make and run private threads, embeds, files.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    create_private_threads=True,
    send_messages_in_threads=True,
    manage_threads=True,
    embed_links=True,
    attach_files=True,
)
SCOPES = ("bot", "applications.commands")
# The row a crashed process was sending is taken back at the next start (holders.py); this lease
# covers a live sender gone silent. Discord dedupes an enforced nonce for "the past few minutes"
# only, so even that resend must come well inside it.
OUTBOX_LEASE = timedelta(minutes=1)
TRANSIENT = (
    discord.HTTPException,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
)


Config = DiscordConfig  # the checks are the core's (bot/platform_config.py)


def load_config(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    return discord_config(load_settings(env), env)


def point_at(settings: Settings) -> Callable[[], None]:
    """Where Discord is: its own endpoints unless a proxy or a test server is configured.
    discord.py keeps them in class attributes, so this is process-wide; the function returned
    puts back the previous ones (tests point one process at many local servers)."""
    before = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)

    def restore() -> None:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = before

    return restore


def invite_url(client_id: str) -> str:
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)


async def stay_connected(
    client: JembatanClient,
    token: str,
    *,
    stopped: asyncio.Event,
    on_down: Callable[[], None],
    backoff: Backoff | None = None,
) -> None:
    """Log in and hold the gateway until `stopped`. discord.py reconnects by itself after most
    drops; what it gives up on (a failed login, a gateway it cannot reach) is retried here with
    growing waits, so a broken network or a Discord outage never turns into a storm of logins."""

    async def connect() -> None:
        try:
            await client.start(token)
        except discord.LoginFailure:
            raise BadConfig("Discord refused DISCORD_TOKEN") from None
        except discord.PrivilegedIntentsRequired:
            raise BadConfig("Discord asks for a privileged intent; Jembatan needs none") from None
        except TRANSIENT as error:
            if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
                raise BadConfig("Discord refused DISCORD_TOKEN") from None
            if isinstance(error, discord.ConnectionClosed) and error.code in (4010, 4011):
                raise BadConfig(
                    "Discord wants more gateway shards for this bot's servers; "
                    "raise JEMBATAN_DISCORD_SHARDS, or unset it to take Discord's count"
                ) from None
            if not stopped.is_set():
                log.warning("Discord connection failed (%s: %s)", type(error).__name__, error)

    async def down() -> None:
        on_down()
        await client.close()

    await keep_connected(
        connect, stopped=stopped, down=down, again=client.clear, backoff=backoff or Backoff(), what="Discord"
    )


class _Runner:
    """Discord's side of a running process (bot.process.Platform): the gateway, held by one
    process per bot, around the core."""

    def __init__(self, config: Config, token: str) -> None:
        self.config = config
        self.token = token
        self.lock_lost = False
        self.jobs: Jobs | None = None
        self.client = JembatanClient(
            admin_role_id=config.admin_role_id, on_setup=self.start_jobs, shards=config.shards
        )
        self.app = build(
            config.settings,
            DiscordMessenger(self.client),
            DiscordDirectory(self.client),
            relay_lease=OUTBOX_LEASE,
            relay_interval=config.settings.send_interval or 0.0,
        )
        self.client.app = self.app
        self.ticker = self.app.ticker
        self.ping = self.app.store.ping
        self.finish_work = self.client.finish_work
        self.disconnect = self.client.close
        self.close = self.app.close

    async def connected(self) -> bool:
        # A standby waiting for the gateway lock is not ready: it serves nobody yet.
        return self.client.is_ready() and not self.client.is_closed()

    async def check(self) -> None:
        """Nothing more: the token is tried at login, once this process holds the gateway lock."""

    async def start_jobs(self) -> None:
        # From setup_hook, after each login: the jobs start once, and resume after a reconnect.
        if self.jobs is not None:
            self.jobs.start()

    def pause_jobs(self) -> None:
        if self.jobs is not None:
            self.jobs.pause()

    async def hold(self, shell: Shell) -> int:
        """Until told to stop, or the gateway lock is lost: 1 then, else 0."""
        self.jobs = shell.jobs

        def lost_lock() -> None:
            self.lock_lost = True
            shell.stopping.set()

        dashboard = await self._serve_dashboard()
        # One holder per bot: it opens the whole shard set, so a second process with the same
        # token, whatever its JEMBATAN_DISCORD_SHARDS, stands by rather than open the shards twice.
        key = lock_key(self.token, "jembatan-discord-gateway")
        try:
            async with held_alone(
                self.config.settings.database_url,
                key,
                what="Discord gateway for this bot",
                stopped=shell.stopping,
                on_lost=lost_lock,
            ) as held:
                if held and not shell.stopping.is_set():
                    await stay_connected(
                        self.client, self.token, stopped=shell.stopping, on_down=self.pause_jobs
                    )
        finally:
            if dashboard is not None:
                await dashboard.stop()
        return 1 if self.lock_lost else 0

    async def _serve_dashboard(self) -> Running | None:
        if self.config.web_port is None:
            return None
        from adapters.dashboard.platforms import discord_admin_check, discord_role_check, serve_for_discord

        return await serve_for_discord(
            self.app,
            os.environ,
            self.config.web_port,
            bot_token=self.token,
            api_url=self.config.settings.discord_api_url,
            role_admin=discord_role_check(self.client, self.config.admin_role_id),
            server_admin=discord_admin_check(self.client, self.config.admin_role_id),
        )


async def run(config: Config, signalled: asyncio.Event) -> int:
    token = config.check_for_run()
    check_url(config.settings.database_url)
    point_at(config.settings)
    return await serve_platform(config.settings, signalled, lambda: _Runner(config, token), serve_probes)


async def sync(config: Config, guild: int | None) -> int:
    token = config.needs_token()
    point_at(config.settings)
    try:
        return await _sync(token, guild)
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        # A one-off command, so no retrying: say what failed and where to look.
        reason = type(error).__name__
        raise BadConfig(
            f"cannot reach Discord ({reason}); check the network, or DISCORD_API_URL if it is set"
        ) from None


async def _sync(token: str, guild: int | None) -> int:
    client = JembatanClient()
    async with client:
        try:
            await client.login(token)  # REST only: no gateway session is opened
        except discord.LoginFailure:
            raise BadConfig("Discord refused DISCORD_TOKEN") from None
        except discord.HTTPException as error:  # not Discord's API there, or Discord failing
            raise BadConfig(
                f"Discord answered the login with {error.status}; check DISCORD_API_URL if it is set"
            ) from None
        try:
            if guild is None:
                synced = await client.tree.sync()
                where = "globally (may take up to an hour to appear)"
            else:
                target = discord.Object(guild)
                client.tree.copy_global_to(guild=target)
                synced = await client.tree.sync(guild=target)
                where = f"in server {guild}"
        except discord.HTTPException as error:
            hint = " (is the bot in that server, invited with applications.commands?)" if guild else ""
            print(
                f"jembatan: Discord refused the commands: {error.status} {error.text[:200]}{hint}",
                file=sys.stderr,
            )
            return 1
    names = ", ".join(f"/{command.name}" for command in synced)
    print(f"jembatan: registered {names} {where}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jembatan discord", description="Jembatan on Discord.")
    sub = parser.add_subparsers(dest="action")
    # `jembatan run discord` is how people start it (the README, docs/discord.md), so its help says so.
    run_cmd = sub.add_parser("run", prog="jembatan run discord", help="connect and serve (the default)")
    run_cmd.add_argument("--web-port", type=int, help="serve the admin dashboard on this port")
    sync_cmd = sub.add_parser("sync", help="register /jembatan with Discord")
    sync_cmd.add_argument("--guild", type=int, help="one server's id, for instant availability")
    invite = sub.add_parser("invite", help="print the URL that adds the bot to a server")
    invite.add_argument("--client-id", help="the application id (read from DISCORD_TOKEN otherwise)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = load_config()
        if getattr(args, "web_port", None) is not None:
            config = replace(config, web_port=args.web_port)
        settings = config.settings
        configure_logging(settings.log_level, settings.log_format)
        match args.action:
            case "sync":
                logging.getLogger("discord.client").setLevel(logging.WARNING)  # "logging in using…"
                return asyncio.run(sync(config, args.guild))
            case "invite":
                print(invite_url(config.application_id(args.client_id)))
                return 0
            case _:
                # Unset, DATABASE_URL is refused by run() before any file is touched.
                url = settings.database_url if config.database_url_set else "postgresql://"
                return run_process(settings, lambda stop: run(config, stop), database_url=url)
    except BadConfig as error:
        return refuse(error)
