"""Rounds, their groups and who sat out: the history pairing and stats are made from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, text, update

from bot.domain.model import Group, GroupMember, Outcome, PastMeeting, Round
from bot.store.base import Repository, utc
from bot.store.tables import group_members, groups, people, rounds, unpaired


def _round(row: object) -> Round:
    m = row._mapping  # type: ignore[attr-defined]
    return Round(
        id=m["id"],
        program_id=m["program_id"],
        period=m["period"],
        scheduled_for=utc(m["scheduled_for"]),
        created_at=utc(m["created_at"]),
        seed=m["seed"],
        checkin_at=utc(m["checkin_at"]),
        checkin_sent=m["checkin_sent_at"] is not None,
    )


class Rounds(Repository):
    async def lock_program(self, program_id: int) -> bool:
        """On PostgreSQL, one process at a time computes a program's round (lock ends with the
        transaction, so it cannot leak across pooled connections). SQLite serialises writers."""
        if self._conn.dialect.name != "postgresql":
            return True
        row = (
            await self._conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": program_id})
        ).first()
        return bool(row and row[0])

    async def claim(
        self,
        program_id: int,
        period: str,
        scheduled_for: datetime,
        seed: int,
        checkin_at: datetime,
        now: datetime,
    ) -> int | None:
        return await self._insert_ignoring_conflict(
            rounds,
            {
                "tenant_id": self.tenant_id,
                "program_id": program_id,
                "period": period,
                "scheduled_for": scheduled_for,
                "created_at": now,
                "seed": seed,
                "checkin_at": checkin_at,
            },
        )

    async def periods(self, program_id: int, claimed_after: datetime | None = None) -> set[str]:
        """The periods claimed for a program (only those claimed after `claimed_after`, if given)."""
        query = select(rounds.c.period).where(
            rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id
        )
        if claimed_after is not None:
            query = query.where(rounds.c.created_at > claimed_after)
        return {r[0] for r in await self._conn.execute(query)}

    async def of_program(self, program_id: int, limit: int | None = None) -> list[Round]:
        query = (
            select(rounds)
            .where(rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id)
            .order_by(rounds.c.scheduled_for.desc(), rounds.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return [_round(r) for r in await self._conn.execute(query)]

    async def get(self, round_id: int) -> Round | None:
        row = (
            await self._conn.execute(
                select(rounds).where(rounds.c.tenant_id == self.tenant_id, rounds.c.id == round_id)
            )
        ).first()
        return None if row is None else _round(row)

    async def open_before(self, program_id: int, round_id: int) -> list[Round]:
        rows = await self._conn.execute(
            select(rounds).where(
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.program_id == program_id,
                rounds.c.id != round_id,
                rounds.c.closed_at.is_(None),
            )
        )
        return [_round(r) for r in rows]

    async def close(self, round_id: int, now: datetime) -> None:
        await self._conn.execute(
            update(rounds)
            .where(rounds.c.tenant_id == self.tenant_id, rounds.c.id == round_id)
            .values(closed_at=now)
        )

    async def checkins_due(self, now: datetime) -> list[Round]:
        rows = await self._conn.execute(
            select(rounds).where(
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.checkin_sent_at.is_(None),
                rounds.c.closed_at.is_(None),
                rounds.c.checkin_at <= now,
            )
        )
        return [_round(r) for r in rows]

    async def claim_checkin(self, round_id: int, now: datetime) -> bool:
        result = await self._conn.execute(
            update(rounds)
            .where(
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.id == round_id,
                rounds.c.checkin_sent_at.is_(None),
            )
            .values(checkin_sent_at=now)
        )
        return result.rowcount == 1


class Groups(Repository):
    async def add(
        self,
        round_id: int,
        members: Sequence[tuple[int, str | None]],
        reasons: Sequence[str],
        shared_interests: Sequence[str],
    ) -> int:
        result = await self._conn.execute(
            groups.insert().values(
                tenant_id=self.tenant_id,
                round_id=round_id,
                outcome=Outcome.PENDING.value,
                reasons=list(reasons),
                shared_interests=list(shared_interests),
            )
        )
        group_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await self._conn.execute(
            group_members.insert(),
            [
                {"tenant_id": self.tenant_id, "group_id": group_id, "person_id": person, "division": division}
                for person, division in members
            ],
        )
        return group_id

    async def add_unpaired(self, round_id: int, person_id: int, reason: str) -> None:
        await self._conn.execute(
            unpaired.insert().values(
                tenant_id=self.tenant_id, round_id=round_id, person_id=person_id, reason=reason
            )
        )

    async def _load(self, where: object) -> list[Group]:
        group_rows = (
            await self._conn.execute(
                select(groups).where(groups.c.tenant_id == self.tenant_id, where).order_by(groups.c.id)  # type: ignore[arg-type]
            )
        ).all()
        if not group_rows:
            return []
        ids = [r.id for r in group_rows]
        member_rows = await self._conn.execute(
            select(
                group_members.c.group_id,
                group_members.c.person_id,
                group_members.c.division,
                people.c.user_id,
            )
            .outerjoin(people, people.c.id == group_members.c.person_id)
            .where(group_members.c.tenant_id == self.tenant_id, group_members.c.group_id.in_(ids))
            .order_by(group_members.c.id)
        )
        members: dict[int, list[GroupMember]] = defaultdict(list)
        for r in member_rows:
            members[r.group_id].append(GroupMember(r.person_id, r.user_id, r.division))
        return [
            Group(
                id=r.id,
                round_id=r.round_id,
                members=tuple(members[r.id]),
                outcome=Outcome(r.outcome),
                conversation_id=r.conversation_id,
                reasons=tuple(r.reasons),
                shared_interests=tuple(r.shared_interests),
            )
            for r in group_rows
        ]

    async def of_round(self, round_id: int) -> list[Group]:
        return await self._load(groups.c.round_id == round_id)

    async def get(self, group_id: int) -> Group | None:
        found = await self._load(groups.c.id == group_id)
        return found[0] if found else None

    async def set_outcome(self, group_id: int, outcome: Outcome, by: str, now: datetime) -> bool:
        """Record a click; False when the group already had exactly this outcome (a double click)."""
        result = await self._conn.execute(
            update(groups)
            .where(
                groups.c.tenant_id == self.tenant_id,
                groups.c.id == group_id,
                groups.c.outcome != outcome.value,
            )
            .values(outcome=outcome.value, outcome_by=by, outcome_at=now)
        )
        return result.rowcount == 1

    async def set_conversation(self, group_id: int, conversation_id: str) -> None:
        await self._conn.execute(
            update(groups)
            .where(groups.c.tenant_id == self.tenant_id, groups.c.id == group_id)
            .values(conversation_id=conversation_id)
        )

    async def program_of(self, group_id: int) -> int | None:
        row = (
            await self._conn.execute(
                select(rounds.c.program_id)
                .join(groups, groups.c.round_id == rounds.c.id)
                .where(groups.c.tenant_id == self.tenant_id, groups.c.id == group_id)
            )
        ).first()
        return None if row is None else int(row[0])

    async def meetings_of(self, person_id: int, program_id: int | None = None) -> list[PastMeeting]:
        """Every group this person was in (newest first), with the others as they were then."""
        mine = (
            select(group_members.c.group_id)
            .where(group_members.c.tenant_id == self.tenant_id, group_members.c.person_id == person_id)
            .scalar_subquery()
        )
        query = (
            select(groups.c.id, groups.c.round_id, groups.c.outcome, rounds.c.scheduled_for)
            .join(rounds, rounds.c.id == groups.c.round_id)
            .where(groups.c.tenant_id == self.tenant_id, groups.c.id.in_(mine))
            .order_by(rounds.c.scheduled_for.desc())
        )
        if program_id is not None:
            query = query.where(rounds.c.program_id == program_id)
        rows = (await self._conn.execute(query)).all()
        loaded = {g.id: g for g in await self._load(groups.c.id.in_([r.id for r in rows]))} if rows else {}
        return [
            PastMeeting(
                round_id=r.round_id,
                day=utc(r.scheduled_for),
                group_id=r.id,
                outcome=Outcome(r.outcome),
                others=tuple(m for m in loaded[r.id].members if m.person_id != person_id),
            )
            for r in rows
        ]

    async def of_program_with_days(self, program_id: int) -> list[tuple[datetime, Group]]:
        """Every group of a program with its round's date, oldest first: one query for all."""
        days = dict(
            (r.id, utc(r.scheduled_for))
            for r in await self._conn.execute(
                select(rounds.c.id, rounds.c.scheduled_for).where(
                    rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id
                )
            )
        )
        if not days:
            return []
        loaded = await self._load(groups.c.round_id.in_(list(days)))
        return sorted(((days[g.round_id], g) for g in loaded), key=lambda pair: (pair[0], pair[1].id))

    async def history(self, program_id: int, rounds_back: int) -> list[tuple[date, list[Group]]]:
        recent = (
            await self._conn.execute(
                select(rounds.c.id, rounds.c.scheduled_for)
                .where(rounds.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id)
                .order_by(rounds.c.scheduled_for.desc())
                .limit(rounds_back)
            )
        ).all()
        if not recent:
            return []
        by_round: dict[int, list[Group]] = defaultdict(list)
        for group in await self._load(groups.c.round_id.in_([r.id for r in recent])):
            by_round[group.round_id].append(group)
        return [(utc(r.scheduled_for).date(), by_round[r.id]) for r in recent]

    async def confirmed_in_program(self, program_id: int) -> int:
        row = (
            await self._conn.execute(
                select(func.count(groups.c.id))
                .join(rounds, rounds.c.id == groups.c.round_id)
                .where(
                    groups.c.tenant_id == self.tenant_id,
                    rounds.c.program_id == program_id,
                    groups.c.outcome == Outcome.MET.value,
                )
            )
        ).one()
        return int(row[0])
