"""Read-only queries the admin dashboard needs beyond the stats ones: the roster with its dates,
who sat out each round, and per-person tallies. Every query is scoped to the repository's tenant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from bot.domain.model import MemberStatus, Outcome
from bot.domain.stats import GroupFact
from bot.store.base import Repository, utc, utc_or_none
from bot.store.tables import group_members, groups, memberships, people, rounds, unpaired

_OUTCOMES = {o.value: o for o in Outcome}  # a dict lookup: Outcome(value) is slow per row


@dataclass(frozen=True, slots=True)
class RosterRow:
    person_id: int
    user_id: str
    division: str | None
    timezone: str | None
    status: MemberStatus
    paused_until: date | None
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True, slots=True)
class SatOut:
    round_id: int
    person_id: int | None
    user_id: str | None  # None once that person asked to be forgotten
    reason: str


@dataclass(frozen=True, slots=True)
class Tally:
    rounds: int  # groups this person was placed in
    meetups: int  # of those, groups that reported they met


class DashboardQueries(Repository):
    async def roster(self, program_id: int) -> list[RosterRow]:
        """Everyone who ever joined the program, with when they joined and left."""
        rows = await self._conn.execute(
            select(
                memberships.c.person_id,
                people.c.user_id,
                people.c.division,
                people.c.timezone,
                memberships.c.status,
                memberships.c.paused_until,
                memberships.c.joined_at,
                memberships.c.left_at,
            )
            .join(people, people.c.id == memberships.c.person_id)
            .where(
                memberships.c.tenant_id == self.tenant_id,
                people.c.tenant_id == self.tenant_id,
                memberships.c.program_id == program_id,
            )
            .order_by(memberships.c.id)
        )
        return [
            RosterRow(
                r.person_id,
                r.user_id,
                r.division,
                r.timezone,
                MemberStatus(r.status),
                r.paused_until,
                utc(r.joined_at),
                utc_or_none(r.left_at),
            )
            for r in rows
        ]

    async def sat_out(self, program_id: int, round_id: int | None = None) -> list[SatOut]:
        """Who sat out which round of the program, and why (the engine's reason key)."""
        query = (
            select(unpaired.c.round_id, unpaired.c.person_id, people.c.user_id, unpaired.c.reason)
            .join(rounds, rounds.c.id == unpaired.c.round_id)
            .outerjoin(people, people.c.id == unpaired.c.person_id)
            .where(
                unpaired.c.tenant_id == self.tenant_id,
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.program_id == program_id,
            )
            .order_by(unpaired.c.id)
        )
        if round_id is not None:
            query = query.where(unpaired.c.round_id == round_id)
        return [SatOut(r.round_id, r.person_id, r.user_id, r.reason) for r in await self._conn.execute(query)]

    async def tallies(self, program_id: int) -> dict[int, Tally]:
        """Per person id: groups they were placed in, and how many of those met (one query)."""
        met = func.sum(case((groups.c.outcome == Outcome.MET.value, 1), else_=0))
        rows = await self._conn.execute(
            select(group_members.c.person_id, func.count(group_members.c.id), met)
            .join(groups, groups.c.id == group_members.c.group_id)
            .join(rounds, rounds.c.id == groups.c.round_id)
            .where(
                group_members.c.tenant_id == self.tenant_id,
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.program_id == program_id,
                group_members.c.person_id.is_not(None),
            )
            .group_by(group_members.c.person_id)
        )
        return {int(r[0]): Tally(int(r[1]), int(r[2] or 0)) for r in rows}

    async def group_facts(self, program_id: int) -> dict[int, list[GroupFact]]:
        """Per round id: its groups as the stats see them (stable member keys, divisions as they
        were on the day, outcome). Two lean queries, groups then seats: no JSON columns, no
        names, no sorting, and each outcome read once per group rather than once per seat."""
        in_program = select(rounds.c.id).where(
            rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id
        )
        group_rows = (
            await self._conn.execute(
                select(groups.c.id, groups.c.round_id, groups.c.outcome).where(
                    groups.c.tenant_id == self.tenant_id, groups.c.round_id.in_(in_program)
                )
            )
        ).all()
        seat_rows = (
            await self._conn.execute(
                select(group_members.c.group_id, group_members.c.person_id, group_members.c.division)
                .join(groups, groups.c.id == group_members.c.group_id)
                .where(
                    group_members.c.tenant_id == self.tenant_id,
                    groups.c.tenant_id == self.tenant_id,
                    groups.c.round_id.in_(in_program),
                )
            )
        ).all()
        keys: dict[int, list[str]] = {}
        divisions: dict[int, list[str | None]] = {}
        for group_id, person_id, division in seat_rows:
            if group_id not in keys:
                keys[group_id], divisions[group_id] = [], []
            seats = keys[group_id]
            # A forgotten seat gets a key nobody else has: its group and its place in it.
            seats.append(f"p{person_id}" if person_id is not None else f"anon{group_id}-{len(seats)}")
            divisions[group_id].append(division)
        facts: dict[int, list[GroupFact]] = {}
        for group_id, round_id, outcome in sorted(map(tuple, group_rows)):  # plain tuples sort fast
            group = GroupFact(
                tuple(keys.get(group_id, ())), tuple(divisions.get(group_id, ())), _OUTCOMES[outcome]
            )
            facts.setdefault(round_id, []).append(group)
        return facts

    async def member_count(self, program_id: int) -> int:
        """Active and paused members."""
        row = (
            await self._conn.execute(
                select(func.count(memberships.c.id)).where(
                    memberships.c.tenant_id == self.tenant_id,
                    memberships.c.program_id == program_id,
                    memberships.c.status != MemberStatus.LEFT.value,
                )
            )
        ).one()
        return int(row[0])

    async def members_on_round_days(self, program_id: int) -> dict[int, tuple[int, int]]:
        """Per round id: (in the program, left it) on the round's day, counted in the database."""
        joined = memberships.c.joined_at <= rounds.c.scheduled_for
        gone = memberships.c.left_at.is_not(None) & (memberships.c.left_at <= rounds.c.scheduled_for)
        rows = await self._conn.execute(
            select(
                rounds.c.id,
                func.sum(case((joined & ~gone, 1), else_=0)),
                func.sum(case((joined & gone, 1), else_=0)),
            )
            .select_from(rounds)
            .join(memberships, memberships.c.program_id == rounds.c.program_id)
            .where(
                rounds.c.tenant_id == self.tenant_id,
                memberships.c.tenant_id == self.tenant_id,
                rounds.c.program_id == program_id,
            )
            .group_by(rounds.c.id)
        )
        return {int(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}

    async def current(self, program_id: int) -> tuple[Counter[str], list[int], Counter[str | None]]:
        """Members by status; ids of those not gone (active, paused); their divisions' sizes."""
        rows = await self._conn.execute(
            select(memberships.c.person_id, memberships.c.status, people.c.division)
            .join(people, people.c.id == memberships.c.person_id)
            .where(
                memberships.c.tenant_id == self.tenant_id,
                people.c.tenant_id == self.tenant_id,
                memberships.c.program_id == program_id,
            )
        )
        statuses: Counter[str] = Counter()
        here: list[int] = []
        sizes: Counter[str | None] = Counter()
        for person_id, status, division in rows:
            statuses[status] += 1
            if status != MemberStatus.LEFT.value:
                here.append(person_id)
                sizes[division] += 1
        return statuses, here, sizes
