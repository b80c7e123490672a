"""The text grammar, as a table: what people type after `/jembatan` → the command the core receives."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot.grammar import OpenProfile, parse

TABLE = [
    ("", c.Help()),
    ("help", c.Help()),
    ("HELP admin", c.Help("admin")),
    ("what is this", c.Help()),
    ("join", c.Join()),
    ("join Customer Success", c.Join("Customer Success")),
    ("  Join   Finance  ", c.Join("Finance")),
    ("gabung Keuangan", c.Join("Keuangan")),
    ("leave", c.Leave()),
    ("pause", c.Pause()),
    ("pause 3", c.Pause("3")),
    ("pause forever", c.Pause("forever")),
    ("resume", c.Resume()),
    ("division Legal & Compliance", c.SetDivision("Legal & Compliance")),
    ("division", c.SetDivision("")),
    ("timezone Asia/Jakarta", c.SetTimezone("Asia/Jakarta")),
    ("timezone", c.SetTimezone("")),
    ("interests jazz, rock climbing", c.SetInterests("jazz, rock climbing")),
    ("interests", c.SetInterests("")),
    ("profile", OpenProfile()),
    ("status", c.Status()),
    ("shoutout <@U1|ana> shipped it", c.GiveShoutOut(("U1",), "shipped it")),
    ("shoutout <@U1|ana> <@W2|budi>, thanks <@U3|cy>!", c.GiveShoutOut(("U1", "W2"), "thanks <@U3>!")),
    ("shoutout <@U1> and <@U2> for the launch", c.GiveShoutOut(("U1", "U2"), "for the launch")),
    ("shoutout great work all", c.GiveShoutOut((), "great work all")),
    ("shoutout <@U1|ana> <!here> rocks", c.GiveShoutOut(("U1",), "<!here> rocks")),  # the core calms it
    ("leaderboard", c.Leaderboard("month", False)),
    ("leaderboard week", c.Leaderboard("week", False)),
    ("leaderboard all division", c.Leaderboard("all", True)),
    ("leaderboard decade", c.Leaderboard("decade", False)),
    ("export", c.ExportMyData()),
    ("export csv", c.ExportCsv()),
    ("forget", c.ForgetMe(False)),
    ("forget confirm", c.ForgetMe(True)),
    ("setup", c.SetupProgram()),
    ("setup weekly monday 09:00", c.SetupProgram(cadence="weekly", weekday="monday", time="09:00")),
    (
        "setup biweekly thu 7.30 Asia/Jakarta",
        c.SetupProgram(cadence="biweekly", weekday="thu", time="7.30", timezone="Asia/Jakarta"),
    ),
    (
        "setup tz=Europe/Berlin size=3 lang=id cross=require shoutouts=<#C9|kudos>",
        c.SetupProgram(
            timezone="Europe/Berlin",
            group_size="3",
            lang="id",
            cross_division="require",
            shoutout_channel="C9",
        ),
    ),
    ("setup monthly 25:99", c.SetupProgram(cadence="monthly", time="25:99")),
    ("setup colour=blue", c.Help("admin")),
    ("round now", c.RunRoundNow()),
    ("round preview", c.PreviewRound()),
    ("round", c.Help("admin")),
    ("stats", c.ShowStats(False)),
    ("stats all", c.ShowStats(True)),
    ("block <@U1|a> <@U2|b>", c.BlockPair("U1", "U2")),
    ("block <@U1|a>", c.BlockPair("U1", "")),
    ("block", c.BlockPair("", "")),
    ("block <@U1> <@U2> <@U3>", c.BlockPair("", "")),
    ("admin add <@U5|eve>", c.GrantAdmin("U5")),
    ("admin remove <@U5|eve>", c.GrantAdmin("U5", revoke=True)),
    ("admin add", c.Help("admin")),
    ("admin", c.Help("admin")),
    (
        "rename-division Eng, engineering to Engineering",
        c.RenameDivision(("Eng", "engineering"), "Engineering"),
    ),
    ("ganti-divisi Keuangan jadi Finance", c.RenameDivision(("Keuangan",), "Finance")),
    ("rename-division R&amp;D to Research", c.RenameDivision(("R&amp;D",), "Research")),
    ("rename-division Eng", c.RenameDivision((), "")),
    ("dashboard", c.OpenDashboard()),
    ("dasbor", c.OpenDashboard()),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t or "(empty)" for t, _ in TABLE])
def test_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


ESCAPED = [
    ("division R&amp;D", c.SetDivision("R&D")),
    ("join Q&amp;A &lt;team&gt;", c.Join("Q&A <team>")),
    ("interests rock &amp; roll", c.SetInterests("rock & roll")),
    ("shoutout <@U1> for R&amp;D", c.GiveShoutOut(("U1",), "for R&amp;D")),  # shown again on Slack
]


@pytest.mark.parametrize(("text", "expected"), ESCAPED, ids=[t for t, _ in ESCAPED])
def test_escaped_text_gives_profile_words_as_typed(text: str, expected: object) -> None:
    assert parse(text, escaped=True) == expected


def test_text_typed_unescaped_is_taken_as_it_is() -> None:
    assert parse("division R&amp;D") == c.SetDivision("R&amp;D")


def test_every_command_a_person_can_type_is_in_the_table() -> None:
    reached = {type(expected) for _, expected in TABLE}
    # Buttons and forms.
    typed = set(c.Command.__args__) - {c.RecordOutcome, c.AnswerStillIn, c.UpdateProfile}
    assert typed <= reached
