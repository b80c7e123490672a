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
from typing import TYPE_CHECKING, Any, NoReturn

from bot.app import (
    BadConfig,
    Shell,
    SlackConfig,
    check_url,
    load_settings,
    port_from_env,
    refuse,
    run_process,
    serve_platform,
    slack_config,
)

if TYPE_CHECKING:
    from aiohttp import web
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp

    from adapters.slack.wiring import Slack

log = logging.getLogger(__name__)

DEFAULT_PORT = 3000

# About one send a second: each group's intro is a conversations.open (Tier 3, ~50 a minute)
# and a post, so a 1,000-pair round drains in ~20 minutes instead of tripping rate limits.
SEND_INTERVAL = 1.2

Config = SlackConfig  # the checks are the core's (bot/platform_config.py)


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
    port = args.port if args.port is not None else port_from_env(env, DEFAULT_PORT)
    settings = load_settings(env)
    check_url(settings.database_url)
    return slack_config(settings, args.mode, port)


async def run(config: Config, stop: asyncio.Event) -> int:
    from adapters.health import serve_probes

    return await serve_platform(config.settings, stop, lambda: _Process(config), serve_probes)


class _Process:
    """Slack's side of a running process (bot.process.Platform): a Socket Mode connection, or
    the HTTP server of HTTP mode, around the core."""

    def __init__(self, config: Config) -> None:
        from adapters.slack import wiring

        settings = config.settings
        interval = SEND_INTERVAL if settings.send_interval is None else settings.send_interval
        self.slack = wiring.assemble(settings, relay_interval=interval)
        self.config = config
        self.ticker = self.slack.jembatan.ticker
        self.ping = self.slack.jembatan.store.ping
        self.close = self.slack.close
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._listening = False

    async def check(self) -> None:
        await _check_tokens(self.config, self.slack)
        if self.slack.installations is not None:
            await self.slack.installations.check_keys()  # names the workspaces a changed key holds

    async def connected(self) -> bool:
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._listening

    async def hold(self, shell: Shell) -> None:
        shell.jobs.start()
        removals = asyncio.create_task(_erase_removed(self.slack)) if self.config.oauth else None
        try:
            await (self._connect() if self.config.mode == "socket" else self._listen())
            await shell.stopping.wait()
        finally:
            if removals is not None:
                removals.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await removals

    async def _connect(self) -> None:
        self._socket = socket_mode_handler(self.slack.bolt, self.config.settings.slack_app_token or "")
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")

    async def _listen(self) -> None:
        from aiohttp import web

        from adapters.slack.server import web_app

        config = self.config
        app = web_app(self.slack.bolt, config.settings.slack_signing_secret or "")
        if os.environ.get("JEMBATAN_DASHBOARD_URL"):  # the admin dashboard, on the same server
            from adapters.dashboard.platforms import mount_for_slack

            mount_for_slack(
                app,
                self.slack.jembatan,
                os.environ,
                signing_secret=config.settings.slack_signing_secret or "",
                api_url=config.settings.slack_api_url,
                platform_admin=self.slack.directory.is_platform_admin_now,  # its own minute, not 5
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

    async def finish_work(self) -> None:
        """Slack's answers go to response URLs, not the connection: the core's close waits."""

    async def disconnect(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()


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


def socket_mode_handler(bolt: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Bolt's Socket Mode handler, its acknowledgements timed into jembatan_ack_seconds as HTTP
    mode's are (server.py): from the envelope reaching the handler to its ack sent back."""
    import time

    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    from bot.app import metrics

    class Timed(AsyncSocketModeHandler):
        async def handle(self, client: Any, req: Any) -> None:
            arrived = time.monotonic()
            await super().handle(client, req)
            metrics.ACK_SECONDS.labels("slack").observe(time.monotonic() - arrived)

    return Timed(bolt, app_token, web_client=bolt.client)


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
