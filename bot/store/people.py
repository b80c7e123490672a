"""People (one row per person per workspace) and their memberships of programs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.engine import Row

from bot.domain.model import Membership, MemberStatus, Person
from bot.messages import ToUser, dump
from bot.store.base import Repository, utc, utc_or_none
from bot.store.tables import (
    achievements,
    admins,
    group_members,
    groups,
    memberships,
    outbox,
    people,
    shoutout_recipients,
    shoutouts,
    unpaired,
)

FORGOTTEN = "forgotten"


def _person(row: Row[object]) -> Person:
    m = row._mapping
    return Person(
        id=m["id"],
        tenant_id=m["tenant_id"],
        user_id=m["user_id"],
        division=m["division"],
        timezone=m["timezone"],
        interests=tuple(m["interests"] or ()),
    )


class People(Repository):
    async def by_user(self, user_id: str) -> Person | None:
        row = (
            await self._conn.execute(
                select(people).where(people.c.tenant_id == self.tenant_id, people.c.user_id == user_id)
            )
        ).first()
        return None if row is None else _person(row)

    async def by_users(self, user_ids: Iterable[str]) -> dict[str, Person]:
        wanted = list(set(user_ids))
        if not wanted:
            return {}
        rows = await self._conn.execute(
            select(people).where(people.c.tenant_id == self.tenant_id, people.c.user_id.in_(wanted))
        )
        return {p.user_id: p for p in map(_person, rows)}

    async def by_ids(self, ids: Iterable[int]) -> list[Person]:
        wanted = list(set(ids))
        if not wanted:
            return []
        rows = await self._conn.execute(
            select(people).where(people.c.tenant_id == self.tenant_id, people.c.id.in_(wanted))
        )
        return [_person(r) for r in rows]

    async def divisions(self, program_id: int | None = None) -> list[str]:
        """The divisions of people taking part (active or paused) in one program, or in any program
        of the workspace; the most used first, so a picker can prefer the common spelling."""
        query = (
            select(people.c.division)
            .select_from(people)
            .join(memberships, memberships.c.person_id == people.c.id)
            .where(
                people.c.tenant_id == self.tenant_id,
                memberships.c.tenant_id == self.tenant_id,
                memberships.c.status != MemberStatus.LEFT.value,
                people.c.division.is_not(None),
            )
            .group_by(people.c.division)
            .order_by(func.count(func.distinct(people.c.id)).desc(), people.c.division)
        )
        if program_id is not None:
            query = query.where(memberships.c.program_id == program_id)
        return [str(row[0]) for row in await self._conn.execute(query)]

    async def ensure(self, user_id: str, now: datetime) -> Person:
        await self._insert_ignoring_conflict(
            people, {"tenant_id": self.tenant_id, "user_id": user_id, "interests": [], "created_at": now}
        )
        person = await self.by_user(user_id)
        assert person is not None
        return person

    async def update_profile(
        self,
        person_id: int,
        *,
        division: str | None = None,
        timezone: str | None = None,
        interests: tuple[str, ...] | None = None,
    ) -> None:
        """Change the fields given; None leaves a field as it is (an empty tuple clears interests)."""
        values: dict[str, object] = {}
        if division is not None:
            values["division"] = division
        if timezone is not None:
            values["timezone"] = timezone
        if interests is not None:
            values["interests"] = list(interests)
        if values:
            await self._conn.execute(
                update(people)
                .where(people.c.tenant_id == self.tenant_id, people.c.id == person_id)
                .values(**values)
            )

    async def erase(self, person_id: int) -> None:
        """Forget a person: every row that names them goes or loses the name. Their partners'
        history keeps an anonymous placeholder row, so stats stay consistent."""
        scoped = self.tenant_id
        user_id = (
            await self._conn.execute(
                select(people.c.user_id).where(people.c.tenant_id == scoped, people.c.id == person_id)
            )
        ).scalar_one_or_none()
        if user_id is None:
            return
        await self._conn.execute(
            update(groups)
            .where(groups.c.tenant_id == scoped, groups.c.outcome_by == user_id)
            .values(outcome_by=None)
        )
        await self._conn.execute(
            delete(admins).where(admins.c.tenant_id == scoped, admins.c.user_id == user_id)
        )
        await self._conn.execute(
            delete(achievements).where(
                achievements.c.tenant_id == scoped, achievements.c.owner == f"person:{person_id}"
            )
        )
        await self.forget_in_outbox(user_id)
        await self._conn.execute(
            update(group_members)
            .where(group_members.c.tenant_id == scoped, group_members.c.person_id == person_id)
            .values(person_id=None)
        )
        await self._conn.execute(
            update(shoutout_recipients)
            .where(shoutout_recipients.c.tenant_id == scoped, shoutout_recipients.c.person_id == person_id)
            .values(person_id=None)
        )
        # Their own words go with them; recognition they received stays as an anonymous count.
        await self._conn.execute(
            delete(shoutouts).where(shoutouts.c.tenant_id == scoped, shoutouts.c.giver_id == person_id)
        )
        await self._conn.execute(
            update(unpaired)
            .where(unpaired.c.tenant_id == scoped, unpaired.c.person_id == person_id)
            .values(person_id=None)
        )
        await self._conn.execute(delete(people).where(people.c.tenant_id == scoped, people.c.id == person_id))

    async def forget_in_outbox(self, user_id: str) -> None:
        # Direct messages not yet delivered are dropped: someone who asked to be forgotten gets
        # nothing more. Messages already sent keep their row (it holds the platform's message
        # reference, for updates after a click) but lose the person's id.
        scoped = self.tenant_id
        await self._conn.execute(
            delete(outbox).where(
                outbox.c.tenant_id == scoped,
                outbox.c.destination == dump(ToUser(user_id)),
                outbox.c.status != "sent",
            )
        )
        quoted, anonymous = json.dumps(user_id, ensure_ascii=False), json.dumps(FORGOTTEN)
        named = await self._conn.execute(
            select(outbox.c.id, outbox.c.destination, outbox.c.message).where(
                outbox.c.tenant_id == scoped,
                outbox.c.status.in_(("sent", "failed")),
                outbox.c.destination.contains(quoted, autoescape=True)
                | outbox.c.message.contains(quoted, autoescape=True),
            )
        )
        for row_id, destination, message in named.all():
            await self._conn.execute(
                update(outbox)
                .where(outbox.c.tenant_id == scoped, outbox.c.id == row_id)
                .values(
                    destination=destination.replace(quoted, anonymous),
                    message=message.replace(quoted, anonymous),
                )
            )


def _membership(row: Row[object]) -> Membership:
    m = row._mapping
    person = Person(
        id=m["person_id"],
        tenant_id=m["tenant_id"],
        user_id=m["user_id"],
        division=m["division"],
        timezone=m["timezone"],
        interests=tuple(m["interests"] or ()),
    )
    return Membership(
        id=m["id"],
        program_id=m["program_id"],
        person=person,
        status=MemberStatus(m["status"]),
        paused_until=m["paused_until"],
        joined_at=utc(m["joined_at"]),
        silent_rounds=m["silent_rounds"],
        last_nudged_at=utc_or_none(m["last_nudged_at"]),
    )


class Memberships(Repository):
    def _select(self) -> Select[Any]:
        return (
            select(
                memberships,
                people.c.user_id,
                people.c.division,
                people.c.timezone,
                people.c.interests,
            )
            .join(people, people.c.id == memberships.c.person_id)
            .where(memberships.c.tenant_id == self.tenant_id)
        )

    async def get(self, program_id: int, person_id: int) -> Membership | None:
        row = (
            await self._conn.execute(
                self._select().where(
                    memberships.c.program_id == program_id, memberships.c.person_id == person_id
                )
            )
        ).first()
        return None if row is None else _membership(row)

    async def of_person(self, person_id: int) -> list[Membership]:
        rows = await self._conn.execute(self._select().where(memberships.c.person_id == person_id))
        return [_membership(r) for r in rows]

    async def of_program(self, program_id: int, *statuses: MemberStatus) -> list[Membership]:
        query = self._select().where(memberships.c.program_id == program_id)
        if statuses:
            query = query.where(memberships.c.status.in_([s.value for s in statuses]))
        rows = await self._conn.execute(query.order_by(memberships.c.id))
        return [_membership(r) for r in rows]

    async def join(self, program_id: int, person_id: int, now: datetime) -> bool:
        """Join or re-join; True when this person was not active in the program before."""
        existing = await self.get(program_id, person_id)
        if existing is None:
            await self._conn.execute(
                memberships.insert().values(
                    tenant_id=self.tenant_id,
                    program_id=program_id,
                    person_id=person_id,
                    status=MemberStatus.ACTIVE.value,
                    silent_rounds=0,
                    joined_at=now,
                )
            )
            return True
        await self.set_status(existing.id, MemberStatus.ACTIVE)
        return existing.status is not MemberStatus.ACTIVE

    async def set_status(
        self,
        membership_id: int,
        status: MemberStatus,
        *,
        paused_until: date | None = None,
        left_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status.value, "paused_until": paused_until}
        if status is MemberStatus.ACTIVE:
            values["silent_rounds"] = 0
        if status is MemberStatus.LEFT:
            values["left_at"] = left_at
        await self._conn.execute(
            update(memberships)
            .where(memberships.c.tenant_id == self.tenant_id, memberships.c.id == membership_id)
            .values(**values)
        )

    async def set_silent_rounds(self, membership_id: int, count: int) -> None:
        await self._conn.execute(
            update(memberships)
            .where(memberships.c.tenant_id == self.tenant_id, memberships.c.id == membership_id)
            .values(silent_rounds=count)
        )

    async def claim_nudge(self, membership_id: int, now: datetime, not_since: datetime) -> bool:
        """Record a nudge unless one went out after `not_since`; True when this caller may send it."""
        result = await self._conn.execute(
            update(memberships)
            .where(
                memberships.c.tenant_id == self.tenant_id,
                memberships.c.id == membership_id,
                (memberships.c.last_nudged_at.is_(None)) | (memberships.c.last_nudged_at < not_since),
            )
            .values(last_nudged_at=now)
        )
        return result.rowcount == 1
