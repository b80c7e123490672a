"""Admins set up programs, run and preview rounds, block pairs, read stats and export."""

import csv
import io

from bot import commands as c
from bot.messages import Intro, StatsReport
from tests.drive import Driver


async def test_only_admins_may_run_admin_commands_and_refusal_changes_nothing(drive: Driver) -> None:
    refused = await drive.say("U1", c.SetupProgram(cadence="weekly"))
    assert "only workspace admins" in refused.text
    async with drive.app.store.unit() as uow:
        assert await uow.tenants.find(drive.tenant) is None  # not even the workspace was recorded
    for command in (
        c.RunRoundNow(),
        c.ShowStats(),
        c.BlockPair("U2", "U3"),
        c.ExportCsv(),
        c.PreviewRound(),
        c.GrantAdmin("U1"),
    ):
        assert "only workspace admins" in (await drive.say("U1", command)).text


async def test_admin_help_says_what_each_cross_division_mode_does(drive: Driver) -> None:
    text = (await drive.say("U-ADMIN", c.Help("admin"), admin=True)).text
    assert "*require* – never a group inside one division" in text and "sits out" in text
    assert "*prefer*" in text and "everyone still paired" in text and "*off*" in text


async def test_an_admin_can_name_further_admins(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U-ADMIN", c.GrantAdmin("U-LEAD"), admin=True)
    assert "Preview" in (await drive.say("U-LEAD", c.PreviewRound())).text
    await drive.say("U-ADMIN", c.GrantAdmin("U-LEAD", revoke=True), admin=True)
    assert "only workspace admins" in (await drive.say("U-LEAD", c.PreviewRound())).text


async def test_setup_validates_everything_before_changing_anything(drive: Driver) -> None:
    await drive.setup()
    reply = await drive.say("U-ADMIN", c.SetupProgram(cadence="monthly", time="25:99"), admin=True)
    assert "HH:MM" in reply.text
    assert (await drive.program()).config.cadence.value == "weekly"
    updated = await drive.say(
        "U-ADMIN",
        c.SetupProgram(
            cadence="biweekly", weekday="thu", time="14:30", group_size=3, lang="id", cross_division="require"
        ),
        admin=True,
    )
    assert "dua minggu sekali setiap Kamis pukul 14:30" in updated.text
    config = (await drive.program()).config
    assert (config.group_size, config.lang.value, config.cross_division.value) == (3, "id", "require")


async def test_setup_must_happen_in_a_channel(drive: Driver) -> None:
    reply = await drive.say("U-ADMIN", c.SetupProgram(), admin=True, channel=None)
    assert "Run `/jembatan setup` in the channel" in reply.text


async def test_round_now_brings_the_next_round_forward_without_doubling_it(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    reply = await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)
    assert "Round started: 2 groups" in reply.text
    again = await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)
    assert "already run" in again.text
    report = await drive.run_round()  # the scheduled Monday round was brought forward
    assert report.rounds == []
    assert len(drive.messenger.of_kind(Intro)) == 2


async def test_preview_shows_the_next_round_without_sending_anything(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    reply = await drive.say("U-ADMIN", c.PreviewRound(), admin=True)
    assert "1 group, 1 of 1 pair across divisions" in reply.text
    await drive.app.relay.drain()
    assert drive.messenger.sent == []
    await drive.run_round()
    assert {frozenset(g.user_ids) for g in await drive.latest_groups()} == {frozenset({"U1", "U2"})}


async def test_stats_report_numbers_and_a_chart(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    await drive.run_round()
    groups = await drive.latest_groups()
    await drive.say(groups[0].user_ids[0], c.RecordOutcome(groups[0].id, "met"))
    await drive.say("U1", c.GiveShoutOut(("U2",), "thanks"))
    reply = await drive.say("U-ADMIN", c.ShowStats(), admin=True)
    assert isinstance(reply.message, StatsReport)
    rows = dict(reply.message.rows)
    assert rows["Participants"] == "4 active · 0 paused · 0 left"
    assert rows["Meetup rate"] == "50%"
    assert rows["Distinct connections made"] == "1"
    assert rows["Shout-outs"].startswith("1 given (1 across divisions)")
    chart = reply.attachments[0]
    assert chart.filename.endswith(".png") and chart.content.startswith(b"\x89PNG")
    workspace = await drive.say("U-ADMIN", c.ShowStats(workspace=True), admin=True)
    assert "whole workspace" in workspace.text


async def test_csv_export_has_rounds_groups_and_shoutouts(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    await drive.say("U1", c.GiveShoutOut(("U2",), 'thanks, a, "quoted"'))
    reply = await drive.say("U-ADMIN", c.ExportCsv(), admin=True)
    files = {a.filename: list(csv.DictReader(io.StringIO(a.content.decode()))) for a in reply.attachments}
    assert len(files["jembatan-rounds.csv"]) == 1
    assert {r["user"] for r in files["jembatan-groups.csv"]} == {"U1", "U2"}
    assert files["jembatan-shoutouts.csv"][0]["text"] == 'thanks, a, "quoted"'


async def test_csv_export_never_hands_a_spreadsheet_a_formula(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.say("U1", c.GiveShoutOut(("U2",), '=HYPERLINK("http://evil.example","thanks")'))
    reply = await drive.say("U-ADMIN", c.ExportCsv(), admin=True)
    files = {a.filename: list(csv.DictReader(io.StringIO(a.content.decode()))) for a in reply.attachments}
    assert files["jembatan-shoutouts.csv"][0]["text"] == '\'=HYPERLINK("http://evil.example","thanks")'
