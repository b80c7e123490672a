"""Members look after themselves: join, pause, profile, status, export and erase."""

import json

from bot import commands as c
from bot.domain.model import MemberStatus
from bot.messages import Intro
from tests.drive import ADMIN, CHANNEL, Driver


async def _membership(drive: Driver, user: str) -> MemberStatus | None:
    program = await drive.program()
    async with drive.app.store.unit() as uow:
        scope = uow.scoped(program.tenant_id)
        person = await scope.people.by_user(user)
        membership = await scope.memberships.get(program.id, person.id) if person else None
        return membership.status if membership else None


async def test_join_in_a_channel_without_a_program_asks_for_an_admin_setup(drive: Driver) -> None:
    reply = await drive.say("U1", c.Join("Sales"))
    assert "setup" in reply.text
    await drive.setup()
    reply = await drive.say("U1", c.Join("Sales"), channel="C-OTHER")
    assert "setup" in reply.text


async def test_joining_welcomes_and_names_the_next_round(drive: Driver) -> None:
    await drive.setup()
    reply = await drive.say("U1", c.Join("Sales"))
    assert "Welcome" in reply.text and "Monday 30 Nov 09:00 Asia/Jakarta" in reply.text
    again = await drive.say("U1", c.Join())
    assert "already" in again.text
    assert await _membership(drive, "U1") is MemberStatus.ACTIVE


async def test_joining_without_a_division_gets_a_gentle_tip(drive: Driver) -> None:
    await drive.setup()
    reply = await drive.say("U1", c.Join())
    assert "division Finance" in reply.text


