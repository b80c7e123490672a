"""The pure halves of the adapter: options → commands, and core messages → Discord layouts."""

from __future__ import annotations

import pytest

from adapters.discord import parse, render
from adapters.discord.messenger import dm_conversation, dm_users
from bot import commands as c
from bot.domain.model import Outcome, StillInChoice
from bot.messages import (
    MESSAGE_KINDS,
    Attachment,
    Button,
    CheckIn,
    Intro,
    Message,
    Notice,
    PersonLine,
    Reply,
    RoundAnnouncement,
    ShoutOut,
    StatsReport,
    Style,
)
from tests.specs import discord_spec


@pytest.mark.parametrize(
    ("name", "options", "command"),
    [
        ("help", {}, c.Help(None)),
        ("help", {"topic": "admin"}, c.Help("admin")),
        ("join", {"division": " Finance "}, c.Join("Finance")),
        ("join", {"division": None}, c.Join(None)),
        ("leave", {}, c.Leave()),
        ("pause", {"weeks": 3}, c.Pause("3")),
        ("pause", {}, c.Pause(None)),
        ("resume", {}, c.Resume()),
        ("division", {"name": "Legal"}, c.SetDivision("Legal")),
        ("timezone", {"zone": "Asia/Jakarta"}, c.SetTimezone("Asia/Jakarta")),
        ("interests", {"words": "jazz, chess"}, c.SetInterests("jazz, chess")),
        ("status", {}, c.Status()),
        (
            "shoutout",
            {"member": "1", "member3": "3", "achievement": "won"},
            c.GiveShoutOut(("1", "3"), "won"),
        ),
        ("leaderboard", {"period": "all", "by_division": True}, c.Leaderboard("all", True)),
        ("leaderboard", {}, c.Leaderboard("month", False)),
        ("export", {}, c.ExportMyData()),
        ("forget", {}, c.ForgetMe(False)),
        ("forget", {"confirm": True}, c.ForgetMe(True)),
        (
            "setup",
            {
                "cadence": "weekly",
                "weekday": "friday",
                "time": "10:00",
                "group_size": 3,
                "shoutout_channel": "9",
            },
            c.SetupProgram("weekly", "friday", "10:00", None, "3", None, None, "9"),
        ),
        ("round-now", {}, c.RunRoundNow()),
        ("round-preview", {}, c.PreviewRound()),
        ("stats", {"everywhere": True}, c.ShowStats(True)),
        ("block", {"first": "1", "second": "2"}, c.BlockPair("1", "2")),
        ("export-csv", {}, c.ExportCsv()),
        ("admin", {"member": "5", "remove": True}, c.GrantAdmin("5", True)),
    ],
)
def test_slash_options_become_commands(name: str, options: parse.Options, command: c.Command) -> None:
    assert parse.slash(name, options) == command


def test_an_empty_profile_field_leaves_that_part_alone() -> None:
    assert parse.profile_form(" Sales ", "", "  ") == c.UpdateProfile("Sales", None, None)


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("jb:meetup:12:met", (c.RecordOutcome(12, Outcome.MET.value), None)),
        ("jb:meetup:12:skipped@900", (c.RecordOutcome(12, "skipped"), "900")),
        ("jb:stillin:4:later@900", (c.AnswerStillIn(4, StillInChoice.LATER), "900")),
        ("jb:meetup:12:pending", (None, None)),
        ("jb:meetup:12:met@abc", (None, None)),
        ("other", (None, None)),
    ],
)
def test_button_ids_decode_with_the_server_a_dm_button_carries(custom_id: str, expected: object) -> None:
    assert parse.button(custom_id) == expected
    if expected[0] is not None:  # type: ignore[index]
        assert render.BUTTON_TEMPLATE.fullmatch(custom_id)


def test_a_dm_group_id_fits_four_snowflakes_in_64_characters() -> None:
    users = tuple(str(2**63 - 1 - i) for i in range(4))
    conversation = dm_conversation(users)
    assert len(conversation) <= 64
    assert dm_users(conversation) == list(users)


BUTTONS = (Button("jb:meetup:1:met", "We met", Style.PRIMARY), Button("jb:meetup:1:skipped", "Skip"))
MESSAGES = [
    RoundAnnouncement(
        "New pairs", "2 conversations", (("1", "2"), ("3", "4")), ("<@1> × <@2>", "<@3> × <@4>"), "f"
    ),
    Intro(
        1,
        "Hello <@1> & <@2>",
        "You've been paired",
        (PersonLine("1", "Sales"), PersonLine("2", "Legal")),
        ("Different divisions",),
        "Icebreaker: hi",
        "Good time: 09–17",
        BUTTONS,
    ),
    CheckIn(1, "Did you meet, <@1> & <@2>?", BUTTONS),
    ShoutOut("📣 <@9> gives a shout-out to <@1>", "shipped it", ("1",), "9", ("release",)),
    ShoutOut("🎉 Milestones", "First meetup for <@1>, <@2>!", ("1", "2"), None),
    Notice("It's been a while since you met <@7>."),
    StatsReport("Stats for <#5>", "…", (("Rounds", "3"), ("Meetup rate", "50%"))),
]
PINGS = [("1", "2", "3", "4"), ("1", "2"), ("1", "2"), ("1",), ("1", "2"), (), ()]


