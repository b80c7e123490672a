"""The overview's counts, now added up in SQL, are the stats' own figures for the same history:
trios, people without a division, members who left or were forgotten, a renamed division, a
round nobody was placed in; and another workspace's rounds never count."""

from __future__ import annotations

from statistics import median

from bot import commands as c
from bot.domain.model import Outcome, Platform, TenantRef
from bot.domain.network import cross_colleagues, reach
from bot.domain.stats import compute
from bot.services.dashboard import Dashboard
from tests.drive import Driver


async def test_overview_counts_are_the_stats_figures_for_an_untidy_history(drive: Driver) -> None:
    await drive.setup()
    # Another workspace with the same people's ids, paired on the same days: none of it counts.
    other = TenantRef(Platform.SLACK, "T-OTHER")
    setup = c.SetupProgram("weekly", "monday", "09:00", "Asia/Jakarta")
    await drive.say("U-ADMIN", setup, admin=True, tenant=other)
    for user in ("U1", "U2", "U3", "U8", "U9"):
        await drive.say(user, c.Join("Elsewhere"), tenant=other)
    people: dict[str, str | None] = {"U1": "Sales", "U2": "Sales", "U3": "Finance", "U4": None}
    people |= {"U5": "Legal", "U6": None, "U7": "Finance"}
    await drive.join_many(people)
    for n in range(3):
        await drive.run_round()
        groups = await drive.latest_groups()
        for group in groups[n % 2 :]:
            await drive.say(group.user_ids[0], c.RecordOutcome(group.id, "met"))
        if n == 0:
            await drive.say("U-ADMIN", c.RenameDivision(("Sales",), "Revenue"), admin=True)
            await drive.say("U5", c.Leave())
        if n == 1:
            await drive.say("U6", c.ForgetMe(confirmed=True))
    program = await drive.program()
    async with drive.app.store.unit() as uow:
        other_id = await uow.tenants.find(other)
        assert other_id is not None
        assert await uow.scoped(other_id).rounds.of_program((await uow.scoped(other_id).programs.all())[0].id)

    overview = await Dashboard(drive.app.store).overview(program.tenant_id, program.id)
    assert overview is not None
    async with drive.app.store.unit() as uow:
        facts = await uow.scoped(program.tenant_id).reports.stats_facts([program.id])
    stats = compute(facts)
    assert any(len(g.members) == 3 for r in facts.rounds for g in r.groups)  # a trio was seated
    totals = overview.stats
    assert (totals.active, totals.paused, totals.left) == (stats.active, stats.paused, stats.left)
    assert (totals.rounds, totals.groups) == (stats.rounds, stats.groups)
    assert totals.connections == stats.connections
    assert abs(totals.meetup_rate - stats.meetup_rate) < 1e-9
    assert abs(totals.cross_division_share - stats.cross_division_share) < 1e-9
    for line, fact in zip(overview.rounds, facts.rounds, strict=True):
        counted = reach(fact.groups)
        assert (line.pairs, line.cross_pairs) == (counted.pairs, counted.cross_pairs), line
        assert line.met == sum(g.outcome is Outcome.MET for g in fact.groups)
    met = cross_colleagues(r.groups for r in facts.rounds)
    counts = [len(met.get(key, ())) for key in facts.current_members]
    assert overview.cross_colleagues_median == (float(median(counts)) if counts else 0.0)
    assert "Elsewhere" not in {n.name for n in overview.nodes}
    assert all("Elsewhere" not in (link.first, link.second) for link in overview.links)
