"""The Bolt app around the Slack side of one process (`side.py`). The listeners themselves are
in `listeners.py`; here are the two checks every request passes first (a well-formed payload; a
workspace whose token we can read)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import inbound, listeners
from adapters.slack.listeners import erase_workspace, is_removal, tenant_of
from adapters.slack.server import CHECKED
from adapters.slack.side import Slack

log = logging.getLogger(__name__)


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
    async def well_formed(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        # HTTP mode checks this at its edge (server.py) already, and says so in the context
        # (no request can set it: Bolt builds the context); Socket Mode's requests come straight
        # from the SDK, and a malformed one must not reach a listener either.
        if context.get(CHECKED):
            return await next()
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
