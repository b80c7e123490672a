"""Shout-outs, recorded outcomes, milestones and the leaderboard, on the in-memory unit of work."""

from bot import commands as c
from bot.domain.model import MemberStatus, StillInChoice
from bot.messages import Notice, ShoutOut, ToChannel
from tests.services.world import CHANNEL, World


async def _paired(world: World, people: dict[str, str | None]) -> None:
    await world.setup()
    await world.join_many(people)
    await world.run_round()


async def test_five_shout_outs_a_week_then_a_kind_no(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance"})
    for n in range(5):
        assert "posted" in (await world.say("U1", c.GiveShoutOut(("U2",), f"thanks #{n}"))).text
    assert "weekly limit" in (await world.say("U1", c.GiveShoutOut(("U2",), "one more"))).text
    posts = await world.queued(ShoutOut)
    assert len(posts) == 5 and {p.destination for p in posts} == {ToChannel(CHANNEL)}
    world.clock.advance(days=7, minutes=1)
    assert "posted" in (await world.say("U1", c.GiveShoutOut(("U2",), "new week"))).text


async def test_nobody_thanks_themself_or_nobody(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    await world.say("U1", c.GiveShoutOut(("U1",), "me"))
    await world.say("U1", c.GiveShoutOut((), "no one"))
    assert await world.queued(ShoutOut) == []


async def test_a_click_records_the_outcome_once_and_only_for_the_group(world: World) -> None:
    await _paired(world, {"U1": "Sales", "U2": "Finance"})
    group = (await world.latest_groups())[0]
    assert "another group" in (await world.say("U-STRANGER", c.RecordOutcome(group.id, "met"))).text
    first = await world.say("U1", c.RecordOutcome(group.id, "met"))
    assert first.update and "says you met" in first.update
    assert "Already recorded" in (await world.say("U2", c.RecordOutcome(group.id, "met"))).text
    assert (await world.latest_groups())[0].outcome.value == "met"


async def test_a_first_meetup_is_celebrated_once_in_the_next_digest(world: World) -> None:
    await _paired(world, {"U1": "Sales", "U2": "Finance"})
    group = (await world.latest_groups())[0]
    await world.say("U1", c.RecordOutcome(group.id, "met"))
    await world.say("U2", c.RecordOutcome(group.id, "not_yet"))
    await world.say("U2", c.RecordOutcome(group.id, "met"))
    world.clock.advance(hours=1)
    await world.tick()
    await world.tick()
    [digest] = await world.queued(ShoutOut)
    assert "First Jembatan meetup" in digest.message.text
    assert "<@U1>" in digest.message.text and "<@U2>" in digest.message.text


async def test_the_leaderboard_adds_shout_outs_received_and_meetups(world: World) -> None:
    await _paired(world, {"U1": "Sales", "U2": "Finance"})
    group = (await world.latest_groups())[0]
    await world.say("U1", c.RecordOutcome(group.id, "met"))
    await world.say("U1", c.GiveShoutOut(("U2",), "great chat"))
    lines = (await world.say("U1", c.Leaderboard("month"))).text.splitlines()
    assert lines[1].startswith("1. <@U2> – 2 points · 1 received · 0 given")
    assert "<@U1> – 1 point · 0 received · 1 given" in lines[2]
    assert "1. Finance – 2 points" in (await world.say("U1", c.Leaderboard("all", by_division=True))).text
    assert "week`, `month` or `all`" in (await world.say("U1", c.Leaderboard("year"))).text


async def test_a_quiet_program_has_an_empty_leaderboard(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    assert "No shout-outs or meetups" in (await world.say("U1", c.Leaderboard("week"))).text


async def test_three_silent_rounds_pause_and_ask_and_later_pauses_four_weeks(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance"})
    for _ in range(4):  # the fourth round closes the third silent one
        await world.run_round()
    assert await world.status_of("U1") is MemberStatus.PAUSED
    asked = [q for q in await world.queued(Notice) if q.key.startswith("stillin:")]
    assert len(asked) == 2
    program = await world.program()
    reply = await world.say("U1", c.AnswerStillIn(program.id, StillInChoice.LATER))
    assert "2027-01" in reply.text
    await world.say("U2", c.AnswerStillIn(program.id, StillInChoice.KEEP))
    assert await world.status_of("U2") is MemberStatus.ACTIVE
