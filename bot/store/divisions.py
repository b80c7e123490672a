"""A program's division names, and renaming them everywhere the program keeps one: its people,
the groups of its rounds, and its shout-outs (so the history and the network picture agree)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, select, union, update

from bot.store.base import Repository
from bot.store.tables import (
    group_members,
    groups,
    memberships,
    people,
    rounds,
    shoutout_recipients,
    shoutouts,
)


class Divisions(Repository):
    def _members(self, program_id: int) -> Select[tuple[int]]:
        return select(memberships.c.person_id).where(
            memberships.c.tenant_id == self.tenant_id, memberships.c.program_id == program_id
        )

    def _groups(self, program_id: int) -> Select[tuple[int]]:
        return (
            select(groups.c.id)
            .join(rounds, rounds.c.id == groups.c.round_id)
            .where(groups.c.tenant_id == self.tenant_id, rounds.c.program_id == program_id)
        )

    async def of_program(self, program_id: int) -> list[str]:
        """Every division name the program's people or its past groups carry."""
        now = select(people.c.division.label("name")).where(
            people.c.tenant_id == self.tenant_id,
            people.c.division.is_not(None),
            people.c.id.in_(self._members(program_id)),
        )
        then = select(group_members.c.division.label("name")).where(
            group_members.c.tenant_id == self.tenant_id,
            group_members.c.division.is_not(None),
            group_members.c.group_id.in_(self._groups(program_id)),
        )
        rows = await self._conn.execute(union(now, then))
        return sorted(str(r.name) for r in rows)

    async def rename(self, program_id: int, names: Collection[str], new: str) -> int:
        """Rename exactly `names` to `new`; the number of people whose division changed."""
        if not names:
            return 0
        moved = await self._conn.execute(
            update(people)
            .where(
                people.c.tenant_id == self.tenant_id,
                people.c.division.in_(names),
                people.c.id.in_(self._members(program_id)),
            )
            .values(division=new)
        )
        await self._conn.execute(
            update(group_members)
            .where(
                group_members.c.tenant_id == self.tenant_id,
                group_members.c.division.in_(names),
                group_members.c.group_id.in_(self._groups(program_id)),
            )
            .values(division=new)
        )
        await self._conn.execute(
            update(shoutouts)
            .where(
                shoutouts.c.tenant_id == self.tenant_id,
                shoutouts.c.program_id == program_id,
                shoutouts.c.giver_division.in_(names),
            )
            .values(giver_division=new)
        )
        given = select(shoutouts.c.id).where(
            shoutouts.c.tenant_id == self.tenant_id, shoutouts.c.program_id == program_id
        )
        await self._conn.execute(
            update(shoutout_recipients)
            .where(
                shoutout_recipients.c.tenant_id == self.tenant_id,
                shoutout_recipients.c.division.in_(names),
                shoutout_recipients.c.shoutout_id.in_(given),
            )
            .values(division=new)
        )
        return int(moved.rowcount or 0)
