"""The Slack adapter under test: the real Bolt app served over real HTTP, signed requests in,
and a fake Slack Web API (tests/adapters/slack/fake_slack.py) on the other side."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.slack.server import web_app
from adapters.slack.wiring import Slack, assemble
from bot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.fakes import FakeClock
from tests.specs import slack_spec

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0PAIRS"
ADMIN = "U0ADMIN"


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Harness:
    fake: FakeSlack
    slack: Slack
    url: str
    http: aiohttp.ClientSession
    clock: FakeClock
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def team(self) -> str:
        return self.fake.team_id

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    async def send(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None, *, signed: bool = True
    ) -> aiohttp.ClientResponse:
        stamp = str(int(time.time()))
        sent = {"Content-Type": content_type}
        if signed:
            sent |= {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sign(body, stamp)}
        sent |= headers or {}
        async with self.http.post(self.url + "/slack/events", data=body, headers=sent) as response:
            await response.read()
            if response.status == 200 and response.content_type == "application/json":  # Slack reads it
                self.fake.violations += slack_spec.check_ack(await response.json())
            return response

    async def form(self, fields: dict[str, str], **kwargs: Any) -> aiohttp.ClientResponse:
        return await self.send(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    async def slash(
        self,
        user: str,
        text: str,
        *,
        channel: str = CHANNEL,
        trigger: str | None = None,
        team: str | None = None,
    ) -> dict[str, Any]:
        """Type `/jembatan text` (in another workspace with `team`); returns what reached the
        command's response_url (or {})."""
        trigger = trigger or self.next_id("trig-")
        name = self.next_id("cmd-")
        fields = {
            "token": "legacy",
            "team_id": team or self.team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "pairs",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/jembatan",
            "text": text,
            "api_app_id": "A0JEMBATAN",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(name),
            "trigger_id": trigger,
        }
        response = await self.form(fields)
        assert response.status == 200, response.status
        answers = [r for r in self.fake.responses if r["_url"] == name]
        return answers[-1] if answers else {}

    async def interaction(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        return await self.form({"payload": json.dumps(payload)})

    def block_actions(self, user: str, action_id: str, channel: str, ts: str, **extra: Any) -> dict[str, Any]:
        message = self.fake.messages[(channel, ts)]
        return {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team},
            "api_app_id": "A0JEMBATAN",
            "team": {"id": self.team, "domain": "acme"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": extra.pop("trigger", None) or self.next_id("trig-"),
            "channel": {"id": channel},
            "message": {"type": "message", "ts": ts, "text": message.text, "blocks": message.blocks},
            "response_url": self.fake.response_url(extra.pop("respond", "click")),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "jb-actions",
                    "type": "button",
                    "value": action_id,
                    "action_ts": "1700000000.1",
                }
            ],
            **extra,
        }

    async def click(
        self, user: str, action_id: str, channel: str, ts: str, **extra: Any
    ) -> aiohttp.ClientResponse:
        return await self.interaction(self.block_actions(user, action_id, channel, ts, **extra))

    async def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        event_time: int | None = None,
        **headers: str,
    ) -> aiohttp.ClientResponse:
        body = {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A0JEMBATAN",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.next_id("Ev"),
            "event_time": int(time.time()) if event_time is None else event_time,
        }
        return await self.send(json.dumps(body).encode(), "application/json", headers)

    async def deliver(self) -> None:
        await self.slack.jembatan.relay.drain()

    async def join_everyone(self, people: dict[str, str]) -> None:
        for user, division in people.items():
            self.fake.add_user(user, user.title())
            await self.slash(user, f"join {division}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    fake.add_user(ADMIN, "Admin", admin=True)
    yield fake
    await fake.close_sockets()
    await server.close()


@pytest.fixture
def slack_settings(fake: FakeSlack, tmp_path: Path, sqlite_template: Path) -> Settings:
    path = tmp_path / "slack.db"
    shutil.copy(sqlite_template, path)
    return Settings(
        database_url=f"sqlite:///{path}",
        slack_bot_token=fake.bot_token,
        slack_signing_secret=SECRET,
        slack_app_token=fake.app_token,
        slack_api_url=fake.base_url + "/api/",
    )


@pytest.fixture
async def harness(fake: FakeSlack, slack_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    slack = assemble(slack_settings, clock=clock, process_before_response=True)
    server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield Harness(fake, slack, str(server.make_url("")).rstrip("/"), http, clock)
    await server.close()
    await slack.close()


@pytest.fixture
async def program(harness: Harness) -> Harness:
    """A weekly program in #pairs, set up by a workspace admin."""
    answer = await harness.slash(ADMIN, "setup weekly monday 09:00 tz=Asia/Jakarta")
    assert "set up" in answer["text"], answer
    return harness
