"""The first round is the one set-up announced: no slot from before the program (or before its
schedule last changed) ever runs, a `round now` stands for its period, and a round missed
while the bot was down is still caught up. Driven through the tick on the fake clock."""

from datetime import UTC, datetime

from tests.drive import Driver


async def _rounds(drive: Driver) -> list[str]:
    program = await drive.program()
    async with drive.app.store.unit() as uow:
        return sorted(await uow.scoped(program.tenant_id).rounds.periods(program.id))


async def test_setting_up_on_a_tuesday_runs_nothing_until_the_monday_it_announced(drive: Driver) -> None:
    from bot import commands as c

    drive.clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    reply = await drive.setup()  # the default slot: Mondays 09:00
    assert "First round: 2026-12-07 09:00" in reply.text
    await drive.say("U1", c.Join("Sales"))
    for _ in range(3):
        drive.clock.advance(seconds=5)
        report = await drive.tick()
        assert report.rounds == []
    assert drive.messenger.sent == []  # no announcement, no "nobody to pair with" DM
    drive.clock.now = datetime(2026, 12, 7, 2, 0, 5, tzinfo=UTC)
    await drive.tick()
    assert await _rounds(drive) == ["2026-12-07"]


async def test_set_up_on_yesterdays_weekday_waits_a_week(drive: Driver) -> None:
    drive.clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    reply = await drive.setup(weekday="monday", time="10:00")
    assert "First round: 2026-12-07 10:00" in reply.text
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(12)})
    drive.clock.advance(seconds=22)
    await drive.tick()
    assert await _rounds(drive) == []


async def test_round_now_then_a_restart_makes_one_round_that_week(drive: Driver) -> None:
    from bot import commands as c

    drive.clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday, the day after the slot
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(12)})
    await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)
    drive.clock.advance(minutes=10)  # a restart: the first tick of a new process
    await drive.tick()
    assert await _rounds(drive) == ["2026-12-07"]  # the round brought forward, and only it
    drive.clock.now = datetime(2026, 12, 7, 2, 1, tzinfo=UTC)
    await drive.tick()
    assert await _rounds(drive) == ["2026-12-07"]


async def test_a_round_missed_while_the_bot_was_down_is_still_caught_up(drive: Driver) -> None:
    await drive.setup()  # Friday 27 Nov: Monday 30 Nov is the first round
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(4)})
    drive.clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # back up 23 hours after the slot
    report = await drive.tick()
    assert [r.period for r in report.rounds] == ["2026-11-30"]


async def test_moving_the_slot_to_a_time_already_past_does_not_run_it(drive: Driver) -> None:
    await drive.setup()  # Mondays 09:00, set up on Friday
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(4)})
    drive.clock.now = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # Monday 08:30 in Jakarta
    reply = await drive.setup(time="08:00")
    assert "Next round: 2026-12-07 08:00" in reply.text
    await drive.tick()
    assert await _rounds(drive) == []
    drive.clock.now = datetime(2026, 12, 7, 1, 0, 5, tzinfo=UTC)
    await drive.tick()
    assert await _rounds(drive) == ["2026-12-07"]


async def test_changing_only_the_group_size_keeps_a_missed_round_caught_up(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(6)})
    drive.clock.now = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday noon: the bot was down at 09:00
    await drive.setup(group_size=3)
    await drive.tick()
    assert await _rounds(drive) == ["2026-11-30"]


async def test_round_now_after_a_missed_slot_stands_for_it(drive: Driver) -> None:
    from bot import commands as c

    await drive.setup()  # Friday 27 Nov: Monday 30 Nov is the first round
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(6)})
    drive.clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # down on Monday; back Tuesday
    await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)  # before the first tick
    await drive.tick()
    assert await _rounds(drive) == ["2026-12-07"]  # one round this week, not a catch-up as well


async def test_a_round_brought_forward_under_an_old_schedule_never_silences_the_new_one(
    drive: Driver,
) -> None:
    from bot import commands as c

    drive.clock.now = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # Tuesday 10:00 in Jakarta
    await drive.setup(cadence="monthly")
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(6)})
    await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)  # claims the monthly period of 4 Jan
    drive.clock.advance(hours=1)
    await drive.setup(cadence="weekly")  # the admin switches to weekly right after
    for day in (14, 21, 28):
        drive.clock.now = datetime(2026, 12, day, 2, 5, tzinfo=UTC)  # Mondays 09:05 in Jakarta
        await drive.tick()
    assert {"2026-12-14", "2026-12-21", "2026-12-28"} <= set(await _rounds(drive))
