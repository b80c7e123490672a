"""Members look after themselves (join, leave, pause, resume, profile), run on the in-memory
unit of work: the rules, with no database."""

from bot import commands as c
from bot.domain.model import MemberStatus
from bot.services.members import known_divisions
from tests.services.world import TENANT, World


async def test_joining_welcomes_once_and_names_the_next_round(world: World) -> None:
    await world.setup()
    reply = await world.say("U1", c.Join("Sales"))
    assert "Welcome" in reply.text and "Monday 30 Nov 09:00 Asia/Jakarta" in reply.text
    assert "already" in (await world.say("U1", c.Join())).text
    assert await world.status_of("U1") is MemberStatus.ACTIVE


async def test_joining_without_a_division_gets_a_tip_and_with_one_does_not(world: World) -> None:
    await world.setup()
    assert "division Finance" in (await world.say("U1", c.Join())).text
    assert "division Finance" not in (await world.say("U2", c.Join("Sales"))).text


async def test_join_where_no_program_runs_asks_for_a_setup(world: World) -> None:
    assert "setup" in (await world.say("U1", c.Join("Sales"))).text


async def test_pause_names_the_day_it_ends_and_resume_brings_them_back(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    assert "2026-12-11" in (await world.say("U1", c.Pause("2"))).text
    assert await world.status_of("U1") is MemberStatus.PAUSED
    await world.say("U1", c.Resume())
    assert await world.status_of("U1") is MemberStatus.ACTIVE


async def test_a_bad_pause_is_refused_and_changes_nothing(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    assert "pause 2" in (await world.say("U1", c.Pause("13"))).text
    assert await world.status_of("U1") is MemberStatus.ACTIVE


async def test_leaving_then_pausing_says_they_are_not_a_member(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    await world.say("U1", c.Leave())
    assert await world.status_of("U1") is MemberStatus.LEFT
    refused = await world.say("U1", c.Pause("2"))
    assert await world.status_of("U1") is MemberStatus.LEFT
    assert "join" in refused.text


async def test_one_bad_profile_field_changes_no_field(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    await world.say("U1", c.UpdateProfile("Finance", "Mars/Olympus", "jazz"))
    status = (await world.say("U1", c.Status())).text
    assert "Sales" in status and "Finance" not in status and "jazz" not in status


async def test_a_command_delivered_twice_acts_once(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    await world.say("U1", c.Pause("2"), delivery_id="d-1")
    await world.say("U1", c.Resume())
    replay = await world.say("U1", c.Pause("2"), delivery_id="d-1")
    assert "arrived twice" in replay.text
    assert await world.status_of("U1") is MemberStatus.ACTIVE


async def test_the_division_picker_offers_the_most_used_spelling(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Finance", "U2": "Finance", "U3": "finance", "U4": "Sales"})
    assert await known_divisions(world.deps, TENANT) == ["Finance", "Sales"]
