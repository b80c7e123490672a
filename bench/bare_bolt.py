"""A bare slack-bolt AsyncApp served by aiohttp that only acknowledges: the yardstick for
bench/ack_load.py, which starts it as a process of its own beside Jembatan's.

    SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=… python bench/bare_bolt.py --port 3000

It is what Bolt's own documentation starts with: the signing secret checked by Bolt, a bot token
(its auth.test is asked once, of SLACK_API_URL, and cached), one listener for every slash
command that calls `ack()` and nothing else. It serves `POST /slack/events` as Bolt's aiohttp
adapter does, and `GET /healthz` so the bench knows when it is up. No database, no queue, no
answer afterwards: whatever Jembatan takes beyond this is what its own work costs the ack.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def bare_app() -> AsyncApp:
    token = os.environ["SLACK_BOT_TOKEN"]
    client = AsyncWebClient(token=token, base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"))
    app = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], token=token, client=client)

    @app.command(re.compile(r"^/"))
    async def only_ack(ack: Any) -> None:
        await ack()

    return app


def web_app(bolt: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    web.run_app(web_app(bare_app()), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
