"""HTTP mode's edge: `POST /slack/events`, `GET /healthz`, and the OAuth install routes.

Requests are checked here before Bolt sees them, cheapest check first: the body size (413
before any hashing), the header shapes (slack_sdk's verifier raises on a non-numeric or
5,000-digit timestamp and Bolt answers that with a 500), the age of the timestamp, then the
signature, on the bytes. Only a verified request is parsed, checked for the shape its listener
expects (adapters/slack/inbound.py) and dispatched. Every refusal is one short log line, rate-limited.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import inbound
from bot.app import metrics

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 64 * 1024
MAX_AGE = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
CHECKED = "jembatan_checked"  # set in Bolt's context of a request inbound.check passed here


def web_app(bolt: AsyncApp, signing_secret: str, clock: Callable[[], float] = time.time) -> web.Application:
    refusals = inbound.RefusalLog()

    def _refuse(status: int, reason: str) -> web.Response:
        refusals(status, reason)
        return web.json_response({"ok": False, "error": reason}, status=status)

    async def events(request: web.Request) -> web.Response:
        arrived = time.monotonic()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413, "body_too_large")
        try:
            raw = await request.read()  # aiohttp stops at client_max_size when no length was sent
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "body_too_large")
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (_TIMESTAMP.fullmatch(stamp) and _SIGNATURE.fullmatch(signature)):
            return _refuse(401, "invalid_signature_headers")
        if abs(clock() - int(stamp)) > MAX_AGE:
            return _refuse(401, "stale_request")
        if not inbound.signature_ok(signing_secret, raw, stamp, signature):
            return _refuse(401, "invalid_signature")
        try:
            body = inbound.parse(raw, request.headers.get("Content-Type", ""))
        except inbound.Refused as refused:  # signed but malformed: Slack's bug or a forged secret
            return _refuse(400, refused.reason)
        # Bolt is handed the parsed body: its own parser reads any body containing "payload" as
        # an interaction. Bolt calls a request given as a dict "socket_mode" and does not verify
        # it again; it was verified above, on its bytes.
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
                context={CHECKED: True},  # so app.py's middleware does not check it again
                mode="socket_mode",
            )
        except Exception:  # a shape inbound.parse let through and Bolt did not: still never a 500
            return _refuse(400, "malformed_body")
        retry = request.headers.get("X-Slack-Retry-Num")
        if retry:
            # The delivery ids make a retry harmless; logged so an operator sees slow acks.
            log.info("Slack retry %s (%s)", retry[:3], request.headers.get("X-Slack-Retry-Reason", "")[:32])
        response = await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        metrics.ACK_SECONDS.labels("slack").observe(time.monotonic() - arrived)
        return response

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(EVENTS_PATH, events)
    app.router.add_get("/healthz", healthz)
    if bolt.oauth_flow is not None:
        _add_install_routes(app, bolt.oauth_flow)
    return app


def _add_install_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """OAuth installs: the "Add to Slack" page and the redirect Slack sends the browser back to."""

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    app.router.add_get(flow.install_path, install)
    app.router.add_get(flow.redirect_uri_path, redirect)
