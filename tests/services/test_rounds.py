"""A round and what follows it (intros, sitting out, check-ins, nudges, blocks, admins), run on the
in-memory unit of work: the pairing engine's input and what the services queue, no database."""

from bot import commands as c
from bot.messages import CheckIn, Intro, Notice, RoundAnnouncement, ToChannel, ToGroup, ToUser
from tests.services.world import ADMIN, CHANNEL, World


async def test_a_round_announces_in_the_channel_and_introduces_each_group(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    await world.run_round()
    [announcement] = await world.queued(RoundAnnouncement)
    assert announcement.destination == ToChannel(CHANNEL)
    intros = await world.queued(Intro)
    assert len(intros) == 2 and all(isinstance(q.destination, ToGroup) for q in intros)
    paired = sorted(u for g in await world.latest_groups() for u in g.user_ids)
    assert paired == ["U1", "U2", "U3", "U4"]


async def test_a_lone_member_is_told_why_they_sit_out(world: World) -> None:
    await world.setup()
    await world.say("U1", c.Join("Sales"))
    await world.run_round()
    [notice] = await world.queued(Notice)
    assert notice.destination == ToUser("U1") and notice.key.startswith("unpaired:")


async def test_a_blocked_pair_is_never_matched(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    await world.say(ADMIN, c.BlockPair("U1", "U2"), admin=True)
    for _ in range(3):
        await world.run_round()
        assert all({"U1", "U2"} - set(g.user_ids) for g in await world.latest_groups())


async def test_blocking_is_for_admins_until_one_grants_it(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal"})
    assert "admin" in (await world.say("U3", c.BlockPair("U1", "U2"))).text
    await world.say(ADMIN, c.GrantAdmin("U3"), admin=True)
    await world.say("U3", c.BlockPair("U1", "U2"))
    await world.run_round()
    assert all({"U1", "U2"} - set(g.user_ids) for g in await world.latest_groups())


async def test_a_round_runs_once_per_period_however_often_the_clock_ticks(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance"})
    await world.run_round()
    await world.tick()
    assert len(await world.queued(RoundAnnouncement)) == 1


async def test_check_in_goes_half_way_only_to_groups_that_have_not_reported(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "Ops"})
    await world.run_round()
    reported, silent = await world.latest_groups()
    await world.say(reported.user_ids[0], c.RecordOutcome(reported.id, "met"))
    world.clock.advance(days=4)
    await world.tick()
    await world.tick()
    assert [q.group_id for q in await world.queued(CheckIn)] == [silent.id]


async def test_an_old_friend_is_suggested_after_three_months_at_most_monthly(world: World) -> None:
    await world.setup()
    await world.join_many({"U1": "Sales", "U2": "Finance"})
    await world.run_round()
    group = (await world.latest_groups())[0]
    await world.say("U1", c.RecordOutcome(group.id, "met"))
    await world.say("U1", c.Pause())
    await world.say("U2", c.Pause())
    world.clock.advance(days=92)
    await world.say("U1", c.Resume())
    await world.say("U2", c.Resume())
    await world.join_many({"U3": "Legal", "U4": "Ops"})  # new partners, so U1 and U2 are not re-paired

    async def nudged() -> list[str]:
        return [str(q.destination) for q in await world.queued(Notice) if q.key.startswith("nudge:")]

    await world.run_round()
    assert sorted(await nudged()) == [str(ToUser("U1")), str(ToUser("U2"))]
    await world.run_round()
    assert len(await nudged()) == 2  # not again within the month
