"""The shape check before Bolt, on its own: whatever the bytes, a body or a Refused, never a crash."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import inbound

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
# Keys the listeners read, so that generated bodies go down every branch of the check.
KEYS = st.sampled_from(
    [
        "type",
        "command",
        "text",
        "user",
        "user_id",
        "team",
        "team_id",
        "trigger_id",
        "actions",
        "view",
        "event",
        "event_id",
        "event_time",
        "container",
        "message",
        "tokens",
        "value",
        "action_id",
    ]
)
TYPES = st.sampled_from(["block_actions", "view_submission", "block_suggestion", "event_callback", "x"])
bodies = st.dictionaries(KEYS, json_values | TYPES, max_size=8)


def outcome(raw: bytes, content_type: str) -> dict[str, Any] | str:
    try:
        return inbound.parse(raw, content_type)
    except inbound.Refused as refused:
        return refused.reason


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from([FORM, JSON, "", "text/plain"]))
def test_any_bytes_are_a_body_or_a_refusal(raw: bytes, content_type: str) -> None:
    outcome(raw, content_type)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.booleans())
def test_any_json_object_is_a_body_or_a_refusal(body: dict[str, Any], as_form: bool) -> None:
    text = json.dumps(body)
    raw = urlencode({"payload": text}).encode() if as_form else text.encode()
    outcome(raw, FORM if as_form else JSON)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("shoutout <@U2|budi> thanks for the payload fix", "command"),
        ("setup shoutouts=<#C0PAYLOAD|payload-team>", "command"),
        ("payload={}", "command"),
    ],
)
def test_a_slash_command_that_says_payload_is_a_slash_command(text: str, kind: str) -> None:
    fields = {"command": "/jembatan", "text": text, "team_id": "T1", "user_id": "U1", "trigger_id": "t.1"}
    body = inbound.parse(urlencode(fields).encode(), FORM)
    assert body[kind] == "/jembatan" and body["text"] == text
