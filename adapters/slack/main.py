"""`jembatan run slack [--mode socket|http] [--port 3000]`: configuration, wiring, and the loop.

Socket Mode (SLACK_APP_TOKEN) is the default when that token is set; HTTP mode serves
`POST /slack/events` and `GET /healthz`, and with SLACK_CLIENT_ID/SECRET the OAuth install
flow for many workspaces. A bad setting stops the start with one line naming the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlparse

from bot.app import BadConfig, Jobs, check_url, load_settings, refuse, run_process, wait_for_database
from bot.settings import Settings

if TYPE_CHECKING:
    from adapters.slack.wiring import Slack

log = logging.getLogger(__name__)

DEFAULT_PORT = 3000

# About one send a second: each group's intro is a conversations.open (Tier 3, ~50 a minute)
# and a post, so a 1,000-pair round drains in ~20 minutes instead of tripping rate limits.
SEND_INTERVAL = 1.2
STOP_WITHIN = 30.0  # seconds from SIGTERM to exit, all stages together


@dataclass(frozen=True)
class Config:
    settings: Settings
    mode: str
    port: int
    oauth: bool


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadConfig(message)


def load_config(argv: list[str], env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    parser = _Parser(prog="jembatan run slack", description="Run Jembatan on Slack.")
    parser.add_argument(
        "--mode", choices=("socket", "http"), help="default: socket when SLACK_APP_TOKEN is set"
    )
    parser.add_argument("--port", type=int, help=f"HTTP mode's port (default: PORT, else {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    port = args.port if args.port is not None else _port_from_env(env)
    settings = load_settings(env)
    check_url(settings.database_url)
    if not 1 <= port <= 65535:
        raise BadConfig("--port must be from 1 to 65535")
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    mode = args.mode or ("socket" if settings.slack_app_token and not oauth else "http")
    api = urlparse(settings.slack_api_url)
    if api.scheme not in ("http", "https") or not api.netloc:
        raise BadConfig("SLACK_API_URL must be an http:// or https:// URL")
    if not settings.slack_api_url.endswith("/"):
        settings = replace(settings, slack_api_url=settings.slack_api_url + "/")
    if oauth:
        if mode != "http":
            raise BadConfig("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs) need --mode http")
        for name, value in (
            ("SLACK_CLIENT_ID", settings.slack_client_id),
            ("SLACK_CLIENT_SECRET", settings.slack_client_secret),
            ("JEMBATAN_SECRET_KEY", settings.secret_key),
        ):
            if not value:
                raise BadConfig(f"{name} is required for OAuth installs")
    elif not settings.slack_bot_token:
        raise BadConfig("SLACK_BOT_TOKEN is required (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)")
    elif not settings.slack_bot_token.startswith("xoxb-"):
        raise BadConfig("SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-)")
    if mode == "socket":
        if not settings.slack_app_token:
            raise BadConfig("SLACK_APP_TOKEN is required for --mode socket")
        if not settings.slack_app_token.startswith("xapp-"):
            raise BadConfig("SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)")
    elif not settings.slack_signing_secret:
        instead = "" if args.mode or oauth else " (or set SLACK_APP_TOKEN to run in Socket Mode)"
        raise BadConfig(f"SLACK_SIGNING_SECRET is required for --mode http{instead}")
    return Config(settings, mode, port, oauth)


def _port_from_env(env: Mapping[str, str]) -> int:
    # Platforms and deploy/compose.yml hand the port over as PORT; empty counts as unset, as
    # compose passes `${PORT:-}` through as an empty string.
    raw = env.get("PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 65535):
        raise BadConfig("PORT must be a number from 1 to 65535")
    return int(raw)


async def run(config: Config, stop: asyncio.Event) -> None:
    from adapters.health import Probes, serve_probes
    from adapters.slack import wiring

    settings = config.settings
    await wait_for_database(settings.database_url, stop=stop)
    interval = SEND_INTERVAL if settings.send_interval is None else settings.send_interval
    slack = wiring.assemble(settings, relay_interval=interval)
    connection = _Connection(config, slack)
    probes = Probes(slack.jembatan.store.ping, connection.connected)
    try:
        await _check_tokens(config, slack)
        health = await serve_probes(probes, settings.health_port)
    except BadConfig:
        await slack.close()
        raise
    if slack.installations is not None:
        await slack.installations.check_keys()  # names the workspaces a changed key holds
    jobs = Jobs(slack.jembatan.ticker, tick_seconds=settings.tick_seconds)
    jobs.start()
    removals = asyncio.create_task(_erase_removed(slack)) if config.oauth else None
    try:
        await connection.open()
        await stop.wait()
        probes.draining = True  # not ready from now on, while the running work finishes
    finally:
        if removals is not None:
            removals.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await removals
        # One budget for the whole stop, inside the 40 s an orchestrator gives after SIGTERM:
        # the running tick and send first, then what was acknowledged, then the database.
        stopping = asyncio.get_running_loop().time()
        await jobs.stop(within=STOP_WITHIN * 2 / 3)
        await connection.close()
        if health is not None:
            await health.stop()
        await slack.close(max(1.0, STOP_WITHIN - (asyncio.get_running_loop().time() - stopping)))


async def _check_tokens(config: Config, slack: Slack) -> None:
    """Each token is tried once here: a refusal later would not stop the start. The Socket Mode
    client in particular retries a refused app token forever, a traceback each time."""
    import aiohttp
    from slack_sdk.errors import SlackApiError

    client = slack.bolt.client
    checks: list[tuple[str, Callable[[], Awaitable[object]]]] = []
    if not config.oauth:
        checks.append(("SLACK_BOT_TOKEN", client.auth_test))
    if config.mode == "socket":
        app_token = config.settings.slack_app_token or ""
        checks.append(("SLACK_APP_TOKEN", lambda: client.apps_connections_open(app_token=app_token)))
    for name, check in checks:
        try:
            await check()
        except SlackApiError as error:
            raise BadConfig(f"{name} was refused by Slack ({error.response.get('error')})") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise BadConfig(f"SLACK_API_URL: cannot reach Slack ({type(error).__name__})") from None


class _Connection:
    """Slack's side of the process: a Socket Mode connection, or the HTTP server of HTTP mode."""

    def __init__(self, config: Config, slack: Slack) -> None:
        from aiohttp import web
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        self._config, self._slack = config, slack
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._listening = False

    async def connected(self) -> bool:
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._listening

    async def open(self) -> None:
        from aiohttp import web
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        from adapters.slack.server import web_app

        config, bolt = self._config, self._slack.bolt
        if config.mode == "socket":
            self._socket = AsyncSocketModeHandler(
                bolt, config.settings.slack_app_token, web_client=bolt.client
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("connected to Slack in Socket Mode")
            return
        app = web_app(bolt, config.settings.slack_signing_secret or "")
        if os.environ.get("JEMBATAN_DASHBOARD_URL"):  # the admin dashboard, on the same server
            from adapters.dashboard.platforms import mount_for_slack

            mount_for_slack(
                app,
                self._slack.jembatan,
                os.environ,
                signing_secret=config.settings.slack_signing_secret or "",
                api_url=config.settings.slack_api_url,
                platform_admin=self._slack.directory.is_platform_admin,
            )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, "0.0.0.0", config.port).start()
        except OSError as error:  # in use, or below 1024 without the right to it
            reason = error.strerror or type(error).__name__
            raise BadConfig(f"--port/PORT {config.port} cannot be listened on ({reason})") from None
        self._listening = True
        log.info("serving /slack/events and /healthz on port %d", config.port)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()


async def _erase_removed(slack: Slack) -> None:
    """In the background, so a start with many installs is not held up by asking about each."""
    from adapters.slack.removals import erase_removed

    try:
        erased = await erase_removed(slack, slack.jembatan.deps.now())
    except Exception:
        log.exception("checking for workspaces that removed the app failed; the next start tries again")
        return
    if erased:
        log.warning("erased %d workspace(s) that removed the app while Jembatan was offline", len(erased))


def main(argv: list[str]) -> int:
    try:
        config = load_config(argv)
    except BadConfig as error:
        return refuse(error)
    return run_process(config.settings, lambda stop: run(config, stop))
