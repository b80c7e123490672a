"""Malformed interactions through the real discord.py client: option values of the wrong type,
huge, or with NUL bytes; unknown options and subcommands; button ids that are not ours. Never a
traceback, always a private answer or none, and nothing changed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.model import Lang
from bot.i18n import texts
from bot.store.tables import metadata
from tests.adapters.discord.conftest import ADMIN, Env
from tests.adapters.discord.fake_discord import Person, User

ANA, BUDI = Person(700000000000000001), Person(700000000000000002)
STRING, INTEGER, BOOLEAN, USER = 3, 4, 5, 6


async def snapshot(env: Env) -> dict[str, list[tuple[Any, ...]]]:
    assert env.app is not None
    async with env.app.store.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in await conn.execute(select(table)))
            for table in metadata.sorted_tables
            if table.name != "inbound_deliveries"  # a refused command may still claim its id
        }


@pytest.fixture
async def program(env: Env) -> Env:
    answer = await env.slash(ADMIN, "setup", cadence="weekly", weekday="monday", time="09:00")
    assert answer.text.startswith("Jembatan is set up in")
    for who, division in ((ANA, "Finance"), (BUDI, "Legal")):
        await env.slash(who, "join", division=division)
    return env


def with_options(env: Env, who: Person, sub: str, options: list[dict[str, Any]], **user_options: Any) -> Any:
    payload = env.payloads.slash(who, sub, **user_options)
    listed = payload["data"]["options"][0]["options"]
    payload["data"]["options"][0]["options"] = [o for o in listed if o["type"] == USER] + options
    return payload


def option(name: str, kind: int, value: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value}


HUGE = "x" * 100_000
CASES: dict[str, tuple[str, list[dict[str, Any]], dict[str, Any]]] = {
    "weeks as Arabic-Indic digits": ("pause", [option("weeks", STRING, "٣")], {}),
    "weeks as a string": ("pause", [option("weeks", INTEGER, "3")], {}),
    "weeks as a float": ("pause", [option("weeks", INTEGER, 3.5)], {}),
    "weeks huge": ("pause", [option("weeks", INTEGER, 10**30)], {}),
    "weeks as a list": ("pause", [option("weeks", INTEGER, [3])], {}),
    "division as a number": ("division", [option("name", STRING, 12345)], {}),
    "division with NUL": ("division", [option("name", STRING, "Fin\x00ance")], {}),
    "division of 100,000 characters": ("division", [option("name", STRING, HUGE)], {}),
    "division as an object": ("division", [option("name", STRING, {"a": 1})], {}),
    "division missing": ("division", [], {}),
    "interests with NUL": ("interests", [option("words", STRING, "jazz\x00")], {}),
    "interests past Discord's 6,000 characters": ("interests", [option("words", STRING, "a," * 3001)], {}),
    "time zone with NUL": ("timezone", [option("zone", STRING, "Asia/Jakarta\x00")], {}),
    "shout-out with NUL": (
        "shoutout",
        [option("achievement", STRING, "great\x00work")],
        {"member": User(BUDI.user_id)},
    ),
    "shout-out huge": ("shoutout", [option("achievement", STRING, HUGE)], {"member": User(BUDI.user_id)}),
    "shout-out to a member who is not a snowflake": (
        "shoutout",
        [option("member", USER, "not-a-user"), option("achievement", STRING, "thanks")],
        {},
    ),
    "shout-out to an unresolved member": (
        "shoutout",
        [option("member", USER, "123"), option("achievement", STRING, "thanks")],
        {},
    ),
    "setup group size in Arabic-Indic digits": ("setup", [option("group_size", STRING, "٣")], {}),
    "setup time in Arabic-Indic digits": ("setup", [option("time", STRING, "٠٩:٠٠")], {}),
    "setup cadence not offered": ("setup", [option("cadence", STRING, "hourly")], {}),
    "setup language as a number": ("setup", [option("language", STRING, 7)], {}),
    "forget confirm as a string": ("forget", [option("confirm", BOOLEAN, "yes")], {}),
    "an option nobody declared": ("leave", [option("everyone", STRING, "@everyone")], {}),
    "a subcommand nobody declared": ("drop-tables", [], {}),
}


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, (record.name, record.getMessage())
        assert record.levelno < logging.ERROR, (record.name, record.getMessage())


@pytest.mark.parametrize("case", list(CASES))
async def test_a_malformed_command_changes_nothing_and_leaves_no_traceback(
    program: Env, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    env = program
    sub, options, users = CASES[case]
    caplog.set_level(logging.INFO)
    before = await snapshot(env)
    caplog.clear()
    payload = with_options(env, ANA, sub, options, **users)
    await env.fake.dispatch("INTERACTION_CREATE", payload)
    try:
        answer = await env.fake.answer(payload["token"], within=3.0)
    except TimeoutError:
        answer = None  # discord.py may drop what it cannot read; no answer is fine, a crash is not
    if answer is not None and answer.callbacks:
        assert answer.ephemeral
        assert "@everyone" not in answer.text
    await asyncio.sleep(0.05)  # work the client runs after answering
    no_tracebacks(caplog)
    assert await snapshot(env) == before, case


@pytest.mark.parametrize(
    "custom_id",
    [
        "jb:meetup:١:met",
        "jb:meetup:99999999999999999:met",
        "jb:meetup:1:met@not-a-guild",
        "jb:meetup:1:met\x00",
        "jb:stillin:1:keep@" + "9" * 30,
        "x" * 5000,
    ],
)
async def test_a_click_on_a_button_that_is_not_ours_changes_nothing(
    program: Env, caplog: pytest.LogCaptureFixture, custom_id: str
) -> None:
    env = program
    caplog.set_level(logging.INFO)
    before = await snapshot(env)
    caplog.clear()
    message = env.fake.message_payload(env.fake.program_channel, {"content": "hi", "components": []})
    payload = env.payloads.click(ANA, message, custom_id)
    await env.fake.dispatch("INTERACTION_CREATE", payload)
    await asyncio.sleep(0.2)
    no_tracebacks(caplog)
    assert await snapshot(env) == before


async def test_a_refused_command_is_answered_privately_in_the_catalogue_s_words(program: Env) -> None:
    payload = with_options(program, ANA, "pause", [option("weeks", INTEGER, "3")])
    await program.fake.dispatch("INTERACTION_CREATE", payload)
    answer = await program.fake.answer(payload["token"])
    assert answer.ephemeral
    assert answer.text == texts(Lang.EN, "discord")("error.failed")
    assert answer.text.startswith("Something went wrong on our side.")
