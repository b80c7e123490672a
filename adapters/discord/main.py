"""`jembatan run discord`, `jembatan discord sync [--guild ID]` and `jembatan discord invite`."""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl

from adapters.discord.client import JembatanClient
from adapters.discord.directory import DiscordDirectory
from adapters.discord.messenger import DiscordMessenger
from adapters.health import Probes, serve_probes
from bot.app import (
    BadConfig,
    Jobs,
    build,
    check_url,
    configure_logging,
    held_alone,
    load_settings,
    lock_key,
    refuse,
    run_process,
    wait_for_database,
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
FIRST_DELAY, MAX_DELAY, STABLE_AFTER = 5.0, 900.0, 600.0  # seconds, for reconnecting after failures
WORK_FINISH_WITHIN = 30.0
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


@dataclass(frozen=True)
class Config:
    settings: Settings
    token: str | None
    admin_role_id: int | None
    database_url_set: bool
    web_port: int | None = None  # the admin dashboard's port (--web-port / JEMBATAN_WEB_PORT)


def load_config(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    settings = load_settings(env)
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
    return Config(
        settings, settings.discord_token, role_id, database_set, int(web_port) if web_port else None
    )


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


def invite_url(client_id: str) -> str:
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)


class Backoff:
    """Waits that double after each failure, back to the start once a connection held a while."""

    def __init__(self, first: float = FIRST_DELAY, most: float = MAX_DELAY) -> None:
        self.first, self.most, self.current = first, most, first

    def next(self, connected_for: float) -> float:
        if connected_for > STABLE_AFTER:
            self.current = self.first
        delay, self.current = self.current, min(self.current * 2, self.most)
        return delay


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
    backoff = backoff or Backoff()
    while not stopped.is_set():
        started = time.monotonic()
        try:
            await client.start(token)
        except discord.LoginFailure:
            raise BadConfig("Discord refused DISCORD_TOKEN") from None
        except discord.PrivilegedIntentsRequired:
            raise BadConfig("Discord asks for a privileged intent; Jembatan needs none") from None
        except TRANSIENT as error:
            if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
                raise BadConfig("Discord refused DISCORD_TOKEN") from None
            if not stopped.is_set():
                log.warning("Discord connection failed (%s: %s)", type(error).__name__, error)
        if stopped.is_set():
            return  # closed on purpose
        on_down()
        await client.close()
        delay = backoff.next(time.monotonic() - started)
        log.warning("connecting to Discord again in %.0f s", delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), delay)
        client.clear()


class _Runner:
    def __init__(self, config: Config, token: str) -> None:
        self.config = config
        self.token = token
        self.lock_lost = False
        self.stopped = asyncio.Event()
        self.client = JembatanClient(admin_role_id=config.admin_role_id, on_setup=self.start_jobs)
        self.app = build(
            config.settings,
            DiscordMessenger(self.client),
            DiscordDirectory(self.client),
            relay_lease=OUTBOX_LEASE,
            relay_interval=config.settings.send_interval or 0.0,
        )
        self.client.app = self.app
        self.jobs = Jobs(self.app.ticker, tick_seconds=config.settings.tick_seconds)
        self._tasks: set[asyncio.Task[None]] = set()
        self.probes = Probes(self.app.store.ping, self.connected)

    async def connected(self) -> bool:
        # A standby waiting for the gateway lock is not ready: it serves nobody yet.
        return self.client.is_ready() and not self.client.is_closed()

    async def start_jobs(self) -> None:
        # From setup_hook, after each login: the jobs start once, and resume after a reconnect.
        self.jobs.start()

    async def stop_jobs(self) -> None:
        await self.jobs.stop(within=WORK_FINISH_WITHIN)

    def pause_jobs(self) -> None:
        self.jobs.pause()

    def stop(self) -> None:
        self.probes.draining = True  # readiness drops at once, before the last send finishes
        self.stopped.set()
        task = asyncio.ensure_future(self._wind_down())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _wind_down(self) -> None:
        """The send in flight and the commands already accepted finish, and are answered,
        while the connection is still open; then it closes (which ends `stay_connected`).
        One budget for it all, inside the 40 s an orchestrator gives after SIGTERM."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WORK_FINISH_WITHIN
        try:
            await self.jobs.stop(within=WORK_FINISH_WITHIN * 2 / 3)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(1.0, deadline - loop.time())):
                    await self.client.finish_work()
        finally:
            await self.client.close()

    def lost_lock(self) -> None:
        self.lock_lost = True
        self.stop()

    async def _stop_when(self, signalled: asyncio.Event) -> None:
        await signalled.wait()
        self.stop()

    async def _serve_dashboard(self) -> Running | None:
        if self.config.web_port is None:
            return None
        from adapters.dashboard.platforms import discord_role_check, serve_for_discord

        return await serve_for_discord(
            self.app,
            os.environ,
            self.config.web_port,
            bot_token=self.token,
            api_url=self.config.settings.discord_api_url,
            role_admin=discord_role_check(self.client, self.config.admin_role_id),
        )

    async def run(self, signalled: asyncio.Event) -> int:
        """Until `signalled` (SIGTERM, SIGINT) or the gateway lock is lost: 1 then, else 0."""
        watch = asyncio.create_task(self._stop_when(signalled))
        health = dashboard = None
        try:
            health = await serve_probes(self.probes, self.config.settings.health_port)
            dashboard = await self._serve_dashboard()
            url = self.config.settings.database_url
            key = lock_key(self.token, "jembatan-discord-gateway")  # one gateway per bot
            async with held_alone(
                url, key, what="Discord gateway for this bot", stopped=self.stopped, on_lost=self.lost_lock
            ) as held:
                if held and not self.stopped.is_set():
                    await stay_connected(
                        self.client, self.token, stopped=self.stopped, on_down=self.pause_jobs
                    )
            return 1 if self.lock_lost else 0
        finally:
            watch.cancel()
            await self.stop_jobs()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WORK_FINISH_WITHIN):
                    await self.client.finish_work()
            await self.client.close()
            if health is not None:
                await health.stop()
            if dashboard is not None:
                await dashboard.stop()
            await self.app.close()


async def run(config: Config, signalled: asyncio.Event) -> int:
    if not config.token:
        raise BadConfig("DISCORD_TOKEN is not set")
    if not config.database_url_set:
        raise BadConfig("DATABASE_URL is not set")
    check_url(config.settings.database_url)
    point_at(config.settings)
    # Before any login: Discord resets a token after 1,000 logins a day.
    await wait_for_database(config.settings.database_url, stop=signalled)
    return await _Runner(config, config.token).run(signalled)


async def sync(config: Config, guild: int | None) -> int:
    if not config.token:
        raise BadConfig("DISCORD_TOKEN is not set")
    point_at(config.settings)
    try:
        return await _sync(config.token, guild)
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
                if not args.client_id and not config.token:
                    raise BadConfig("DISCORD_TOKEN is not set (or pass --client-id)")
                client_id = args.client_id or application_id(config.token or "")
                if not client_id.isdigit():
                    raise BadConfig("--client-id must be a number")
                print(invite_url(client_id))
                return 0
            case _:
                # Unset, DATABASE_URL is refused by run() before any file is touched.
                url = settings.database_url if config.database_url_set else "postgresql://"
                return run_process(settings, lambda stop: run(config, stop), database_url=url)
    except BadConfig as error:
        return refuse(error)
