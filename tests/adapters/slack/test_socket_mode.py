"""Socket Mode: the same app, reached over a WebSocket the SDK opens to the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.domain.model import Platform
from tests.adapters.slack.conftest import ADMIN, CHANNEL, Harness


@pytest.fixture
async def socket(harness: Harness) -> AsyncIterator[Harness]:
    handler = AsyncSocketModeHandler(
        harness.slack.bolt, harness.fake.app_token, web_client=harness.slack.bolt.client
    )
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
