"""Socket Mode: the same app, reached over a WebSocket the SDK opens to the fake Slack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.health import Probes
from adapters.slack.main import socket_mode_handler
from bot.domain.model import Platform
from tests.adapters.slack.conftest import ADMIN, CHANNEL, Harness


@pytest.fixture
async def socket(harness: Harness) -> AsyncIterator[Harness]:
    handler = socket_mode_handler(harness.slack.bolt, harness.fake.app_token)  # as `run slack` makes it
    await handler.connect_async()
    await harness.fake.connected()
    yield harness
    await handler.close_async()


def slash_payload(h: Harness, user: str, text: str, name: str) -> dict[str, str]:
    return {
        "team_id": h.team,
        "channel_id": CHANNEL,
        "user_id": user,
        "command": "/jembatan",
        "text": text,
        "api_app_id": "A0JEMBATAN",
        "is_enterprise_install": "false",
        "trigger_id": h.next_id("trig-"),
        "response_url": h.fake.response_url(name),
    }


async def test_slash_commands_interactions_and_events_arrive_over_the_socket(socket: Harness) -> None:
    h = socket
    assert h.fake.called("apps.connections.open")[0].token == h.fake.app_token
    ack = await h.fake.envelope(
        "slash_commands", slash_payload(h, ADMIN, "setup weekly monday 09:00", "s1"), "E1"
    )
    assert ack == {"envelope_id": "E1"}
    assert "set up in <#C0PAIRS>" in next(r["text"] for r in h.fake.responses if r["_url"] == "s1")
    for i, division in enumerate(["Finance", "Sales"]):
        h.fake.add_user(f"U{i}")
        await h.fake.envelope(
            "slash_commands", slash_payload(h, f"U{i}", f"join {division}", f"j{i}"), f"J{i}"
        )
    await h.fake.envelope("slash_commands", slash_payload(h, ADMIN, "round now", "r"), "R1")
    await h.deliver()
    [(channel, ts)] = [k for k in h.fake.messages if k[0].startswith("G")]
    click = h.block_actions("U0", "jb:meetup:1:met", channel, ts)
    assert (await h.fake.envelope("interactive", click, "I1")) == {"envelope_id": "I1"}
    assert h.fake.called("chat.update")
    event = {
        "team_id": h.team,
        "api_app_id": "A0JEMBATAN",
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {"type": "app_home_opened", "user": "U0", "channel": "D0", "tab": "home", "event_ts": "1"},
    }
    await h.fake.envelope("events_api", event, "V1")
    assert h.fake.called("views.publish")[-1].args["user_id"] == "U0"


async def test_a_malformed_removal_over_the_socket_erases_nothing(
    socket: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = socket
    await h.fake.envelope("slash_commands", slash_payload(h, ADMIN, "setup weekly monday 09:00", "s1"), "E1")
    caplog.set_level("INFO")
    event = {
        "team_id": h.team,
        "api_app_id": "A0JEMBATAN",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1700000000,
        # tokens.bot is a list of bot user ids; a string here erased the workspace.
        "event": {"type": "tokens_revoked", "tokens": {"bot": "UBOT"}},
    }
    assert await h.fake.envelope("events_api", event, "V1") == {"envelope_id": "V1"}  # not sent again
    assert "Traceback" not in caplog.text
    assert "refused a Slack request: socket bad_bot" in caplog.text
    answer = await h.fake.envelope("slash_commands", slash_payload(h, ADMIN, "status", "s2"), "E2")
    assert answer == {"envelope_id": "E2"}
    async with h.slack.jembatan.store.unit() as uow:
        assert await uow.tenants.on_platform(Platform.SLACK)  # the workspace is still there


async def slack_acks_on_metrics() -> float:
    """jembatan_ack_seconds_count{platform="slack"}, read from /metrics as Prometheus would."""

    async def yes() -> bool:
        return True

    app = web.Application()
    app.add_routes(Probes(yes, yes).routes())
    async with TestClient(TestServer(app)) as client:
        body = await (await client.get("/metrics")).text()
    line = next(x for x in body.splitlines() if x.startswith('jembatan_ack_seconds_count{platform="slack"}'))
    return float(line.split()[-1])


async def test_socket_mode_acknowledgements_are_timed_on_metrics(socket: Harness) -> None:
    h = socket
    await h.fake.envelope("slash_commands", slash_payload(h, ADMIN, "setup weekly monday 09:00", "s1"), "E1")
    before = await slack_acks_on_metrics()
    for i in range(3):
        ack = await h.fake.envelope("slash_commands", slash_payload(h, ADMIN, "status", f"st{i}"), f"S{i}")
        assert ack == {"envelope_id": f"S{i}"}
    # The ack can reach the fake a moment before the handler records it: poll briefly.
    for _ in range(500):
        if await slack_acks_on_metrics() >= before + 3:
            break
        await asyncio.sleep(0.01)
    assert await slack_acks_on_metrics() == before + 3
