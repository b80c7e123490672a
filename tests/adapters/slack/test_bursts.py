"""A burst of signed slash commands at the real HTTP app: each acknowledged command is carried
out exactly once and answered; past the bound a person is told "busy" at once; none is lost,
shutting down included."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from adapters.slack.server import web_app
from adapters.slack.wiring import Slack, assemble
from bot.domain.model import Lang
from bot.i18n import texts
from bot.settings import Settings
from bot.store.db import create_engine
from bot.store.tables import inbound_deliveries
from tests.adapters.slack.conftest import ADMIN, CHANNEL, SECRET, sign
from tests.adapters.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.e2e

WORKSPACES = 4
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


@dataclass
class Burst:
    """Signed slash commands from many clients at once, and what each got back."""

    fake: AnswerCounter
    url: str
    acked: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    other: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    async def slash(self, http: aiohttp.ClientSession, team: str, user: str, text: str) -> None:
        name = f"c{next(self._ids)}"
        body = urlencode(
            {
                "team_id": team,
                "channel_id": CHANNEL,
                "user_id": user,
                "command": "/jembatan",
                "text": text,
                "api_app_id": "A0JEMBATAN",
                "response_url": self.fake.response_url(name),
                "trigger_id": f"trig-{name}",
            }
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, stamp),
        }
        async with http.post(self.url, data=body, headers=headers) as response:
            raw = await response.text()
            shown = json.loads(raw) if raw.startswith("{") else {"text": raw}
            if response.status != 200:
                self.other.append(response.status)
            elif shown.get("text") == BUSY:
                self.busy.append(name)
            else:
                self.acked.append(name)

    async def setup(self) -> None:
        async with aiohttp.ClientSession() as http:
            for n in range(WORKSPACES):
                await self.slash(http, f"T{n}", ADMIN, "setup weekly monday 09:00 tz=UTC")
        await self.answered()
        assert len(self.acked) == WORKSPACES
        self.acked.clear()

    async def fire(self, commands: int, clients: int) -> None:
        work = iter(range(commands))
        async with aiohttp.ClientSession() as http:

            async def client() -> None:
                for i in work:
                    text = ("join Sales", "status", "interests jazz")[i % 3]
                    await self.slash(http, f"T{i % WORKSPACES}", f"U{i % 97}", text)

            await asyncio.gather(*(client() for _ in range(clients)))

    async def answered(self, quiet: float = 20.0) -> None:
        """Until every acknowledged command is answered, or nothing new arrives for `quiet` s."""
        seen, since = -1, time.monotonic()
        while True:
            have = sum(1 for name in self.acked if self.fake.answers[name])
            if have == len(self.acked):
                return
            if have != seen:
                seen, since = have, time.monotonic()
            elif time.monotonic() - since > quiet:
                return
            await asyncio.sleep(0.05)

    def lost(self) -> list[str]:
        return [name for name in self.acked if self.fake.answers[name] == 0]


async def start(fake: AnswerCounter, database_url: str, **bounds: int) -> tuple[Slack, TestServer, Burst]:
    settings = Settings(
        database_url=database_url,
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SECRET,
        slack_api_url=fake.base_url + "/api/",
    )
    slack = assemble(replace(settings, **bounds))  # acknowledges first and works after, as in production
    server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    burst = Burst(fake, str(server.make_url("/slack/events")))
    await burst.setup()
    return slack, server, burst


async def test_every_acknowledged_command_runs_once_and_the_rest_are_told_busy(
    fake: AnswerCounter, database_url: str
) -> None:
    slack, server, burst = await start(fake, database_url, workers=2, queue_size=5)  # a tiny bound
    try:
        await burst.fire(commands=500, clients=20)
        await burst.answered()
    finally:
        await server.close()
        await slack.close()
    assert burst.other == []
    assert len(burst.acked) + len(burst.busy) == 500  # every command got one of the two
    assert burst.busy, "the burst never passed the bound: the test proves nothing"
    assert burst.lost() == []
    assert all(fake.answers[name] == 1 for name in burst.acked)  # answered once
    assert all(fake.answers[name] == 0 for name in burst.busy)  # told busy, and nothing was done
    # Each acknowledged command acted once (and each set-up); no busy one did.
    assert await executed(database_url) == len(burst.acked) + WORKSPACES


async def test_shutting_down_right_after_a_burst_still_answers_every_acknowledged_command(
    fake: AnswerCounter, database_url: str
) -> None:
    slack, server, burst = await start(fake, database_url, workers=2, queue_size=100)
    await burst.fire(commands=150, clients=20)
    pending = len(burst.lost())
    await server.close()
    await slack.close()  # SIGTERM's path: accepted work is finished and answered first
    assert burst.acked and pending, "nothing was left to finish at shutdown: the test proves nothing"
    assert burst.lost() == []
    assert await executed(database_url) == len(burst.acked) + WORKSPACES


async def executed(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            ran = await conn.scalar(
                select(func.count())
                .select_from(inbound_deliveries)
                .where(inbound_deliveries.c.delivery_id.like("trig-c%"))
            )
        return int(ran or 0)
    finally:
        await engine.dispose()
