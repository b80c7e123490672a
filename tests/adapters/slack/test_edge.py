"""The HTTP edge: signatures, stale and replayed requests, oversized bodies, fuzzed headers."""

from __future__ import annotations

import json
import random
import string
import time
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.conftest import ADMIN, SECRET, Harness, sign

SLASH = urlencode(
    {
        "team_id": "T0ACME",
        "user_id": "U1",
        "channel_id": "C0PAIRS",
        "command": "/jembatan",
        "text": "help",
        "trigger_id": "t1",
    }
).encode()
FORM = "application/x-www-form-urlencoded"


def headers(stamp: str, signature: str) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


async def test_a_signed_request_is_answered(harness: Harness) -> None:
    assert (await harness.send(SLASH, FORM)).status == 200


async def test_an_unreachable_response_url_loses_only_the_answer(harness: Harness) -> None:
    body = SLASH + b"&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fgone"
    assert (await harness.send(body, FORM)).status == 200


@pytest.mark.parametrize(
    ("case", "stamp", "signature"),
    [
        ("no headers", None, None),
        ("wrong secret", "now", sign(SLASH, str(int(time.time())), "not-the-secret")),
        ("signature for another body", "now", sign(b"other", str(int(time.time())))),
        ("stale by six minutes", "now-360", "sign"),
        ("from the future", "now+360", "sign"),
        ("non-numeric timestamp", "12abc", "sign"),
        ("5,000-digit timestamp", "9" * 5000, "sign"),
        ("13-digit timestamp", "1" * 13, "sign"),
        ("negative timestamp", "-1", "sign"),
        ("Arabic-Indic digits", "١٧٠٠٠٠٠٠٠٠", "sign"),
        ("v1 signature", "now", "v1=" + "a" * 64),
        ("short signature", "now", "v0=abc"),
        ("uppercase hex", "now", "v0=" + "A" * 64),
        ("non-ASCII signature", "now", "v0=" + "é" * 64),
        ("empty signature", "now", ""),
    ],
)
async def test_bad_signatures_are_refused_with_401(
    harness: Harness, case: str, stamp: str | None, signature: str | None
) -> None:
    if stamp is None:
        response = await harness.send(SLASH, FORM, signed=False)
    else:
        # Relative to when the test runs, not when it was collected: a long suite would
        # otherwise bring "six minutes ahead" back inside the five-minute window.
        offsets = {"now": 0, "now-360": -360, "now+360": 360}
        stamp = str(int(time.time()) + offsets[stamp]) if stamp in offsets else stamp
        signature = sign(SLASH, stamp) if signature == "sign" else signature
        assert signature is not None
        response = await harness.send(SLASH, FORM, headers(stamp, signature), signed=False)
    assert response.status == 401, case
    assert not harness.fake.responses


async def test_fuzzed_headers_never_cause_a_server_error(harness: Harness) -> None:
    rng = random.Random(20261127)
    alphabet = string.printable + "é漢\u200b\x00"
    now = str(int(time.time()))
    statuses = set()
    for _ in range(150):
        stamp = rng.choice(
            [now, "".join(rng.choices(alphabet, k=rng.randint(0, 40))), str(rng.getrandbits(64))]
        )
        signature = rng.choice(
            [
                "v0=" + "".join(rng.choices("0123456789abcdef", k=rng.randint(0, 80))),
                "".join(rng.choices(alphabet, k=rng.randint(0, 90))),
                sign(SLASH, now),
            ]
        )
        # What a client can put on the wire: UTF-8 bytes seen as Latin-1, no control characters.
        safe_headers = {
            k: "".join(ch for ch in v.encode("utf-8").decode("latin-1") if ch.isprintable())
            for k, v in headers(stamp, signature).items()
        }
        response = await harness.send(SLASH, FORM, safe_headers, signed=False)
        statuses.add(response.status)
        assert response.status < 500, (stamp, signature)
    assert statuses <= {200, 401}


async def test_bodies_over_64_kib_are_refused_with_413_before_any_hashing(harness: Harness) -> None:
    body = b"text=" + b"a" * (64 * 1024)
    stamp = str(int(time.time()))
    assert (await harness.send(body, FORM, headers(stamp, sign(body, stamp)), signed=False)).status == 413

    # Without a Content-Length (chunked), the limit holds as the body is read.
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"a" * 8192

    async with harness.http.post(
        harness.url + "/slack/events",
        data=chunks(),
        headers={"Content-Type": FORM} | headers(stamp, "v0=" + "0" * 64),
    ) as response:
        assert response.status == 413


async def test_a_signed_but_malformed_payload_is_a_client_error(harness: Harness) -> None:
    body = b"payload=%7Bnot-json"
    assert (await harness.send(body, FORM)).status == 400


async def test_healthz_answers(harness: Harness) -> None:
    async with harness.http.get(harness.url + "/healthz") as response:
        assert response.status == 200
        assert (await response.json()) == {"ok": True}


async def test_a_retried_event_acts_once(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    await h.slash("U1", "join Finance")
    event = {"type": "app_home_opened", "user": "U1", "channel": "D0U1", "tab": "home", "event_ts": "1.0"}
    first = await h.event(event, "Ev0SAME")
    retry = await h.event(
        event, "Ev0SAME", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert first.status == retry.status == 200
    assert len(h.fake.called("views.publish")) == 1
    # Opening Home again is a new event, with an id of its own: shown again.
    await h.event(event, "Ev0NEXT")
    assert len(h.fake.called("views.publish")) == 2


async def test_url_verification_is_answered_for_the_events_api(harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    stamp = str(int(time.time()))
    async with harness.http.post(
        harness.url + "/slack/events",
        data=body,
        headers={"Content-Type": "application/json"} | headers(stamp, sign(body, stamp, SECRET)),
    ) as response:
        assert response.status == 200
        assert (await response.json())["challenge"] == "abc123"


async def test_logs_hold_no_tokens_secrets_or_words_people_wrote(
    program: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = program
    caplog.set_level("DEBUG", logger="adapters")
    caplog.set_level("INFO")
    h.fake.add_user("U1")
    await h.slash("U1", "join Finance")
    await h.slash(ADMIN, "shoutout <@U1|a> rescued the quarterly close")
    h.fake.fail("chat.postMessage", status=429, times=2)
    await h.deliver()
    await h.interaction(
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "team": {"id": h.team},
            "actions": [{"action_id": "someone-elses:button", "value": "private words"}],
            "trigger_id": "t-x",
            "api_app_id": "A0JEMBATAN",
        }
    )
    logged = caplog.text
    assert logged  # something was logged, and none of it is private
    for private in (h.fake.bot_token, SECRET, "rescued the quarterly close", "private words"):
        assert private not in logged