async def test_a_member_can_use_commands_from_a_direct_message(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U1", c.Join("Sales"))
    reply = await drive.say("U1", c.Pause("2"), channel=None)
    assert "2026-12-11" in reply.text
    assert await _membership(drive, "U1") is MemberStatus.PAUSED


async def test_bad_pause_changes_nothing_and_says_what_to_type(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U1", c.Join("Sales"))
    reply = await drive.say("U1", c.Pause("13"))
    assert "pause 2" in reply.text
    assert await _membership(drive, "U1") is MemberStatus.ACTIVE


async def test_paused_and_departed_people_are_not_paired_and_resume_brings_them_back(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    await drive.say("U1", c.Pause())
    await drive.say("U2", c.Leave())
    await drive.run_round()
    paired = {u for g in await drive.latest_groups() for u in g.user_ids}
    assert paired == {"U3", "U4"}
    await drive.say("U1", c.Resume())
    await drive.run_round()
    paired = {u for g in await drive.latest_groups() for u in g.user_ids}
    assert paired == {"U1", "U3", "U4"}


async def test_a_timed_pause_ends_by_itself(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal"})
    await drive.say("U1", c.Pause("1"))
    await drive.run_round()
    assert "U1" not in {u for g in await drive.latest_groups() for u in g.user_ids}
    await drive.run_round()
    assert "U1" in {u for g in await drive.latest_groups() for u in g.user_ids}


async def test_leaving_keeps_history_for_stats_but_stops_pairing(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    reply = await drive.say("U1", c.Leave())
    assert "left" in reply.text
    stats = await drive.say("U-ADMIN", c.ShowStats(), admin=True)
    assert "1 active · 0 paused · 1 left" in stats.text
    assert "Groups: 1" in stats.text


async def test_profile_changes_are_validated_and_shown_in_status(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U1", c.Join("Sales"))
    await drive.say("U1", c.SetDivision("Customer  Success"))
    await drive.say("U1", c.SetTimezone("europe/amsterdam"))
    await drive.say("U1", c.SetInterests("chess, jazz"))
    bad = await drive.say("U1", c.UpdateProfile(division="Ops", timezone="Mars/Base", interests="x"))
    assert "Area/City" in bad.text
    status = await drive.say("U1", c.Status())
    assert "Customer Success · Europe/Amsterdam · interests: chess, jazz" in status.text
    assert "Next round: Monday 30 Nov 03:00 Europe/Amsterdam" in status.text


async def test_status_shows_the_current_partner_and_people_met(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    group = (await drive.latest_groups())[0]
    await drive.say("U2", c.RecordOutcome(group.id, "met"))
    status = await drive.say("U1", c.Status())
    assert "<@U2>" in status.text and "(status: met)" in status.text
    assert "met 1 colleague from 1 other division" in status.text


async def test_export_hands_over_everything_stored_as_json(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.say("U1", c.SetInterests("jazz"))
    await drive.run_round()
    await drive.say("U1", c.GiveShoutOut(("U2",), "great demo"))
    reply = await drive.say("U1", c.ExportMyData())
    document = json.loads(reply.attachments[0].content)
    assert document["division"] == "Sales" and document["interests"] == ["jazz"]
    assert document["memberships"][0]["channel"] == CHANNEL
    assert document["meetings"][0]["with"] == ["U2"]
    assert document["shoutouts_given"][0]["text"] == "great demo"


async def test_forget_me_asks_first_then_erases_and_leaves_partners_an_anonymous_colleague(
    drive: Driver,
) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    group = (await drive.latest_groups())[0]
    await drive.say("U2", c.RecordOutcome(group.id, "met"))
    first = await drive.say("U1", c.ForgetMe())
    assert "forget confirm" in first.text
    assert await _membership(drive, "U1") is MemberStatus.ACTIVE
    await drive.say("U1", c.ForgetMe(confirmed=True))
    assert await _membership(drive, "U1") is None
    export = await drive.say("U1", c.ExportMyData())
    assert export.attachments == () and "don't hold any data" in export.text
    status = await drive.say("U2", c.Status())
    assert "a colleague" in status.text and "met 1 colleague" in status.text
    stats = await drive.say("U-ADMIN", c.ShowStats(), admin=True)
    assert "Distinct connections made: 1" in stats.text


async def test_intro_never_reaches_someone_who_left_before_the_round(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal"})
    drive.directory.departed.add("U3")
    await drive.run_round()
    intros = drive.messenger.of_kind(Intro)
    assert len(intros) == 1 and "U3" not in str(intros[0].message)
    assert await _membership(drive, "U3") is MemberStatus.LEFT


async def _cells_naming(drive: Driver, user_id: str) -> list[str]:
    """Every stored value, in every table, that is or contains this user id as a JSON string."""
    from sqlalchemy import select

    from bot.store.tables import metadata

    found: list[str] = []
    async with drive.app.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                for column, value in row.items():
                    text = str(value)
                    if text == user_id or json.dumps(user_id) in text:
                        found.append(f"{table.name}.{column}")
    return found


async def test_forget_me_leaves_no_row_that_names_the_person(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "People"})
    await drive.say(ADMIN, c.GrantAdmin("U1"), admin=True)
    setup = c.SetupProgram(cadence="monthly", weekday="friday", time="15:00", timezone="Asia/Jakarta")
    await drive.say("U1", setup, channel="C-SOCIAL")  # as an admin, U1 sets up a second program
    await drive.run_round()  # intros naming U1 are delivered and kept as sent rows
    mine = next(g for g in await drive.latest_groups() if "U1" in [m.user_id for m in g.members])
    await drive.say("U1", c.RecordOutcome(mine.id, "met"))  # their click, their first milestone
    await drive.say("U2", c.GiveShoutOut(("U1",), "thanks for the tour of the warehouse"))
    for other in ("U2", "U3", "U4"):
        await drive.say(ADMIN, c.BlockPair("U1", other), admin=True)
    drive.clock.advance(days=7)
    await drive.app.ticker.tick()  # round 2: U1 sits out, and a DM saying why waits in the outbox
    async with drive.app.store.unit() as uow:
        tenant_id = await uow.tenants.find(drive.tenant)
        assert tenant_id is not None
        person = await uow.scoped(tenant_id).people.by_user("U1")
    assert person is not None
    milestone_owner = f"person:{person.id}"
    assert await _cells_naming(drive, milestone_owner) == ["achievements.owner"]
    stored = set(await _cells_naming(drive, "U1"))
    # Every place a person's id ends up, so the assertion after forgetting can fail.
    expected = {
        "people.user_id",
        "admins.user_id",
        "groups.outcome_by",
        "outbox.destination",
        "programs.set_up_by",
    }
    assert expected <= stored, stored
    assert {"outbox.message"} <= stored, stored
    direct_before = len(drive.messenger.to("DM-U1"))

    await drive.say("U1", c.ForgetMe(confirmed=True))

    assert await _cells_naming(drive, "U1") == []
    assert await _cells_naming(drive, milestone_owner) == []
    await drive.app.relay.run_once()
    assert len(drive.messenger.to("DM-U1")) == direct_before, "a DM reached them after they were forgotten"