def test_every_message_kind_is_rendered() -> None:
    assert {type(m).__name__ for m in MESSAGES} == set(MESSAGE_KINDS)


@pytest.mark.parametrize(("message", "pings"), list(zip(MESSAGES, PINGS, strict=True)))
def test_messages_ping_only_the_people_they_concern(message: object, pings: tuple[str, ...]) -> None:
    rendered = render.render(message)  # type: ignore[arg-type]
    allowed = rendered.allowed_mentions().to_dict()
    assert allowed["parse"] == []
    assert sorted(str(u) for u in allowed.get("users", [])) == sorted(pings)
    for user in pings:  # whoever may be pinged is mentioned where a mention pings: the content
        assert f"<@{user}>" in (rendered.content or "")


def test_a_shout_out_shows_where_its_links_go_and_pings_no_role_or_everyone() -> None:
    giver_words = "[https://docs.example](https://evil.example/sso) thanks @everyone, <@&77> and <@3>"
    rendered = render.render(ShoutOut("📣 <@9> gives a shout-out to <@1>", giver_words, ("1",), "9"))
    assert rendered.embed is not None
    shown = rendered.embed.description or ""
    assert "](" not in shown and "https://docs.example (<https://evil.example/sso>)" in shown
    assert "@everyone" not in shown and "<@&" not in shown and "@\u200beveryone" in shown
    assert "<@3>" in shown  # a person mentioned through Discord's own mention stays mentioned
    allowed = rendered.allowed_mentions().to_dict()
    assert allowed["parse"] == [] and [str(u) for u in allowed["users"]] == ["1"]


def test_intro_layout_and_buttons() -> None:
    rendered = render.render(MESSAGES[1])
    assert rendered.content == "Hello <@1> & <@2>"
    assert rendered.embed is not None and "• <@1> · Sales" in (rendered.embed.description or "")
    view = rendered.view()
    assert view is not None
    assert [item.custom_id for item in view.children] == ["jb:meetup:1:met", "jb:meetup:1:skipped"]  # type: ignore[attr-defined]
    dm_view = rendered.view("900")
    assert dm_view is not None
    assert [item.custom_id for item in dm_view.children] == [  # type: ignore[attr-defined]
        "jb:meetup:1:met@900",
        "jb:meetup:1:skipped@900",
    ]


def test_a_big_round_stays_within_discords_limits() -> None:
    groups = tuple((str(10**18 + 2 * i), str(10**18 + 2 * i + 1)) for i in range(300))
    lines = tuple(f"<@{a}> × <@{b}>" for a, b in groups)
    rendered = render.render(RoundAnnouncement("t", "x", groups, lines, "f"))
    assert rendered.content is not None and len(rendered.content) <= 2000
    assert rendered.embed is not None and len(rendered.embed.description or "") <= 4096
    assert len(rendered.allowed_mentions().to_dict()["users"]) <= 100


def test_long_replies_are_split_and_files_ride_on_the_first_part() -> None:
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(60))
    parts = render.reply(Reply(text, attachments=(Attachment("a.csv", b"1", "a", "text/csv"),)))
    assert len(parts) > 1 and all(len(p.content or "") <= 2000 for p in parts)
    assert "\n".join(p.content or "" for p in parts) == text
    assert [a.filename for a in parts[0].files] == ["a.csv"] and parts[1].files == ()


def test_a_stats_reply_shows_the_chart_inside_its_embed() -> None:
    chart = Attachment("jembatan-stats.png", b"png", "chart")
    (part,) = render.reply(Reply("text", message=MESSAGES[-1], attachments=(chart,)))
    assert part.embed is not None and part.embed.image.url == "attachment://jembatan-stats.png"
    assert [f.filename for f in part.discord_files()] == ["jembatan-stats.png"]


def posted(rendered: render.Rendered) -> list[str]:
    """What Discord's spec and documented limits (tests/specs) say of posting this, as discord.py
    sends it."""
    view = rendered.view()
    body = {
        "content": rendered.content,
        "embeds": [rendered.embed.to_dict()] if rendered.embed else [],
        "allowed_mentions": rendered.allowed_mentions().to_dict(),
        "components": view.to_components() if view else [],
    }
    found = discord_spec.check("POST", "/channels/1/messages", {}, {"Authorization": "Bot t"}, body)
    return [str(v) for v in found]


@pytest.mark.parametrize("message", MESSAGES, ids=[type(m).__name__ for m in MESSAGES])
def test_every_message_kind_is_a_post_discord_accepts(message: Message) -> None:
    assert posted(render.render(message)) == []


def test_limits_are_counted_in_utf16_units_so_emoji_fit_too() -> None:
    # Neither platform says whether it counts code points or UTF-16 units (an emoji is two).
    shout = render.render(ShoutOut("🎉" * 1500, "🎉" * 4000, ("1",), "9", ("x",)))
    assert posted(shout) == []
    assert shout.embed is not None and shout.embed.description == "🎉" * 2047 + "…"
    text = "\n".join("🌉 " + "x" * 60 for _ in range(100))
    parts = render.reply(Reply(text))
    assert all(posted(p) == [] for p in parts) and "\n".join(p.content or "" for p in parts) == text
