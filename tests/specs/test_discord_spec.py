"""The Discord validator catches what Discord would refuse, and passes what it takes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.specs import discord_spec

BOT = {"Authorization": "Bot MTE.fake.token"}
MESSAGES = "/channels/1200000000000000001/messages"
CALLBACK = "/interactions/1200000000000000002/token-abc/callback"
COMMANDS = "/applications/1100000000000000001/commands"


def problems(
    verb: str, path: str, body: Any = None, *, query: dict[str, str] | None = None, headers: Any = BOT
) -> list[str]:
    return [f"{v.where}: {v.problem}" for v in discord_spec.check(verb, path, query or {}, headers, body)]


def row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


def button(custom_id: str = "jb:met", label: str = "We met") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def test_a_message_discord_takes_passes_with_discord_py_s_numeric_ids() -> None:
    body = {
        "content": "Hello <@600000000000000001>",
        "tts": False,
        "nonce": "jb-1-abcdef",
        "enforce_nonce": True,
        "allowed_mentions": {"parse": [], "users": [600000000000000001], "replied_user": False},
        "embeds": [{"type": "rich", "description": "hi", "flags": 0, "color": 1}],
        "components": [row(button("a"), button("b"))],
    }
    assert problems("POST", MESSAGES, body) == []


def test_content_of_2001_characters_and_a_long_nonce() -> None:
    assert problems("POST", MESSAGES, {"content": "x" * 2001, "nonce": "n" * 26}) == [
        "body.nonce: 26 characters; at most 25"  # the spec's own limit, reported first
    ]
    assert problems("POST", MESSAGES, {"content": "x" * 2001}) == [
        "body.content: 2001 characters; at most 2000"
    ]


def test_an_unknown_route_a_wrong_verb_and_a_missing_token() -> None:
    assert problems("GET", "/channels/1/no-such-thing") == [": no such route in Discord's spec"]
    assert problems("DELETE", "/users/@me") == [": the route takes GET, PATCH, not DELETE"]
    assert problems("GET", "/users/@me", headers={}) == [
        "Authorization: this route needs the bot's token (`Bot …`)"
    ]
    assert problems("GET", "/users/not-a-snowflake") == [
        "{user_id}: 'not-a-snowflake' does not match '^(0|[1-9][0-9]*)$'"
    ]
    assert problems("GET", "/users/@me", query={"page": "2"}) == [
        "?page: not a query parameter of this route"
    ]


def test_a_misspelt_field_is_refused_though_the_spec_leaves_objects_open() -> None:
    assert problems("POST", MESSAGES, {"content": "hi", "embeds": [{"colour": 3}]}) == [
        "body.embeds[0]: unknown field(s) ('colour' was unexpected)"
    ]


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        ([row(button(label="x" * 81))], "body.components[0].components[0].label: 81 characters; at most 80"),
        (
            [row(button("a"), button("a"))],
            "body.components[0].components[1].custom_id: 'a' repeats; custom ids are unique per message",
        ),
        ([row(*(button(str(i)) for i in range(6)))], "body.components[0].components: 6 items; at most 5"),
        ([row(button(str(i))) for i in range(6)], "body.components: 6 items; at most 5"),
    ],
)
def test_component_limits(components: list[Any], expected: str) -> None:
    assert problems("POST", MESSAGES, {"content": "hi", "components": components}) == [expected]


def test_embed_limits_and_allowed_mentions_rules() -> None:
    embeds = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert problems("POST", MESSAGES, {"embeds": embeds}) == [
        "body.embeds: 6001 characters in all embeds; the limit is 6000"
    ]
    mentions = {"parse": ["users"], "users": ["600000000000000001"]}
    assert problems("POST", MESSAGES, {"content": "hi", "allowed_mentions": mentions}) == [
        "body.allowed_mentions: parse has 'users' and a users list: Discord refuses both"
    ]


def test_interaction_callbacks_modals_and_autocomplete() -> None:
    reply = {"type": 4, "data": {"content": "x" * 2001, "flags": 64}}
    assert problems("POST", CALLBACK, reply, headers={}) == [
        "body.data.content: 2001 characters; at most 2000"
    ]
    text_input = {"type": 4, "custom_id": "interests", "style": 1, "label": "l" * 46}
    modal = {
        "type": 9,
        "data": {"custom_id": "profile", "title": "Your profile", "components": [row(text_input)]},
    }
    assert problems("POST", CALLBACK, modal, query={"with_response": "1"}) == [
        "body.data.components[0].components[0].label: 46 characters; at most 45"
    ]
    choices = [{"name": f"d{i}", "value": f"d{i}"} for i in range(26)]
    assert problems("POST", CALLBACK, {"type": 8, "data": {"choices": choices}}) == [
        "body.data.choices: 26 items; at most 25"
    ]


def test_threads_need_a_name_of_1_to_100_and_a_known_archive_duration() -> None:
    threads = "/channels/1200000000000000001/threads"
    assert (
        problems(
            "POST", threads, {"name": "Jembatan · Ana & Budi", "type": 12, "auto_archive_duration": 10080}
        )
        == []
    )
    assert problems("POST", threads, {"name": "x" * 101, "type": 12}) == [
        "body.name: 101 characters; at most 100"
    ]
    assert problems("POST", threads, {"name": "x", "type": 12, "auto_archive_duration": 61}) == [
        "body.auto_archive_duration: 61 is not valid under any of the given schemas"
    ]


def test_command_registration_names_descriptions_and_counts() -> None:
    def command(**changes: Any) -> dict[str, Any]:
        sub = {"type": 1, "name": "join", "description": "Join", "options": []}
        return {"name": "jembatan", "description": "Meet colleagues", "type": 1, "options": [sub]} | changes

    assert problems("PUT", COMMANDS, [command(nsfw=False)]) == []
    assert problems("PUT", COMMANDS, [command(name="Jembatan")]) == [
        "body[0].name: 'Jembatan' is not a lower-case command name of 1–32 letters, digits, - _ '"
    ]
    assert problems("PUT", COMMANDS, [command(description="")]) == [
        "body[0].description: 0 characters; at least 1 needed"
    ]
    many = [{"type": 1, "name": f"sub{i}", "description": "d"} for i in range(26)]
    assert problems("PUT", COMMANDS, [command(options=many)]) == ["body[0].options: 26 items; at most 25"]
    choices = [{"name": "c" * 100, "value": "v" * 100}] * 3
    option = {"type": 3, "name": "x", "description": "d" * 100, "choices": choices}
    long = [{"type": 1, "name": f"sub{i}", "description": "d" * 100, "options": [option]} for i in range(20)]
    [too_long] = problems("PUT", COMMANDS, [command(options=long)])
    assert too_long.endswith("characters of names, descriptions and values; the limit is 8000")


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("round-now", True),
        ("export_csv", True),
        ("jam'kerja", True),
        ("जोड़ें", True),  # Devanagari, with its vowel signs
        ("เข้าร่วม", True),  # Thai
        ("zoné", True),
        ("", False),
        ("x" * 33, False),
        ("round now", False),
        ("round/now", False),
        ("Round", False),
    ],
)
def test_command_names_follow_discords_pattern(name: str, ok: bool) -> None:
    command = {"name": name, "description": "d", "type": 1}
    assert (problems("PUT", COMMANDS, [command]) == []) is ok
