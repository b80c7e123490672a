"""The Slack validator catches what Slack would refuse, and passes what it takes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.specs import slack_spec


def problems(method: str, args: dict[str, Any], *, from_json: bool = False) -> list[str]:
    found = slack_spec.check_call(method, args, token_in_header=True, from_json=from_json)
    return [f"{v.where}: {v.problem}" for v in found]


def section(text: str = "hello") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label: str = "We met", value: str = "met", action_id: str = "jb:met") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }


def test_a_message_slack_takes_passes_as_a_form_and_as_json() -> None:
    blocks = [section(), {"type": "actions", "elements": [button()]}]
    assert problems("chat.postMessage", {"channel": "C1", "text": "hi", "blocks": json.dumps(blocks)}) == []
    body = {"channel": "C1", "text": "hi", "blocks": blocks, "unfurl_links": False, "team_id": "T1"}
    assert problems("chat.postMessage", body, from_json=True) == []


def test_51_blocks_in_a_message_are_refused_but_a_home_tab_takes_100() -> None:
    assert problems("chat.postMessage", {"channel": "C1", "blocks": json.dumps([section()] * 51)}) == [
        "blocks: 51 items; at most 50"
    ]
    home = {"type": "home", "blocks": [section()] * 100}
    assert problems("views.publish", {"user_id": "U1", "view": json.dumps(home)}) == []
    home["blocks"] = [section()] * 101
    assert problems("views.publish", {"user_id": "U1", "view": json.dumps(home)}) == [
        "view.blocks: 101 items; at most 100"
    ]


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (button(label="x" * 76), "blocks[0].elements[0].text.text: 76 characters; at most 75"),
        (button(value="v" * 2001), "blocks[0].elements[0].value: 2001 characters; at most 2000"),
        (button(action_id="a" * 256), "blocks[0].elements[0].action_id: 256 characters; at most 255"),
        (
            {
                "type": "static_select",
                "action_id": "s",
                "options": [{"text": {"type": "plain_text", "text": "Legal"}, "value": "é" * 151}],
            },
            "blocks[0].elements[0].options[0].value: 151 characters; at most 150",
        ),
    ],
)
def test_element_limits(element: dict[str, Any], expected: str) -> None:
    blocks = [{"type": "actions", "elements": [element]}]
    assert problems("chat.postMessage", {"channel": "C1", "blocks": json.dumps(blocks)}) == [expected]


def test_text_is_counted_so_that_it_fits_code_points_and_utf16_units() -> None:
    # 75 emoji are 75 code points but 150 UTF-16 units: the platforms do not say which they count.
    blocks = [{"type": "actions", "elements": [button(label="🌉" * 75)]}]
    assert problems("chat.postMessage", {"channel": "C1", "blocks": json.dumps(blocks)}) == [
        "blocks[0].elements[0].text.text: 150 characters; at most 75"
    ]


def test_header_section_and_block_id_limits() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
        section("s" * 3001) | {"block_id": "b"},
        section() | {"block_id": "b"},
        {"type": "context", "elements": []},
    ]
    assert problems("chat.postMessage", {"channel": "C1", "text": "t", "blocks": json.dumps(blocks)}) == [
        "blocks[0].text.text: 151 characters; at most 150",
        "blocks[1].text.text: 3001 characters; at most 3000",
        "blocks[2].block_id: 'b' repeats; block ids are unique per message or view",
        "blocks[3].elements: 0 items; at least 1 needed",
    ]


def test_a_missing_required_argument_an_unknown_one_and_a_wrong_type() -> None:
    assert problems("chat.update", {"channel": "C1", "text": "hi"}) == ["ts: required argument missing"]
    assert problems("users.info", {"user": "U1", "color": "red"}) == ["color: not an argument of this method"]
    assert problems("users.list", {"limit": "lots"}) == ["limit: 'lots' is not an integer"]
    assert problems("chat.postMessage", {"channel": "C1"}) == [
        "text: a message needs text, blocks or attachments (Slack answers no_text)"
    ]
    assert problems("chat.postMessag", {}) == [": no such Web API method in Slack's spec"]


def test_json_arguments_must_parse() -> None:
    assert problems("chat.postMessage", {"channel": "C1", "blocks": "[{"}) == [
        "blocks: does not parse as JSON (Expecting property name enclosed in double quotes)"
    ]
    assert problems("chat.postMessage", {"channel": "C1", "blocks": json.dumps([{"text": "no type"}])}) == [
        "blocks[0]: 'type' is a required property",
        "blocks[0]: a block is an object with a `type`",
    ]


def test_conversations_open_takes_at_most_8_users() -> None:
    eight = ",".join(f"U{i}" for i in range(8))
    assert problems("conversations.open", {"users": eight}) == []
    assert problems("conversations.open", {"users": eight + ",U9"}) == [
        "users: 9 users; conversations.open takes at most 8"
    ]


def test_methods_newer_than_the_spec_are_described_by_hand() -> None:
    assert problems("files.getUploadURLExternal", {"filename": "a.png", "length": "12"}) == []
    assert problems("files.getUploadURLExternal", {"filename": "a.png"}) == [
        "length: required argument missing"
    ]
    files = json.dumps([{"id": "F1", "title": "Chart"}])
    assert problems("files.completeUploadExternal", {"files": files, "channel_id": "C1"}) == []
    assert problems("files.completeUploadExternal", {"files": json.dumps([{"title": "x"}])}) == [
        "files[0]: 'id' is a required property"
    ]
    assert problems("apps.connections.open", {}) == []
    metadata = {"event_type": "jembatan_round", "event_payload": {"round": 3}}
    assert (
        problems("chat.postMessage", {"channel": "C1", "text": "t", "metadata": json.dumps(metadata)}) == []
    )
    assert problems("chat.postMessage", {"channel": "C1", "text": "t", "metadata": "{}"}) == [
        "metadata: 'event_type' is a required property",
        "metadata: 'event_payload' is a required property",
    ]


def test_a_modal_title_and_what_the_app_answers_slack() -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}
    assert problems("views.open", {"trigger_id": "1", "view": json.dumps(modal)}) == [
        "view.title.text: 25 characters; at most 24"
    ]
    option = {"text": {"type": "plain_text", "text": "Legal"}, "value": "L" * 151}
    assert [str(v) for v in slack_spec.check_ack({"options": [option]})] == [
        "Slack ack · options[0].value: 151 characters; at most 150"
    ]
    assert [str(v) for v in slack_spec.check_response_url({"text": "hi", "colour": "red"})] == [
        "Slack response_url · colour: not a field a response_url takes"
    ]


def test_the_token_may_come_in_the_header_or_the_arguments_but_must_come() -> None:
    assert slack_spec.check_call("auth.test", {"token": "xoxb-1"}, token_in_header=False) == []
    [missing] = slack_spec.check_call("auth.test", {}, token_in_header=False)
    assert (missing.where, missing.problem) == ("token", "required argument missing")
