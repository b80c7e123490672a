"""Rounds: on schedule, once, everyone told, nobody dropped silently, no ghosts."""

import asyncio

from bot import commands as c
from bot.domain.model import MemberStatus
from bot.messages import CheckIn, Intro, Notice, RoundAnnouncement
from bot.services.rounds import due_rounds
from tests.drive import Driver


async def test_nothing_happens_before_the_scheduled_time(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    report = await drive.tick()
    assert report.rounds == [] and drive.messenger.sent == []


async def test_the_round_announces_in_the_channel_and_introduces_each_group_privately(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance", "Legal", "Ops"][i % 4] for i in range(8)})
    await drive.run_round()
    announcement = drive.messenger.of_kind(RoundAnnouncement)
    assert len(announcement) == 1 and announcement[0].conversation == "C-PAIRS"
    assert drive.messenger.sent[0].message is announcement[0].message  # the channel hears first
    intros = drive.messenger.of_kind(Intro)
    assert len(intros) == 4 == len(drive.messenger.opened)
    assert {s.conversation for s in intros} == {f"G-{to.group_id}" for to in drive.messenger.opened}
    for sent in intros:
        intro = sent.message
        assert isinstance(intro, Intro)
        assert "You work in different divisions." in intro.reasons
        assert [b.label for b in intro.buttons] == ["We met ✅", "Not yet", "Skip this round"]


async def test_an_odd_count_makes_one_trio_and_nobody_is_left_out(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(7)})
    await drive.run_round()
    sizes = sorted(len(g.members) for g in await drive.latest_groups())
    assert sizes == [2, 2, 3]


async def test_a_lone_member_is_told_why_they_sit_out(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U1", c.Join("Sales"))
    await drive.run_round()
    notices = drive.messenger.of_kind(Notice)
    assert [n.conversation for n in notices] == ["DM-U1"]
    assert "first in line" in notices[0].message.text  # type: ignore[union-attr]
    assert "Not enough people" in drive.messenger.of_kind(RoundAnnouncement)[0].message.text  # type: ignore[union-attr]


async def test_required_crossing_leaves_the_surplus_of_one_division_out_and_tells_them(drive: Driver) -> None:
    await drive.setup(cross_division="require")
    await drive.join_many({"U1": "Sales", "U2": "Sales", "U3": "Sales", "U4": "Sales", "U5": "Finance"})
    await drive.run_round()
    (group,) = await drive.latest_groups()
    assert "U5" in group.user_ids and len(group.user_ids) == 3  # the odd count's one trio: Finance + 2 Sales
    notices = drive.messenger.of_kind(Notice)
    assert sorted(n.conversation for n in notices) == sorted(
        f"DM-{u}" for u in {"U1", "U2", "U3", "U4"} - set(group.user_ids)
    )
    assert all("other divisions" in n.message.text for n in notices)  # type: ignore[union-attr]


async def test_a_blocked_pair_is_never_matched(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Sales", "U4": "Finance"})
    await drive.say("U-ADMIN", c.BlockPair("U1", "U2"), admin=True)
    for _ in range(4):
        await drive.run_round()
        for group in await drive.latest_groups():
            assert {"U1", "U2"} - set(group.user_ids)


async def test_a_round_is_claimed_once_even_when_two_ticks_race(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": "Sales" for i in range(6)})
    program = await drive.program()
    from bot.domain import schedule

    drive.clock.now = schedule.next_after(program.config, drive.clock.now).due
    results = await asyncio.gather(*(due_rounds(drive.app.deps) for _ in range(4)))
    assert sum(len(r) for r in results) == 1
    await drive.app.relay.drain()
    assert len(drive.messenger.of_kind(RoundAnnouncement)) == 1
    assert len(drive.messenger.of_kind(Intro)) == 3


async def test_a_round_missed_while_the_bot_was_down_is_caught_up_once(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    drive.clock.advance(days=8)  # next Monday 09:00 passed a day ago
    first = await drive.tick()
    second = await drive.tick()
    assert len(first.rounds) == 1 and second.rounds == []


async def test_check_in_goes_half_way_only_to_groups_that_have_not_reported(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(4)})
    await drive.run_round()
    groups = await drive.latest_groups()
    await drive.say(groups[0].user_ids[0], c.RecordOutcome(groups[0].id, "met"))
    drive.clock.advance(days=3)
    assert (await drive.tick()).checkins == 0
    drive.clock.advance(hours=13)
    report = await drive.tick()
    assert report.checkins == 1
    checkins = drive.messenger.of_kind(CheckIn)
    assert [s.conversation for s in checkins] == [f"G-{groups[1].id}"]
    assert (await drive.tick()).checkins == 0


async def test_after_three_silent_rounds_a_member_is_paused_and_asked(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    for _ in range(4):
        await drive.run_round()
    notices = [n for n in drive.messenger.of_kind(Notice) if n.message.buttons]  # type: ignore[union-attr]
    assert sorted(n.conversation for n in notices) == ["DM-U1", "DM-U2"]
    labels = [b.label for b in notices[0].message.buttons]  # type: ignore[union-attr]
    assert labels == ["Keep me in", "Ask me later", "Take me out"]
    await drive.run_round()
    assert await drive.latest_groups() == []  # both paused: no ghosts paired again
    program = await drive.program()
    await drive.say("U1", c.AnswerStillIn(program.id, "keep"))  # type: ignore[arg-type]
    await drive.say("U2", c.AnswerStillIn(program.id, "keep"))  # type: ignore[arg-type]
    await drive.run_round()
    assert len(await drive.latest_groups()) == 1


async def test_answering_take_me_out_leaves_and_ask_me_later_pauses_four_weeks(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    program = await drive.program()
    later = await drive.say("U1", c.AnswerStillIn(program.id, "later"))  # type: ignore[arg-type]
    assert "2026-12-25" in later.text and later.update
    out = await drive.say("U2", c.AnswerStillIn(program.id, "out"))  # type: ignore[arg-type]
    assert "left" in out.text
    async with drive.app.store.unit() as uow:
        scope = uow.scoped(program.tenant_id)
        statuses = {m.person.user_id: m.status for m in await scope.memberships.of_program(program.id)}
    assert statuses == {"U1": MemberStatus.PAUSED, "U2": MemberStatus.LEFT}


async def test_no_pair_repeats_while_new_partners_remain(drive: Driver) -> None:
    await drive.setup()
    people = {f"U{i}": ["Sales", "Finance", "Legal"][i % 3] for i in range(6)}
    await drive.join_many(people)
    seen: set[frozenset[str]] = set()
    for _ in range(3):
        await drive.run_round()
        groups = await drive.latest_groups()
        for group in groups:
            await drive.say(group.user_ids[0], c.RecordOutcome(group.id, "met"))
            pair = frozenset(group.user_ids)
            assert pair not in seen
            seen.add(pair)


async def test_reconnect_nudge_after_three_months_at_most_monthly(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.run_round()
    group = (await drive.latest_groups())[0]
    await drive.say("U1", c.RecordOutcome(group.id, "met"))
    await drive.say("U1", c.Pause())
    await drive.say("U2", c.Pause())
    drive.clock.advance(days=92)
    await drive.say("U1", c.Resume())
    await drive.say("U2", c.Resume())
    await drive.join_many({"U3": "Legal", "U4": "Ops"})  # new partners, so U1 and U2 are not re-paired
    await drive.run_round()
    nudges = [n for n in drive.messenger.of_kind(Notice) if "few months" in n.message.text]  # type: ignore[union-attr]
    assert sorted(n.conversation for n in nudges) == ["DM-U1", "DM-U2"]
    await drive.run_round()
    again = [n for n in drive.messenger.of_kind(Notice) if "few months" in n.message.text]  # type: ignore[union-attr]
    assert len(again) == 2  # not again within the month
