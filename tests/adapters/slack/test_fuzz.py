"""Malformed requests at `/slack/events`, unsigned and signed, through the real aiohttp server and
Bolt app: never a 5xx, never a traceback, one short log line per refusal (rate-limited), and
nothing changed that a refused request names. Erasing a workspace takes a well-formed uninstall.

Runs on SQLite and, with JEMBATAN_TEST_POSTGRES set, on PostgreSQL too: NUL bytes and 64-bit ids
are refused by PostgreSQL's columns, not SQLite's, so that is where they used to turn into 500s.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from adapters.slack.inbound import RefusalLog
from bot.settings import Settings
from bot.store.tables import metadata
from tests.adapters.slack.conftest import ADMIN, CHANNEL, Harness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.conftest import _truncate as truncate

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MEMBER, OTHER = "U0MEMBER", "U0OTHER"


@pytest.fixture(params=["sqlite", "postgres"])
def slack_settings(
    request: pytest.FixtureRequest, fake: FakeSlack, tmp_path: Path, sqlite_template: Path
) -> Settings:
    """The harness on both databases (conftest's own fixture is SQLite only)."""
    if request.param == "postgres":
        if not os.environ.get("JEMBATAN_TEST_POSTGRES"):
            pytest.skip("JEMBATAN_TEST_POSTGRES is not set")
        url: str = request.getfixturevalue("postgres_url")
        truncate(url)
    else:
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
        (tmp_path / "fuzz.db").write_bytes(sqlite_template.read_bytes())
    return Settings(
        database_url=url,
        slack_bot_token=fake.bot_token,
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
        slack_app_token=fake.app_token,
        slack_api_url=fake.base_url + "/api/",
    )


async def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: what a refused request must leave as it found it."""
    async with h.slack.jembatan.store.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in await conn.execute(select(table)))
            for table in metadata.sorted_tables
        }


@pytest.fixture
async def world(program: Harness) -> Harness:
    """A program with two members in one group (MEMBER and ADMIN), a delivered intro, and
    OTHER, who is in the workspace but not in the group."""
    h = program
    for user in (MEMBER, OTHER):
        h.fake.add_user(user, user.title())
    await h.slash(MEMBER, "join Finance")
    await h.slash(ADMIN, "join Legal")
    answer = await h.slash(ADMIN, "round now")
    assert answer, answer
    await h.deliver()
    return h


def group_button(h: Harness) -> tuple[str, str, str]:
    """The "we met" button of the intro: its action id, channel and ts."""
    for (channel, ts), message in h.fake.messages.items():
        for block in message.blocks:
            for element in block.get("elements", []):
                if str(element.get("action_id", "")).startswith("jb:meetup:"):
                    return str(element["action_id"]), channel, ts
    raise AssertionError("no intro with buttons was posted")


def slash_fields(h: Harness, text: str = "status", user: str = MEMBER) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": h.team,
        "team_domain": "acme",
        "channel_id": CHANNEL,
        "channel_name": "pairs",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/jembatan",
        "text": text,
        "api_app_id": "A0JEMBATAN",
        "is_enterprise_install": "false",
        "response_url": h.fake.response_url("fuzz"),
        "trigger_id": h.next_id("trig-"),
    }


def view_submission(h: Harness, user: str = MEMBER, **values: str) -> dict[str, Any]:
    state = {
        block: {"value": {"type": "plain_text_input", "value": value}} for block, value in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": h.team, "domain": "acme"},
        "user": {"id": user, "team_id": h.team},
        "api_app_id": "A0JEMBATAN",
        "trigger_id": h.next_id("trig-"),
        "view": {
            "id": "V0VIEW",
            "type": "modal",
            "callback_id": "jb:profile",
            "private_metadata": "home",
            "state": {"values": state},
        },
    }


def event_body(h: Harness, event: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": h.team,
        "api_app_id": "A0JEMBATAN",
        "event": event,
        "type": "event_callback",
        "event_id": h.next_id("Ev"),
        "event_time": int(time.time()),
        **top,
    }


def form(fields: dict[str, Any]) -> tuple[bytes, str]:
    return urlencode(fields).encode(), FORM


def interaction(payload: Any) -> tuple[bytes, str]:
    return form({"payload": json.dumps(payload)})


def as_json(body: Any) -> tuple[bytes, str]:
    return json.dumps(body).encode(), JSON


def changed(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy with the value at a dotted path replaced (or removed, for `DELETE`)."""
    copied = copy.deepcopy(payload)
    *parents, last = path.split(".")
    node: Any = copied
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key: int | str = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return copied


DELETE = object()
Case = Callable[[Harness], tuple[bytes, str]]


def click(h: Harness, user: str = MEMBER, **changes: Any) -> dict[str, Any]:
    action_id, channel, ts = group_button(h)
    payload = h.block_actions(user, action_id, channel, ts)
    for path, value in changes.items():
        payload = changed(payload, path.replace("__", "."), value)
    return payload


# Signed requests that must be refused (or change nothing): every kind the attack found, and more.
SIGNED: dict[str, Case] = {
    # Bodies that are not what Slack sends.
    "invalid UTF-8": lambda h: (b"text=\xff\xfe&command=%2Fjembatan", FORM),
    "invalid UTF-8 JSON": lambda h: (b'{"type": "event_callback", "x": "\xc3\x28"}', JSON),
    "JSON array": lambda h: as_json([1, 2, 3]),
    "JSON string": lambda h: as_json("event_callback"),
    "JSON number": lambda h: as_json(1e20),
    "JSON null": lambda h: as_json(None),
    "JSON NaN": lambda h: (b'{"type": "event_callback", "event_time": NaN}', JSON),
    "JSON nested 20,000 deep": lambda h: (b"[" * 20000 + b"]" * 20000, JSON),
    "JSON 5,000-digit number": lambda h: (b'{"event_time": ' + b"9" * 5000 + b"}", JSON),
    "payload that is an array": lambda h: interaction([{"type": "block_actions"}]),
    "payload that is a string": lambda h: interaction("block_actions"),
    "payload that is not JSON": lambda h: form({"payload": "{not json"}),
    "payload with a lone surrogate": lambda h: form(
        {"payload": '{"type": "block_actions", "user": "\\ud800"}'}
    ),
    # Slash commands missing what every slash command carries, or carrying the wrong types.
    "slash without user_id": lambda h: form(changed(slash_fields(h), "user_id", DELETE)),
    "slash without trigger_id": lambda h: form(changed(slash_fields(h), "trigger_id", DELETE)),
    "profile without trigger_id": lambda h: form(changed(slash_fields(h, "profile"), "trigger_id", DELETE)),
    "slash without team": lambda h: form(changed(slash_fields(h), "team_id", DELETE)),
    "slash with NUL in the text": lambda h: form(slash_fields(h, "division Fin\x00ance")),
    "slash with NUL in the user id": lambda h: form(slash_fields(h, "join Legal", user="U0NUL\x00")),
    "slash with NUL in the trigger id": lambda h: form(
        changed(slash_fields(h, "join Legal", user=OTHER), "trigger_id", "trig\x00x")
    ),
    "slash with NUL in the channel": lambda h: form(
        changed(slash_fields(h, "setup weekly monday 09:00", user=ADMIN), "channel_id", "C0\x00NEW")
    ),
    "slash with a 4,000-character user id": lambda h: form(slash_fields(h, "join Legal", user="U" * 4000)),
    "pause with Arabic-Indic digits": lambda h: form(slash_fields(h, "pause ٣")),
    "pause with a fullwidth digit": lambda h: form(slash_fields(h, "pause ３")),
    "pause with an underscore": lambda h: form(slash_fields(h, "pause 1_0")),
    # Button clicks.
    "click without user": lambda h: interaction(changed(click(h), "user", DELETE)),
    "click with user as a string": lambda h: interaction(changed(click(h), "user", MEMBER)),
    "click with a numeric user id": lambda h: interaction(changed(click(h), "user.id", 12345)),
    "click without trigger_id": lambda h: interaction(changed(click(h), "trigger_id", DELETE)),
    "click whose actions is not a list": lambda h: interaction(
        changed(click(h), "actions", click(h)["actions"][0])
    ),
    "click whose actions is empty": lambda h: interaction(changed(click(h), "actions", [])),
    "click whose action is a string": lambda h: interaction(
        changed(click(h), "actions", ["jb:meetup:1:met"])
    ),
    "click with a garbage value": lambda h: interaction(changed(click(h), "actions.0.value", "garbage")),
    "click on another group's value": lambda h: interaction(
        changed(click(h), "actions.0.value", "jb:meetup:999:met")
    ),
    "click by someone outside the group": lambda h: interaction(click(h, OTHER)),
    "click on this group's button from another workspace": lambda h: interaction(
        changed(changed(click(h), "team", {"id": "T0OTHER"}), "user.team_id", "T0OTHER")
    ),
    "click with an 18-digit group id": lambda h: interaction(
        changed(
            changed(click(h), "actions.0.action_id", "jb:meetup:999999999999999999:met"),
            "actions.0.value",
            "jb:meetup:999999999999999999:met",
        )
    ),
    "click with Arabic-Indic group id": lambda h: interaction(
        changed(
            changed(click(h), "actions.0.action_id", "jb:meetup:١:met"), "actions.0.value", "jb:meetup:١:met"
        )
    ),
    "click whose message blocks are strings": lambda h: interaction(
        changed(click(h), "message.blocks", ["x"])
    ),
    "click whose container is a list": lambda h: interaction(changed(click(h), "container", [])),
    "click with team as a number": lambda h: interaction(changed(click(h), "team", 7)),
    "click with NUL in the trigger id": lambda h: interaction(changed(click(h), "trigger_id", "t\x00")),
    "division select without its option": lambda h: interaction(
        changed(changed(click(h), "actions.0.action_id", "jb:division"), "actions.0.selected_option", "Legal")
    ),
    # Modals.
    "view_submission without view.type": lambda h: interaction(
        changed(view_submission(h, timezone="Asia/Tokyo"), "view.type", DELETE)
    ),
    "view_submission without view": lambda h: interaction(changed(view_submission(h), "view", DELETE)),
    "view_submission whose view is a string": lambda h: interaction(changed(view_submission(h), "view", "v")),
    "view_submission whose state is a list": lambda h: interaction(
        changed(view_submission(h, timezone="Asia/Tokyo"), "view.state", [])
    ),
    "view_submission whose values are strings": lambda h: interaction(
        changed(view_submission(h, timezone="Asia/Tokyo"), "view.state.values.timezone", "Asia/Tokyo")
    ),
    "view_submission with a numeric value": lambda h: interaction(
        changed(view_submission(h, timezone="Asia/Tokyo"), "view.state.values.timezone.value.value", 7)
    ),
    "view_submission without user": lambda h: interaction(
        changed(view_submission(h, timezone="Asia/Tokyo"), "user", DELETE)
    ),
    "view_submission with NUL in a value": lambda h: interaction(view_submission(h, interests="jazz\x00")),
    "options request with a numeric value": lambda h: interaction(
        {
            "type": "block_suggestion",
            "user": {"id": MEMBER, "team_id": h.team},
            "team": {"id": h.team},
            "action_id": "jb:division",
            "block_id": "b",
            "value": 12,
            "api_app_id": "A0JEMBATAN",
        }
    ),
    # Events.
    "event that is a string": lambda h: as_json(event_body(h, "app_home_opened")),  # type: ignore[arg-type]
    "event without a type": lambda h: as_json(event_body(h, {"user": MEMBER})),
    "app_home_opened without user": lambda h: as_json(
        event_body(h, {"type": "app_home_opened", "tab": "home"})
    ),
    "app_home_opened with NUL in the event id": lambda h: as_json(
        event_body(h, {"type": "app_home_opened", "user": MEMBER, "tab": "home"}, event_id="Ev\x00")
    ),
    "uninstall at 1e20": lambda h: as_json(event_body(h, {"type": "app_uninstalled"}, event_time=1e20)),
    "uninstall at a 30-digit time": lambda h: as_json(
        event_body(h, {"type": "app_uninstalled"}, event_time=10**30)
    ),
    "uninstall with a string time": lambda h: as_json(
        event_body(h, {"type": "app_uninstalled"}, event_time="now")
    ),
    "uninstall of a team given as a number": lambda h: as_json(
        event_body(h, {"type": "app_uninstalled"}, team_id=12345)
    ),
    "tokens_revoked whose bot is a string": lambda h: as_json(
        event_body(h, {"type": "tokens_revoked", "tokens": {"bot": "UBOT"}})
    ),
    "tokens_revoked whose bot is a dict": lambda h: as_json(
        event_body(h, {"type": "tokens_revoked", "tokens": {"bot": {"id": "UBOT"}}})
    ),
    "tokens_revoked whose tokens is a list": lambda h: as_json(
        event_body(h, {"type": "tokens_revoked", "tokens": ["UBOT"]})
    ),
    "tokens_revoked of user tokens only": lambda h: as_json(
        event_body(h, {"type": "tokens_revoked", "tokens": {"oauth": ["U0MEMBER"], "bot": []}})
    ),
}


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, (record.name, record.getMessage())
        assert record.levelno < logging.ERROR, (record.name, record.getMessage())
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("case", list(SIGNED))
async def test_a_signed_malformed_request_is_refused_and_changes_nothing(
    world: Harness, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    h = world
    body, content_type = SIGNED[case](h)
    before = await snapshot(h)
    caplog.clear()
    caplog.set_level(logging.INFO)
    response = await h.send(body, content_type)
    assert response.status < 500, (case, response.status)
    no_tracebacks(caplog)
    assert await snapshot(h) == before, case


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "adapters.slack.inbound"]


async def test_one_refusal_is_one_short_log_line(world: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = world
    caplog.set_level(logging.INFO)
    # Signed, but the click's value is not the button's: the attack's "garbage value".
    response = await h.send(*SIGNED["click with a garbage value"](h))
    assert response.status == 400
    (line,) = refusal_lines(caplog)
    assert line.getMessage() == "refused a Slack request: 400 bad_value"
    assert line.exc_info is None
    assert "garbage" not in caplog.text  # what the request said stays out of the log


async def test_a_flood_of_refusals_logs_a_bounded_number_of_lines(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    caplog.set_level(logging.INFO)
    stamp = str(int(time.time()))
    for i in range(300):
        # Unsigned, not UTF-8, fresh timestamp, a signature of the right shape: the 68 MB log.
        body = b"\xff\xfe" + i.to_bytes(4, "big")
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + f"{i:064x}"}
        response = await h.send(body, FORM, headers, signed=False)
        assert response.status == 401
    no_tracebacks(caplog)
    assert len(refusal_lines(caplog)) == 20  # the burst; the rest are counted, and said at the next window
    # Nothing else was logged either (bar the test server's access log, off in `run slack`).
    assert [r for r in caplog.records if r.name != "aiohttp.access"] == refusal_lines(caplog)


# Values that are the wrong type, huge, or not storable, for the mutation fuzz.
NASTY: list[Any] = [
    None,
    True,
    0,
    -1,
    1e20,
    10**30,
    2**31,
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "x" * 5000,
    "٣",
    "<!channel>",
    "payload",
    [],
    {},
    [1],
    ["x"],
    {"a": 1},
    {"id": 7},
]


def paths(node: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        path = f"{prefix}{key}"
        found.append(path)
        found += paths(value, path + ".")
    return found


def templates(h: Harness) -> dict[str, tuple[dict[str, Any], Callable[[Any], tuple[bytes, str]]]]:
    """Requests the core refuses or ignores when well-formed, so that no mutation of them may
    change anything either (bar the record of a delivery id, when a mutation turns the
    command into `help`)."""
    return {
        "slash": (slash_fields(h, "round now"), form),  # a member asking for an admin's command
        "click": (click(h, OTHER), interaction),  # someone outside the group
        "modal": (view_submission(h, timezone="Mars/Olympus", interests="x" * 40), interaction),
        "home": (event_body(h, {"type": "app_home_opened", "user": MEMBER, "tab": "messages"}), as_json),
        "uninstall": (event_body(h, {"type": "app_uninstalled"}, team_id="T0OTHER"), as_json),
        "revoked": (
            event_body(h, {"type": "tokens_revoked", "tokens": {"oauth": [MEMBER], "bot": []}}),
            as_json,
        ),
    }


async def test_fuzzed_signed_requests_never_fail_and_never_erase(
    world: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = world
    rng = random.Random(20261201)
    caplog.set_level(logging.INFO)
    before = await snapshot(h)
    del before["inbound_deliveries"]
    statuses: dict[int, int] = {}
    sent = 0
    for name, (payload, encode) in templates(h).items():
        for _ in range(60):
            mutated = payload
            for _ in range(rng.randint(1, 3)):
                path = rng.choice(paths(mutated))
                value = rng.choice([DELETE, *NASTY])
                if encode is form and value is not DELETE:
                    # A form's values are strings, of bytes: a surrogate cannot be sent in one.
                    value = str(value).encode("utf-8", "replace").decode()
                mutated = changed(mutated, path, value)
            response = await h.send(*encode(mutated))
            statuses[response.status] = statuses.get(response.status, 0) + 1
            sent += 1
            assert response.status < 500, (name, mutated)
    no_tracebacks(caplog)
    after = await snapshot(h)
    del after["inbound_deliveries"]
    assert after == before
    assert sent == 360 and statuses.get(400, 0) > 100, statuses


async def test_fuzzed_unsigned_requests_are_refused_without_a_trace(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    rng = random.Random(20261202)
    caplog.set_level(logging.INFO)
    before = await snapshot(h)
    for _ in range(200):
        body = rng.randbytes(rng.randint(0, 2000))
        stamp = str(int(time.time()) + rng.randint(-200, 200))
        signature = "v0=" + rng.randbytes(32).hex()
        content_type = rng.choice([FORM, JSON, "text/plain", ""])
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
        response = await h.send(body, content_type, headers, signed=False)
        assert response.status == 401
    no_tracebacks(caplog)
    assert await snapshot(h) == before


def test_refusals_past_the_burst_are_counted_in_one_line_when_the_window_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    refusals = RefusalLog(burst=3, window=60.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    for _ in range(1000):
        refusals(401, "invalid_signature")
    now[0] = 61.0
    refusals(400, "bad_value")
    assert [r.getMessage() for r in caplog.records] == [
        "refused a Slack request: 401 invalid_signature",
        "refused a Slack request: 401 invalid_signature",
        "refused a Slack request: 401 invalid_signature",
        "997 more refused Slack requests were not logged",
        "refused a Slack request: 400 bad_value",
    ]
