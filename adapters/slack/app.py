"""The Slack side of one process, and the Bolt app around it.

`Slack` holds what the listeners work with: the core, the Slack ports the core delivers through,
the installations, and the Bolt app. The listeners themselves are in `listeners.py`; here are the
two checks every request passes first (a well-formed payload; a workspace whose token we can read).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import inbound, listeners
from adapters.slack.clients import Workspaces
from adapters.slack.directory import SlackDirectory
from adapters.slack.listeners import erase_workspace, is_removal, tenant_of
from adapters.slack.messenger import SlackMessenger
from bot.app import Deps, Installs, Jembatan, known_divisions
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts

log = logging.getLogger(__name__)

T = TypeVar("T")


class _BusyLog:
    """One line a minute at most while requests are turned away, so a flood cannot fill the disk."""

    def __init__(self, every: float = 60.0) -> None:
        self._every = every
        self._last = 0.0
        self._since = 0

    def note(self, tenant: TenantRef) -> None:
        self._since += 1
        now = time.monotonic()
        if now - self._last >= self._every:
            log.warning(
                "busy: turned away %d request(s) (latest from %s); try JEMBATAN_WORKERS",
                self._since,
                tenant.external_id,
            )
            self._last, self._since = now, 0


_busy_log = _BusyLog()


@dataclass(eq=False)
class Slack:
    """The core, the Slack ports, the installations (OAuth mode) and the Bolt app, for one process."""

    jembatan: Jembatan
    messenger: SlackMessenger
    directory: SlackDirectory
    workspaces: Workspaces
    installations: Installs | None = None  # OAuth installs; None with one SLACK_BOT_TOKEN
    bolt: AsyncApp = field(init=False, repr=False)
    answering: set[asyncio.Task[Any]] = field(default_factory=set)  # listeners past their ack
    _http: aiohttp.ClientSession | None = field(default=None, repr=False)

    @property
    def deps(self) -> Deps:
        return self.jembatan.deps

    @property
    def lang(self) -> Lang:
        return self.deps.default_lang

    @property
    def held(self) -> Set[TenantRef]:
        """Workspaces whose stored token does not decrypt (the relay holds the same set)."""
        return self.jembatan.store.held

    async def divisions(self, tenant: TenantRef) -> list[str]:
        # The select has no channel: it offers every division in use in the workspace.
        return await known_divisions(self.deps, tenant)

    def says(self, key: str) -> str:
        # Said without asking the database (the answer to "busy" must cost nothing), so in the
        # workspace's default language rather than the program's.
        return texts(self.lang, Platform.SLACK.value)(key)

    def offer(self, tenant: TenantRef, work: Callable[[], Awaitable[T]]) -> asyncio.Future[T] | None:
        """Room for one more piece of work after the acknowledgement, or None: then the caller
        says "busy" instead of acknowledging work that would not be done."""
        accepted = self.jembatan.intake.offer(tenant, work)
        if accepted is None:
            _busy_log.note(tenant)
            return None
        # The listener goes on to answer once the work is done; a shutdown waits for that too.
        listener = asyncio.current_task()
        if listener is not None:
            self.answering.add(listener)
            listener.add_done_callback(self.answering.discard)
        return accepted

    def session(self) -> aiohttp.ClientSession:
        """The HTTP session answers go out on (response_url), made on first use."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def close(self, grace: float = 30.0) -> None:
        """Within `grace` seconds in all: what was acknowledged is done and answered first."""
        deadline = asyncio.get_running_loop().time() + grace
        if self.answering:
            await asyncio.wait(set(self.answering), timeout=grace)
        if self._http is not None:
            await self._http.close()
        await self.jembatan.close(max(1.0, deadline - asyncio.get_running_loop().time()))


class _NoBodies(logging.Filter):
    """Bolt logs an unhandled request with its body; people's words stay out of our logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Unhandled request"):
            record.msg, record.args = "Unhandled request (body not logged)", None
        # We hand Bolt its client on purpose (it carries SLACK_BOT_TOKEN already); Bolt warns
        # that the token it also found in the environment goes unused, which reads like a mistake.
        return not (isinstance(record.msg, str) and record.msg.startswith("As you gave `client` as well"))


def _held_back(slack: Slack) -> Callable[..., Awaitable[BoltResponse]]:
    async def held_back(
        context: AsyncBoltContext,
        body: dict[str, Any],
        response: BoltResponse,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse:
        # Before Bolt looks the installation up: a token our key cannot read must not read as
        # "not installed", which Bolt answers by asking people to reinstall.
        try:
            held = tenant_of(context) in slack.held
        except ValueError:
            held = False
        if not held:
            await next()
            return response
        if body.get("type") == "event_callback" and is_removal(body.get("event")):
            # No token is needed to forget a workspace: a removal is honoured even while its
            # token cannot be read (otherwise Slack, answered 200, would never say it again).
            await erase_workspace(slack, body, tenant_of(context))
            return BoltResponse(status=200, body="")
        if body.get("command"):
            shown = json.dumps({"response_type": "ephemeral", "text": slack.says("error.unavailable")})
            return BoltResponse(status=200, body=shown, headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")

    return held_back


def _well_formed(refusals: inbound.RefusalLog) -> Callable[..., Awaitable[BoltResponse]]:
    async def well_formed(body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        # HTTP mode checks this at its edge (server.py) already; Socket Mode's requests come
        # straight from the SDK, and a malformed one must not reach a listener either.
        try:
            inbound.check(body)
        except inbound.Refused as refused:
            refusals("socket", refused.reason)
            return BoltResponse(status=200, body="")  # acknowledged, so Slack does not send it again
        return await next()

    return well_formed


def build_app(
    slack: Slack,
    *,
    client: AsyncWebClient,
    signing_secret: str,
    oauth_flow: AsyncOAuthFlow | None = None,
    process_before_response: bool = False,
) -> AsyncApp:
    """The Bolt app with an explicit client (so SLACK_API_URL and the retry handlers hold for
    every request) and explicit secrets (so Bolt never reads them from the environment itself)."""
    logger = logging.getLogger("adapters.slack.bolt")
    if not any(isinstance(f, _NoBodies) for f in logger.filters):
        logger.addFilter(_NoBodies())
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
        name="jembatan",
        logger=logger,
        before_authorize=_held_back(slack) if oauth_flow is not None else None,
    )
    app.middleware(_well_formed(inbound.RefusalLog()))
    listeners.register(app, listeners.Listeners(slack))
    slack.bolt = app
    return app
