"""Every `/jembatan` subcommand, sent as INTERACTION_CREATE through the real client: what comes
back on Discord's interaction callbacks (always private to the person who asked)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.domain.model import Lang
from bot.i18n import texts
from tests.adapters.discord.conftest import ADMIN, Env
from tests.adapters.discord.fake_discord import Channel, Person, User

t = texts(Lang.EN, "discord")  # what Discord users read
ANA, BUDI, CITRA = Person(700000000000000001), Person(700000000000000002), Person(700000000000000003)
MESSAGE, DEFERRED, CHOICES, MODAL = 4, 5, 8, 9
NEXT_ROUND = "2026-12-10 10:30"  # every other week from setup (Fri 27 Nov 2026): not the 3rd, the 10th


@pytest.fixture
async def program(env: Env) -> Env:
    answer = await env.slash(ADMIN, "setup", cadence="weekly", weekday="monday", time="09:00")
    assert answer.text.startswith("Jembatan is set up in")
    return env


async def test_help_answers_privately_at_once(env: Env) -> None:
    answer = await env.slash(ANA, "help")
    assert answer.kind == MESSAGE and answer.ephemeral
    assert answer.text == t("help.member")
    admin = (await env.slash(ANA, "help", topic="admin")).text
    assert admin.startswith(t("help.admin")) and "`/jembatan round-now`" in admin
    assert "`/jembatan setup cross_division:`" in admin  # what each mode does, in Discord's words


@pytest.mark.parametrize("lang", list(Lang))
def test_help_names_only_subcommands_discord_has(lang: Lang) -> None:
    # Slack's `round now` is `round-now` here: help must name what the command picker offers.
    import re

    from adapters.discord.client import JembatanCommands

    offered = {command.name for command in JembatanCommands().commands}
    words = texts(lang, "discord")
    named = set(re.findall(r"/jembatan ([a-z-]+)", words("help.member") + words("help.admin")))
    named |= set(re.findall(r"· `([a-z-]+)`", words("help.member")))
    assert len(named) >= 15 and named <= offered, named - offered


async def test_setup_creates_the_program_in_this_channel(env: Env) -> None:
    answer = await env.slash(ADMIN, "setup", cadence="biweekly", weekday="thursday", time="10:30")
    assert answer.ephemeral
    channel = f"<#{env.fake.program_channel}>"
    assert answer.text == t(
        "setup.created",
        channel=channel,
        cadence=t("cadence.biweekly"),
        weekday="Thursday",
        time="10:30",
        zone="UTC",
        size=2,
        mode=t("mode.prefer"),
        next=NEXT_ROUND,
    )
    shoutouts = env.fake.add_channel("kudos")
    await env.fake.dispatch("CHANNEL_CREATE", env.fake.channels[shoutouts])
    again = await env.slash(
        ADMIN,
        "setup",
        timezone="Asia/Jakarta",
        group_size=3,
        language="id",
        cross_division="require",
        shoutout_channel=Channel(shoutouts),
    )
    # Answered in the program's new language, with every changed setting.
    t_id = texts(Lang.ID, "discord")
    assert again.text == t_id(
        "setup.updated",
        channel=channel,
        cadence=t_id("cadence.biweekly"),
        weekday="Kamis",
        time="10:30",
        zone="Asia/Jakarta",
        size=3,
        mode=t_id("mode.require"),
        next=NEXT_ROUND,
    )


async def test_shoutouts_go_to_the_shoutout_channel_set_up_not_the_program_channel(env: Env) -> None:
    kudos = env.fake.add_channel("kudos")
    await env.fake.dispatch("CHANNEL_CREATE", env.fake.channels[kudos])
    await env.slash(ADMIN, "setup", shoutout_channel=Channel(kudos))
    answer = await env.slash(ANA, "shoutout", member=User(BUDI.user_id), achievement="closed the books early")
    assert answer.text == t("shoutout.sent", names=f"<@{BUDI.user_id}>", left=4)
    await env.deliver()
    (posted,) = env.fake.messages[kudos]
    assert posted["embeds"][0]["description"] == "closed the books early"
    assert posted["content"] == t("shoutout.title", giver=f"<@{ANA.user_id}>", names=f"<@{BUDI.user_id}>")
    assert env.fake.messages.get(env.fake.program_channel) is None


async def test_join_leave_pause_resume(program: Env) -> None:
    env = program
    joined = await env.slash(ANA, "join", division="Finance")
    assert joined.ephemeral and joined.text.startswith("Welcome to Jembatan!")
    paused = await env.slash(ANA, "pause", weeks=2)
    assert paused.text.startswith("Paused for 2 weeks")
    assert (await env.slash(ANA, "resume")).text == t("resume.done")
    assert (await env.slash(ANA, "pause")).text == t("pause.indefinite")
    assert (await env.slash(ANA, "leave")).text == t("leave.done")
    assert (await env.slash(ANA, "leave")).text == t("error.not_member")


async def test_profile_commands(program: Env) -> None:
    env = program
    assert (await env.slash(ANA, "division", name="Legal")).text == t("profile.division", division="Legal")
    assert (await env.slash(ANA, "timezone", zone="asia/jakarta")).text == t(
        "profile.timezone", zone="Asia/Jakarta"
    )
    assert (await env.slash(ANA, "interests", words="hiking, jazz")).text == t(
        "profile.interests", interests="hiking, jazz"
    )
    refused = await env.slash(ANA, "timezone", zone="Mars/Olympus")
    assert refused.text == t("error.timezone", given="Mars/Olympus")


async def test_timezone_autocomplete_offers_matching_zones(env: Env) -> None:
    answer = await env.send(env.payloads.autocomplete(ANA, "timezone", "zone", "jakar"))
    assert answer.kind == CHOICES
    choices = answer.callbacks[0]["data"]["choices"]
    assert choices[0] == {"name": "Asia/Jakarta", "value": "Asia/Jakarta"}
    assert len(choices) <= 25


async def test_profile_opens_a_form_and_its_submission_saves(program: Env) -> None:
    env = program
    opened = await env.slash(ANA, "profile")
    assert opened.kind == MODAL
    form = opened.callbacks[0]["data"]
    assert form["custom_id"] == "jb:profile"
    fields = {row["component"]["custom_id"] for row in form["components"]}
    assert fields == {"division", "timezone", "interests"}
    values = {"division": "Sales", "timezone": "Asia/Makassar", "interests": "chess"}
    saved = await env.send(env.payloads.submit(ANA, "jb:profile", values))
    assert saved.ephemeral and saved.text == t("profile.saved")
    status = await env.slash(ANA, "status")
    assert "Sales · Asia/Makassar · interests: chess" not in status.text  # not a member yet
    await env.slash(ANA, "join")
    assert "Sales · Asia/Makassar · interests: chess" in (await env.slash(ANA, "status")).text


async def test_status(program: Env) -> None:
    env = program
    assert (await program.slash(ANA, "status")).text == t("status.not_member")
    await env.slash(ANA, "join", division="Finance")
    status = await env.slash(ANA, "status")
    assert status.ephemeral and status.text.startswith(t("status.state_active"))


async def test_shoutout_to_up_to_three_people_is_posted_in_the_channel(program: Env) -> None:
    env = program
    answer = await env.slash(
        ANA,
        "shoutout",
        member=User(BUDI.user_id),
        member2=User(CITRA.user_id),
        achievement="shipped #release",
    )
    names = f"<@{BUDI.user_id}>, <@{CITRA.user_id}>"
    assert answer.ephemeral and answer.text == t("shoutout.sent", names=names, left=4)
    await env.deliver()
    posted = env.fake.messages[env.fake.program_channel][-1]
    assert posted["embeds"][0]["description"] == "shipped #release"
    assert posted["embeds"][0]["footer"]["text"] == "#release"
    # Only the people recognised are pinged: not the giver, not a role, not everyone.
    assert sorted(posted["allowed_mentions"]["users"]) == sorted([BUDI.user_id, CITRA.user_id])
    assert posted["allowed_mentions"]["parse"] == []
    refused = await env.slash(ANA, "shoutout", member=User(ANA.user_id), achievement="me")
    assert refused.text == t("error.shoutout_self")


async def test_leaderboard(program: Env) -> None:
    env = program
    assert (await env.slash(ANA, "leaderboard")).text == t("leaderboard.empty")
    await env.slash(ANA, "shoutout", member=User(BUDI.user_id), achievement="great demo")
    board = await env.slash(ANA, "leaderboard", period="all")
    assert board.text.startswith(t("leaderboard.title", period=t("leaderboard.period_all")))
    assert f"<@{BUDI.user_id}>" in board.text


async def test_export_is_deferred_and_sends_a_private_json_file(program: Env) -> None:
    env = program
    await env.slash(ANA, "join", division="Finance")
    answer = await env.slash(ANA, "export")
    assert answer.kind == DEFERRED and answer.ephemeral
    assert answer.text == t("export.ready")
    assert answer.files == ["jembatan-my-data.json"]


async def test_forget_asks_first_then_erases(program: Env) -> None:
    env = program
    await env.slash(ANA, "join")
    assert (await env.slash(ANA, "forget")).text == t("forget.confirm")
    assert (await env.slash(ANA, "forget", confirm=True)).text == t("forget.done")
    assert (await env.slash(ANA, "export")).text == t("export.nothing")


async def test_round_now_and_preview(program: Env) -> None:
    env = program
    for person, division in ((ANA, "Finance"), (BUDI, "Legal"), (CITRA, "Sales")):
        await env.slash(person, "join", division=division)
    preview = await env.slash(ADMIN, "round-preview")
    assert preview.kind == DEFERRED and preview.text.startswith("Preview of the next round: 1 group,")
    started = await env.slash(ADMIN, "round-now")
    assert started.kind == DEFERRED and started.ephemeral
    assert started.text.startswith("Round started: 1 group,")
    again = await env.slash(ADMIN, "round-now")
    assert again.text.startswith("The round for")


async def test_stats_is_an_embed_with_the_chart(program: Env) -> None:
    env = program
    await env.slash(ANA, "join", division="Finance")
    answer = await env.slash(ADMIN, "stats")
    assert answer.kind == DEFERRED and answer.ephemeral
    embed = answer.embeds[0]
    assert embed["description"] == f"**{t('stats.title', channel=f'<#{env.fake.program_channel}>')}**"
    assert embed["fields"][0]["name"] == t("stats.participants")
    assert embed["image"]["url"] == "attachment://jembatan-stats.png"
    assert answer.files == ["jembatan-stats.png"]
    everywhere = await env.slash(ADMIN, "stats", everywhere=True)
    assert everywhere.embeds[0]["description"] == f"**{t('stats.title_workspace')}**"


async def test_block_admin_and_export_csv(program: Env) -> None:
    env = program
    blocked = await env.slash(ADMIN, "block", first=User(ANA.user_id), second=User(BUDI.user_id))
    assert blocked.text == t("block.done", a=f"<@{ANA.user_id}>", b=f"<@{BUDI.user_id}>")
    granted = await env.slash(ADMIN, "admin", member=User(CITRA.user_id))
    assert granted.text == t("admin.granted", user=f"<@{CITRA.user_id}>")
    assert (await env.slash(CITRA, "round-preview")).text.startswith("Preview of the next round")
    revoked = await env.slash(ADMIN, "admin", member=User(CITRA.user_id), remove=True)
    assert revoked.text.startswith(t("admin.revoked", user=f"<@{CITRA.user_id}>")[:20])
    csv = await env.slash(ADMIN, "export-csv")
    assert csv.kind == DEFERRED and csv.ephemeral and csv.files
    assert all(name.startswith("jembatan-") and name.endswith(".csv") for name in csv.files)


async def test_the_same_interaction_delivered_twice_acts_once(program: Env) -> None:
    env = program
    payload = env.payloads.slash(ANA, "join", division="Finance")
    first = await env.send(payload)
    retry = {**json.loads(json.dumps(payload)), "token": payload["token"] + "-again"}
    second = await env.send(retry)
    assert first.text.startswith("Welcome") and second.text == t("error.duplicate")


async def test_a_command_still_running_near_the_3_second_limit_is_deferred_then_answered(
    program: Env,
) -> None:
    env = program
    # Another writer holds the database, so the core waits on it for a while.
    blocker = sqlite3.connect(env.database_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    payload = env.payloads.slash(ANA, "join", division="Finance")
    await env.fake.dispatch("INTERACTION_CREATE", payload)
    try:
        await env.fake.wait_for(lambda: env.fake.answers.get(payload["token"]), within=4)
        assert env.fake.answers[payload["token"]].kind == DEFERRED  # acknowledged within Discord's 3 s
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    answer = await env.fake.answer(payload["token"])
    assert answer.ephemeral and answer.text.startswith("Welcome to Jembatan!")
