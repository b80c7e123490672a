"""Shout-outs people give, milestones Jembatan celebrates, and inbound delivery ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from bot.domain.model import Person, ShoutOutRecord
from bot.store.base import Repository, utc
from bot.store.tables import achievements, inbound_deliveries, people, shoutout_recipients, shoutouts


class ShoutOuts(Repository):
    async def add(
        self,
        program_id: int,
        giver: Person | None,
        recipients: Sequence[Person],
        text: str,
        tags: Sequence[str],
        now: datetime,
        milestone: str | None = None,
    ) -> int:
        result = await self._conn.execute(
            shoutouts.insert().values(
                tenant_id=self.tenant_id,
                program_id=program_id,
                giver_id=None if giver is None else giver.id,
                giver_division=None if giver is None else giver.division,
                milestone=milestone,
                text=text,
                tags=list(tags),
                created_at=now,
            )
        )
        shoutout_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await self._conn.execute(
            shoutout_recipients.insert(),
            [
                {
                    "tenant_id": self.tenant_id,
                    "shoutout_id": shoutout_id,
                    "person_id": p.id,
                    "division": p.division,
                }
                for p in recipients
            ],
        )
        return shoutout_id

    async def given_since(self, person_id: int, since: datetime) -> int:
        row = (
            await self._conn.execute(
                select(func.count(shoutouts.c.id)).where(
                    shoutouts.c.tenant_id == self.tenant_id,
                    shoutouts.c.giver_id == person_id,
                    shoutouts.c.created_at >= since,
                )
            )
        ).one()
        return int(row[0])

    async def listing(
        self, program_ids: Sequence[int], since: datetime | None = None
    ) -> list[ShoutOutRecord]:
        giver = people.alias("giver")
        query = (
            select(shoutouts, giver.c.user_id.label("giver_user"))
            .outerjoin(giver, giver.c.id == shoutouts.c.giver_id)
            .where(shoutouts.c.tenant_id == self.tenant_id, shoutouts.c.program_id.in_(list(program_ids)))
            .order_by(shoutouts.c.id)
        )
        if since is not None:
            query = query.where(shoutouts.c.created_at >= since)
        rows = (await self._conn.execute(query)).all()
        if not rows:
            return []
        recipient_rows = await self._conn.execute(
            select(shoutout_recipients.c.shoutout_id, people.c.user_id, shoutout_recipients.c.division)
            .outerjoin(people, people.c.id == shoutout_recipients.c.person_id)
            .where(
                shoutout_recipients.c.tenant_id == self.tenant_id,
                shoutout_recipients.c.shoutout_id.in_([r.id for r in rows]),
            )
            .order_by(shoutout_recipients.c.id)
        )
        recipients: dict[int, list[tuple[str | None, str | None]]] = {}
        for r in recipient_rows:
            recipients.setdefault(r.shoutout_id, []).append((r.user_id, r.division))
        return [
            ShoutOutRecord(
                id=r.id,
                program_id=r.program_id,
                giver_user=r.giver_user,
                giver_division=r.giver_division,
                recipients=tuple(recipients.get(r.id, ())),
                text=r.text,
                tags=tuple(r.tags),
                milestone=r.milestone,
                created_at=utc(r.created_at),
            )
            for r in rows
        ]


class Achievements(Repository):
    async def claim(self, program_id: int, owner: str, key: str, now: datetime) -> bool:
        """True the first time only: a milestone is celebrated once, whoever notices it first."""
        inserted = await self._insert_ignoring_conflict(
            achievements,
            {
                "tenant_id": self.tenant_id,
                "program_id": program_id,
                "owner": owner,
                "key": key,
                "created_at": now,
            },
        )
        return inserted is not None

    async def unannounced(self, program_id: int) -> list[tuple[int, str, str]]:
        rows = await self._conn.execute(
            select(achievements.c.id, achievements.c.owner, achievements.c.key)
            .where(
                achievements.c.tenant_id == self.tenant_id,
                achievements.c.program_id == program_id,
                achievements.c.announced_at.is_(None),
            )
            .order_by(achievements.c.id)
        )
        return [(r.id, r.owner, r.key) for r in rows]

    async def mark_announced(self, ids: list[int], now: datetime) -> None:
        await self._conn.execute(
            update(achievements)
            .where(achievements.c.tenant_id == self.tenant_id, achievements.c.id.in_(ids))
            .values(announced_at=now)
        )


class Deliveries(Repository):
    async def claim(self, delivery_id: str, now: datetime) -> bool:
        """True for the first sighting of a platform delivery id; a retry or replay gets False."""
        inserted = await self._insert_ignoring_conflict(
            inbound_deliveries,
            {"tenant_id": self.tenant_id, "delivery_id": delivery_id[:128], "received_at": now},
        )
        return inserted is not None
