"""A burst of signed slash commands at the real HTTP app: each acknowledged command is carried
out exactly once and answered; past the bound a person is told "busy" at once; none is lost."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from adapters.slack.server import web_app
from adapters.slack.wiring import assemble
from bot.domain.model import Lang
from bot.i18n import texts
from bot.settings import Settings
from bot.store.tables import inbound_deliveries
from tests.adapters.slack.conftest import ADMIN, CHANNEL, SECRET, sign
from tests.adapters.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.e2e

COMMANDS, CLIENTS, WORKSPACES = 500, 20, 4
BUSY = texts(Lang.EN, "slack")("error.busy")


class AnswerCounter(FakeSlack):
    """The fake Slack, counting what reaches each command's response_url."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.answers: Counter[str] = Counter()

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        self.answers[request.match_info["name"]] += 1
        return web.Response(text="ok")


@pytest.fixture
async def fake() -> AsyncIterator[AnswerCounter]:
    fake = AnswerCounter()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    fake.add_user(ADMIN, "Admin", admin=True)
    yield fake
    await server.close()


async def test_every_acknowledged_command_runs_once_and_the_rest_are_told_busy(
    fake: AnswerCounter, database_url: str
) -> None:
    settings = Settings(
        database_url=database_url,
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SECRET,
        slack_api_url=fake.base_url + "/api/",
    )
    settings = replace(settings, workers=2, queue_size=5)  # a tiny bound, so a burst passes it
    slack = assemble(settings)  # acknowledges first and works after, as in production
    server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/slack/events"))
    ids = itertools.count()
    acked: list[str] = []
    busy: list[str] = []
    other: list[int] = []

    async def slash(http: aiohttp.ClientSession, team: str, user: str, text: str) -> str:
        name = f"c{next(ids)}"
        body = urlencode(
            {
                "team_id": team,
                "channel_id": CHANNEL,
                "user_id": user,
                "command": "/jembatan",
                "text": text,
                "api_app_id": "A0JEMBATAN",
                "response_url": fake.response_url(name),
                "trigger_id": f"trig-{name}",
            }
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, stamp),
        }
        async with http.post(url, data=body, headers=headers) as response:
            raw = await response.text()
            shown = json.loads(raw) if raw.startswith("{") else {"text": raw}
            if response.status != 200:
                other.append(response.status)
            elif shown.get("text") == BUSY:
                busy.append(name)
            else:
                acked.append(name)
        return name

    try:
        async with aiohttp.ClientSession() as http:
            for n in range(WORKSPACES):
                await slash(http, f"T{n}", ADMIN, "setup weekly monday 09:00 tz=UTC")
                await _answered(fake, acked)
            acked.clear()
            work = iter(range(COMMANDS))

            async def client() -> None:
                for i in work:
                    text = ("join Sales", "status", "interests jazz")[i % 3]
                    await slash(http, f"T{i % WORKSPACES}", f"U{i % 97}", text)

            await asyncio.gather(*(client() for _ in range(CLIENTS)))
        await _answered(fake, acked)
        async with slack.jembatan.store.engine.connect() as conn:
            ran = await conn.scalar(
                select(func.count())
                .select_from(inbound_deliveries)
                .where(inbound_deliveries.c.delivery_id.like("trig-c%"))
            )
    finally:
        await server.close()
        await slack.close()

    assert other == []
    assert len(acked) + len(busy) == COMMANDS + 0  # every command got one of the two
    assert busy, "the burst never passed the bound: the test proves nothing"
    lost = [name for name in acked if fake.answers[name] == 0]
    assert lost == []
    assert all(fake.answers[name] == 1 for name in acked)  # answered once
    assert all(fake.answers[name] == 0 for name in busy)  # told busy, and nothing was done
    assert ran == len(acked) + WORKSPACES  # each acknowledged command acted once (and each set-up)


async def _answered(fake: AnswerCounter, names: list[str], quiet: float = 20.0) -> None:
    """Until every acknowledged command is answered, or nothing new arrives for `quiet` s."""
    seen, since = -1, time.monotonic()
    while True:
        have = sum(1 for name in names if fake.answers[name])
        if have == len(names):
            return
        if have != seen:
            seen, since = have, time.monotonic()
        elif time.monotonic() - since > quiet:
            return
        await asyncio.sleep(0.05)
