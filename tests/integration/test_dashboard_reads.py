"""The dashboard's read models: what an admin sees about a program, its rounds and its people."""

from __future__ import annotations

from statistics import median

from bot import commands as c
from bot.domain.model import MemberStatus, Outcome, Platform, TenantRef
from bot.domain.network import cross_colleagues, histogram, reach
from bot.domain.stats import compute
from bot.services.dashboard import Dashboard
from tests.drive import Driver


async def _tenant_and_program(drive: Driver) -> tuple[int, int]:
    program = await drive.program()
    return program.tenant_id, program.id


async def _two_rounds(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Sales", "U3": "Finance", "U4": "Finance", "U5": "Legal"})
    await drive.run_round()
    for group in await drive.latest_groups():
        await drive.say(group.user_ids[0], c.RecordOutcome(group.id, "met"))
    await drive.say("U5", c.Leave())
    await drive.run_round()


async def test_overview_counts_rounds_meetups_reach_and_the_division_network(drive: Driver) -> None:
    await _two_rounds(drive)
    tenant_id, program_id = await _tenant_and_program(drive)
    overview = await Dashboard(drive.app.store).overview(tenant_id, program_id)
    assert overview is not None
    assert (overview.stats.active, overview.stats.left) == (4, 1)
    assert len(overview.rounds) == 2
    first, second = overview.rounds
    assert first.groups == 2 and first.met == 2 and first.meetup_rate == 1.0
    # Five people in a pair and a trio, two Sales, two Finance, one Legal: every pair can cross.
    assert first.cross_pairs == first.ceiling == first.pairs == 4
    assert second.met == 0 and second.groups == 2
    assert [p.in_round for p in overview.participation] == [5, 4]
    assert overview.participation[1].left == 1
    # Everyone met two or three colleagues of another division in round one.
    assert overview.cross_colleagues_median >= 1
    assert sum(overview.cross_colleagues_histogram) == 4
    assert {n.name: n.members for n in overview.nodes} == {"Sales": 2, "Finance": 2}
    assert sum(link.meetups for link in overview.links) == 4
    assert all(link.first != link.second for link in overview.links)


async def test_round_detail_shows_groups_reasons_outcomes_and_who_sat_out(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Sales"})
    await drive.say("U-ADMIN", c.BlockPair("U1", "U3"), admin=True)
    await drive.say("U-ADMIN", c.BlockPair("U2", "U3"), admin=True)
    await drive.run_round()
    tenant_id, program_id = await _tenant_and_program(drive)
    dash = Dashboard(drive.app.store)
    listing = await dash.rounds(tenant_id, program_id)
    assert listing is not None
    _, lines = listing
    assert len(lines) == 1 and lines[0].sat_out == 1
    detail = await dash.round(tenant_id, program_id, lines[0].round_id)
    assert detail is not None
    assert [sorted(s.user_id or "" for s in g.members) for g in detail.groups] == [["U1", "U2"]]
    assert detail.groups[0].outcome is Outcome.PENDING
    assert "cross_division" in detail.groups[0].reasons
    assert detail.sat_out == (("U3", "blocked"),)


async def test_people_lists_status_division_zone_rounds_and_meetups(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal"})
    await drive.say("U1", c.SetTimezone("Asia/Makassar"))
    await drive.say("U3", c.Pause(2))
    await drive.run_round()
    group = (await drive.latest_groups())[0]
    await drive.say("U1", c.RecordOutcome(group.id, "met"))
    tenant_id, program_id = await _tenant_and_program(drive)
    page = await Dashboard(drive.app.store).people(tenant_id, program_id)
    assert page is not None
    by_user = {p.user_id: p for p in page.people}
    assert by_user["U1"].timezone == "Asia/Makassar"
    assert (by_user["U1"].rounds, by_user["U1"].meetups) == (1, 1)
    assert by_user["U3"].status is MemberStatus.PAUSED and by_user["U3"].rounds == 0
    assert page.people[-1].user_id == "U3"  # paused after those taking part


async def test_another_tenants_program_is_not_found(drive: Driver) -> None:
    await _two_rounds(drive)
    _, program_id = await _tenant_and_program(drive)
    other = TenantRef(Platform.SLACK, "T-OTHER")
    await drive.say("U-ADMIN", c.SetupProgram("weekly", "monday", "09:00", "UTC"), admin=True, tenant=other)
    async with drive.app.store.unit() as uow:
        other_id = await uow.tenants.find(other)
    assert other_id is not None
    dash = Dashboard(drive.app.store)
    assert await dash.overview(other_id, program_id) is None
    assert await dash.people(other_id, program_id) is None
    assert await dash.rounds(other_id, program_id) is None
    assert [card.program_id for card in await dash.programs([other_id])] != [program_id]


async def test_the_counts_the_database_adds_up_match_the_stats_computed_seat_by_seat(drive: Driver) -> None:
    """The overview counts in SQL; the stats read every seat and count in Python. Over rounds
    with trios, people without a division, someone who left and someone forgotten, both agree."""
    await drive.setup(group_size="3")
    await drive.join_many(
        {
            "U1": "Sales",
            "U2": "Sales",
            "U3": "Sales",
            "U4": "Finance",
            "U5": "Finance",
            "U6": None,
            "U7": "Legal",
        }
        | {"U8": None, "U9": "Legal", "U10": "Ops", "U11": "Sales"}
    )
    for turn in range(4):
        await drive.run_round()
        for i, group in enumerate(await drive.latest_groups()):
            if (i + turn) % 3 != 2:
                await drive.say(
                    group.user_ids[0], c.RecordOutcome(group.id, "met" if i % 2 == 0 else "not_yet")
                )
        if turn == 1:
            await drive.say("U5", c.Leave())
        if turn == 2:
            await drive.say("U6", c.ForgetMe(confirmed=True))
    tenant_id, program_id = await _tenant_and_program(drive)
    overview = await Dashboard(drive.app.store).overview(tenant_id, program_id)
    assert overview is not None
    async with drive.app.store.unit() as uow:
        facts = await uow.scoped(tenant_id).reports.stats_facts([program_id])
    stats = compute(facts)
    seats = [
        (key, division)
        for r in facts.rounds
        for g in r.groups
        for key, division in zip(g.members, g.divisions, strict=True)
    ]
    assert any(not key.startswith("p") for key, _ in seats) and any(d is None for _, d in seats)
    per_round = [reach(r.groups) for r in facts.rounds]
    assert [(line.pairs, line.cross_pairs, line.ceiling) for line in overview.rounds] == [
        (r.pairs, r.cross_pairs, r.ceiling) for r in per_round
    ]
    assert [line.groups for line in overview.rounds] == [len(r.groups) for r in facts.rounds]
    assert [line.met for line in overview.rounds] == [t.met for t in stats.trend]
    assert [line.sat_out for line in overview.rounds] == [len(r.unpaired) for r in facts.rounds]
    assert [p.in_round for p in overview.participation] == [
        t.people + len(r.unpaired) for t, r in zip(stats.trend, facts.rounds, strict=True)
    ]
    totals = overview.stats
    assert (totals.active, totals.paused, totals.left) == (stats.active, stats.paused, stats.left)
    assert (totals.rounds, totals.groups, totals.connections) == (
        stats.rounds,
        stats.groups,
        stats.connections,
    )
    assert totals.meetup_rate == stats.meetup_rate
    assert stats.connections > 0 and any(line.met for line in overview.rounds)
    met_across = cross_colleagues(r.groups for r in facts.rounds)
    counts = [len(met_across.get(key, ())) for key in facts.current_members]
    assert overview.cross_colleagues_histogram == histogram(counts)
    assert overview.cross_colleagues_median == median(counts)
    links = {(k.first or "–", k.second or "–"): k.meetups for k in overview.links}
    assert links == {pair: n for pair, n in stats.matrix.items() if pair[0] != pair[1]}
