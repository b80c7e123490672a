"""Admins rename and merge divisions; every admin change lands in the audit list, from any door."""

from __future__ import annotations

from bot import commands as c
from bot.services.dashboard import Dashboard
from tests.drive import ADMIN, Driver


async def _audit(drive: Driver) -> list[tuple[str, str, dict[str, object]]]:
    program = await drive.program()
    page = await Dashboard(drive.app.store).settings(program.tenant_id, program.id)
    assert page is not None
    return [(e.user_id, e.action, e.details) for e in page.audit]


async def test_eng_and_engineering_merge_into_engineering_for_the_whole_program(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Eng", "U2": "engineering", "U3": "Sales", "U4": "ENGINEERING "})
    await drive.run_round()
    reply = await drive.say(ADMIN, c.RenameDivision(("eng", "Engineering"), "Engineering"), admin=True)
    assert "Engineering" in reply.text and "3 people" in reply.text
    status = await drive.say("U1", c.Status())
    assert "Engineering" in status.text
    program = await drive.program()
    divisions = await Dashboard(drive.app.store).divisions(program.tenant_id, program.id)
    assert divisions == ["Engineering", "Sales"]  # the past groups were renamed too
    again = await drive.say(ADMIN, c.RenameDivision(("engineering",), "Engineering"), admin=True)
    assert "nothing changed" in again.text


async def test_renaming_is_for_admins_and_a_bad_name_changes_nothing(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Eng", "U2": "Sales"})
    refused = await drive.say("U2", c.RenameDivision(("Eng",), "Engineering"))
    assert "only workspace admins" in refused.text.lower()
    unknown = await drive.say(ADMIN, c.RenameDivision(("Legal",), "Law"), admin=True)
    assert "Nobody in this program" in unknown.text
    empty = await drive.say(ADMIN, c.RenameDivision(("Eng",), "   "), admin=True)
    assert "Name the divisions to rename, and the new name" in empty.text
    control = await drive.say(ADMIN, c.RenameDivision(("Eng",), "Eng\u202eineering"), admin=True)
    assert "hidden characters" in control.text
    assert "Eng" in (await drive.say("U1", c.Status())).text
    assert [action for _, action, _ in await _audit(drive)] == ["SetupProgram"]


async def test_admin_changes_from_chat_are_audited_with_what_changed(drive: Driver) -> None:
    await drive.setup()
    await drive.say(ADMIN, c.SetupProgram(weekday="wednesday", group_size=3), admin=True)
    await drive.say(ADMIN, c.SetupProgram(weekday="wednesday"), admin=True)  # no change: no line
    await drive.say(ADMIN, c.PreviewRound(), admin=True)  # a read: no line
    await drive.say(ADMIN, c.ExportCsv(), admin=True)
    await drive.say("U-NOT", c.SetupProgram(weekday="friday"))  # refused: no line
    entries = await _audit(drive)
    assert [action for _, action, _ in entries] == ["ExportCsv", "SetupProgram", "SetupProgram"]
    assert entries[1] == (
        ADMIN,
        "SetupProgram",
        {"changes": {"weekday": ["monday", "wednesday"], "group_size": ["2", "3"]}},
    )
    assert entries[2][2]["created"] is True
