"""Read-only queries the admin dashboard needs beyond the stats ones: the roster with its dates,
who sat out each round, and per-person tallies. Every query is scoped to the repository's tenant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    case,
    cast,
    distinct,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from bot.domain import stats
from bot.domain.model import MemberStatus, Outcome
from bot.store.base import Repository, utc, utc_or_none
from bot.store.tables import group_members, groups, memberships, people, rounds, unpaired

_SHIFT = literal_column(str(2**31), BigInteger)  # a literal: a bound 2**31 would be typed int4
_BY_DIVISION, _CONNECTIONS, _COLLEAGUES, _SIZES, _SEATS = (
    0,
    1,
    2,
    3,
    4,
)  # which sum a row of `_pair_counts` is
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
class RoundCounts:
    round_id: int
    scheduled_for: datetime
    period: str
    outcomes: Counter[Outcome]  # groups by outcome
    sizes: Counter[int]  # groups by how many seats they have
    seats: Counter[str | None]  # seats by division (as it was on the day)
    pairs: int
    cross_pairs: int  # pairs across divisions (bot.domain.stats.crosses)
    sat_out: int
    met_pairs: Counter[tuple[str | None, str | None]]  # pairs in groups that met, by divisions


@dataclass(frozen=True, slots=True)
class OverviewCounts:
    rounds: list[RoundCounts]  # oldest first
    connections: int  # distinct pairs of people who met (0 unless asked for)
    colleagues: list[int]  # per current member who has any: colleagues met in another division


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

    async def statuses(self, program_id: int) -> Counter[str]:
        """Members by status, counted in the database."""
        rows = await self._conn.execute(
            select(memberships.c.status, func.count(memberships.c.id))
            .where(memberships.c.tenant_id == self.tenant_id, memberships.c.program_id == program_id)
            .group_by(memberships.c.status)
        )
        return Counter({status: int(n) for status, n in rows})

    async def division_sizes(self, program_id: int) -> Counter[str | None]:
        """Active and paused members per division (their division now), counted in the database."""
        rows = await self._conn.execute(
            select(people.c.division, func.count(memberships.c.id))
            .join(people, people.c.id == memberships.c.person_id)
            .where(
                memberships.c.tenant_id == self.tenant_id,
                people.c.tenant_id == self.tenant_id,
                memberships.c.program_id == program_id,
                memberships.c.status != MemberStatus.LEFT.value,
            )
            .group_by(people.c.division)
        )
        return Counter({division: int(n) for division, n in rows})

    # Everything below reads the program's past rounds as counts the database adds up: a big
    # program has tens of thousands of seats, and fetching them row by row into Python was two
    # thirds of the overview's time. A pair is two seats of one group, the earlier seat first
    # (seat order is the order the stats read them in).

    def _round_ids(self, program_id: int, round_id: int | None) -> Select[tuple[int]]:
        query = select(rounds.c.id).where(
            rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id
        )
        return query if round_id is None else query.where(rounds.c.id == round_id)

    def _seats(self, program_id: int, round_id: int | None) -> Any:
        """The program's seats with their group's round and outcome, as a CTE: read once from
        the tables and shared by every count below (on PostgreSQL each read of them was a
        nested loop over the groups, a third of the overview's time)."""
        return (
            select(
                group_members.c.id,
                group_members.c.group_id,
                group_members.c.person_id,
                group_members.c.division,
                groups.c.round_id,
                groups.c.outcome,
            )
            .join(groups, groups.c.id == group_members.c.group_id)
            .where(
                group_members.c.tenant_id == self.tenant_id,
                groups.c.tenant_id == self.tenant_id,
                groups.c.round_id.in_(self._round_ids(program_id, round_id)),
            )
            .cte("seats")
        )

    async def round_counts(self, program_id: int, round_id: int | None = None) -> list[RoundCounts]:
        """Per round of the program (or just `round_id`), oldest first: its groups by outcome and
        by size, its seats by division, its pairs and those across divisions, who sat out."""
        return (await self._counts(program_id, round_id, people=False)).rounds

    async def overview_counts(self, program_id: int) -> OverviewCounts:
        """`round_counts` for every round, and from the same pass over the pairs: the distinct
        pairs of people who met, and each current member's distinct colleagues met in another
        division."""
        return await self._counts(program_id, None, people=True)

    async def _counts(self, program_id: int, round_id: int | None, *, people: bool) -> OverviewCounts:
        in_program = self._round_ids(program_id, round_id)
        outcomes: dict[int, Counter[Outcome]] = {}
        for rid, outcome, n in await self._conn.execute(
            select(groups.c.round_id, groups.c.outcome, func.count(groups.c.id))
            .where(groups.c.tenant_id == self.tenant_id, groups.c.round_id.in_(in_program))
            .group_by(groups.c.round_id, groups.c.outcome)
        ):
            outcomes.setdefault(rid, Counter())[_OUTCOMES[outcome]] += int(n)
        # Groups by size, seats by division, and pairs by outcome and by their seats' divisions:
        # a few rows per round, from which the round's pairs, those across divisions, and the
        # met pairs between divisions follow.
        sizes: dict[int, Counter[int]] = {}
        seats: dict[int, Counter[str | None]] = {}
        pairs: dict[int, list[int]] = {}
        met: dict[int, Counter[tuple[str | None, str | None]]] = {}
        connections, colleagues = 0, []
        for tag, rid, outcome, a, b, size, n in await self._conn.execute(
            self._pair_counts(program_id, round_id, people=people)
        ):
            if tag == _SIZES:
                sizes.setdefault(rid, Counter())[int(size)] += int(n)
            elif tag == _SEATS:
                seats.setdefault(rid, Counter())[a] += int(n)
            elif tag == _BY_DIVISION:
                tally = pairs.setdefault(rid, [0, 0])
                tally[0] += int(n)
                tally[1] += int(n) if stats.crosses(a, b) else 0
                if outcome == Outcome.MET.value:
                    met.setdefault(rid, Counter())[a, b] += int(n)
            elif tag == _CONNECTIONS:
                connections = int(n)
            else:
                colleagues.append(int(n))
        sat_out: dict[int, int] = {}
        for rid, n in await self._conn.execute(
            select(unpaired.c.round_id, func.count(unpaired.c.id))
            .where(unpaired.c.tenant_id == self.tenant_id, unpaired.c.round_id.in_(in_program))
            .group_by(unpaired.c.round_id)
        ):
            sat_out[rid] = int(n)
        round_rows = await self._conn.execute(
            select(rounds.c.id, rounds.c.scheduled_for, rounds.c.period)
            .where(rounds.c.id.in_(in_program))
            .order_by(rounds.c.scheduled_for, rounds.c.id)
        )
        found = [
            RoundCounts(
                rid,
                utc(scheduled_for),
                period,
                outcomes.get(rid, Counter()),
                sizes.get(rid, Counter()),
                seats.get(rid, Counter()),
                pairs.get(rid, [0, 0])[0],
                pairs.get(rid, [0, 0])[1],
                sat_out.get(rid, 0),
                met.get(rid, Counter()),
            )
            for rid, scheduled_for, period in round_rows
        ]
        return OverviewCounts(found, connections, colleagues)

    def _pair_counts(self, program_id: int, round_id: int | None, *, people: bool) -> Any:
        """The program's seats (a CTE) and their self-join (the pairs, another), added up as
        tagged rows: groups by round and size, seats by round and division, pairs by round,
        outcome and the two seats' divisions; with `people`, also the distinct pairs of people
        who met and, per current member, the distinct people of another division they met. A
        forgotten seat is a person of their own: keyed by its seat id, negated."""
        seats = self._seats(program_id, round_id)
        first, second = seats.alias("first_seat"), seats.alias("second_seat")

        def key(seat: Any) -> Any:
            return case((seat.c.person_id.is_(None), -seat.c.id), else_=seat.c.person_id)

        earlier = first.c.person_id < second.c.person_id
        low = case((earlier, first.c.person_id), else_=second.c.person_id)
        high = case((earlier, second.c.person_id), else_=first.c.person_id)
        # One number per pair of people (ids stay far below 2**31, so keys cannot collide).
        anonymous = first.c.person_id.is_(None) | second.c.person_id.is_(None)
        pair_key = case((anonymous, -(first.c.id * _SHIFT + second.c.id)), else_=low * _SHIFT + high)
        # Two different divisions, or one and none, whichever seat is first (stats.crosses).
        crosses = (
            (first.c.division.is_not(None) & second.c.division.is_(None))
            | (first.c.division.is_(None) & second.c.division.is_not(None))
            | (first.c.division != second.c.division)
        )
        pairs = (
            select(
                first.c.round_id.label("round_id"),
                first.c.outcome.label("outcome"),
                first.c.division.label("first_division"),
                second.c.division.label("second_division"),
                first.c.person_id.label("first_person"),
                second.c.person_id.label("second_person"),
                key(first).label("first_key"),
                key(second).label("second_key"),
                pair_key.label("pair_key"),
                case((crosses, 1), else_=0).label("crosses"),
            )
            .select_from(first)
            .join(second, (second.c.group_id == first.c.group_id) & (second.c.id > first.c.id))
            .cte("pairs")
        )
        no_int, no_text = cast(null(), Integer), cast(null(), String)
        size = (
            select(seats.c.round_id, func.count().label("size"))
            .group_by(seats.c.group_id, seats.c.round_id)
            .subquery()
        )
        by_size = select(
            literal(_SIZES), size.c.round_id, no_text, no_text, no_text, size.c.size, func.count()
        ).group_by(size.c.round_id, size.c.size)
        by_seat = select(
            literal(_SEATS), seats.c.round_id, no_text, seats.c.division, no_text, no_int, func.count()
        ).group_by(seats.c.round_id, seats.c.division)
        by_division = select(
            literal(_BY_DIVISION),
            pairs.c.round_id,
            pairs.c.outcome,
            pairs.c.first_division,
            pairs.c.second_division,
            no_int,
            func.count(),
        ).group_by(pairs.c.round_id, pairs.c.outcome, pairs.c.first_division, pairs.c.second_division)
        if not people:
            return union_all(by_size, by_seat, by_division)
        met = pairs.c.outcome == Outcome.MET.value
        connections = select(
            literal(_CONNECTIONS),
            no_int,
            no_text,
            no_text,
            no_text,
            no_int,
            func.count(distinct(pairs.c.pair_key)),
        ).where(met)
        across = met & (pairs.c.crosses == 1)
        directed = union_all(
            select(pairs.c.first_person.label("me"), pairs.c.second_key.label("them")).where(across),
            select(pairs.c.second_person.label("me"), pairs.c.first_key.label("them")).where(across),
        ).subquery()
        # Counted per person first, then kept if a current member: the membership lookup runs
        # once per person rather than once per pair.
        per_person = (
            select(directed.c.me, func.count(distinct(directed.c.them)).label("n"))
            .group_by(directed.c.me)
            .subquery()
        )
        current = select(memberships.c.person_id).where(
            memberships.c.tenant_id == self.tenant_id,
            memberships.c.program_id == program_id,
            memberships.c.status != MemberStatus.LEFT.value,
        )
        colleagues = select(
            literal(_COLLEAGUES), no_int, no_text, no_text, no_text, no_int, per_person.c.n
        ).where(per_person.c.me.in_(current))
        return union_all(by_size, by_seat, by_division, connections, colleagues)
