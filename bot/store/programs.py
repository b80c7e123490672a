"""Programs (one per pairing channel), a workspace's extra admins, and blocked pairs."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select, update
from sqlalchemy.engine import Row

from bot.domain.model import Cadence, Lang, Program, ProgramConfig
from bot.domain.pairing.model import CrossDivisionMode
from bot.store.base import Repository, utc, utc_or_none
from bot.store.tables import admins, blocked_pairs, people, programs


def _program(row: Row[object]) -> Program:
    m = row._mapping
    hours, minutes = (int(p) for p in m["local_time"].split(":"))
    config = ProgramConfig(
        cadence=Cadence(m["cadence"]),
        weekday=m["weekday"],
        local_time=time(hours, minutes),
        timezone=m["timezone"],
        group_size=m["group_size"],
        lang=Lang(m["lang"]),
        cross_division=CrossDivisionMode(m["cross_division"]),
        shoutout_channel=m["shoutout_channel"],
        anchor=m["anchor"],
    )
    return Program(
        m["id"],
        m["tenant_id"],
        m["channel_id"],
        config,
        utc(m["created_at"]),
        m["set_up_by"],
        utc_or_none(m["schedule_changed_at"]),
    )


def _config_values(config: ProgramConfig) -> dict[str, object]:
    return {
        "cadence": config.cadence.value,
        "weekday": config.weekday,
        "local_time": config.local_time.strftime("%H:%M"),
        "timezone": config.timezone,
        "group_size": config.group_size,
        "lang": config.lang.value,
        "cross_division": config.cross_division.value,
        "shoutout_channel": config.shoutout_channel,
        "anchor": config.anchor,
    }


class Programs(Repository):
    def _select(self) -> Select[Any]:
        return select(programs).where(programs.c.tenant_id == self.tenant_id)

    async def by_channel(self, channel_id: str) -> Program | None:
        row = (await self._conn.execute(self._select().where(programs.c.channel_id == channel_id))).first()
        return None if row is None else _program(row)

    async def get(self, program_id: int) -> Program | None:
        row = (await self._conn.execute(self._select().where(programs.c.id == program_id))).first()
        return None if row is None else _program(row)

    async def all(self) -> list[Program]:
        rows = await self._conn.execute(self._select().order_by(programs.c.id))
        return [_program(r) for r in rows]

    async def posting_to(self, channel_id: str) -> list[Program]:
        """Programs that post in a channel: as their pairing channel or their shout-out channel."""
        rows = await self._conn.execute(
            self._select()
            .where(or_(programs.c.channel_id == channel_id, programs.c.shoutout_channel == channel_id))
            .order_by(programs.c.id)
        )
        return [_program(r) for r in rows]

    async def create(self, channel_id: str, config: ProgramConfig, now: datetime, set_up_by: str) -> Program:
        values = _config_values(config)
        result = await self._conn.execute(
            programs.insert().values(
                tenant_id=self.tenant_id,
                channel_id=channel_id,
                created_at=now,
                schedule_changed_at=now,
                set_up_by=set_up_by,
                **values,
            )
        )
        program = await self.get(int(result.inserted_primary_key[0]))  # type: ignore[index]
        assert program is not None
        return program

    async def update_config(
        self, program_id: int, config: ProgramConfig, set_up_by: str, schedule_changed_at: datetime | None
    ) -> None:
        """`schedule_changed_at` when the slots moved (None keeps the old moment): slots due
        before it never run, so a new weekday cannot set off a round for a day already past."""
        moved = {} if schedule_changed_at is None else {"schedule_changed_at": schedule_changed_at}
        await self._conn.execute(
            update(programs)
            .where(programs.c.tenant_id == self.tenant_id, programs.c.id == program_id)
            .values(set_up_by=set_up_by, **_config_values(config), **moved)
        )

    async def forget_setter(self, user_id: str) -> None:
        """Forget me: programs this person set up no longer name them."""
        await self._conn.execute(
            update(programs)
            .where(programs.c.tenant_id == self.tenant_id, programs.c.set_up_by == user_id)
            .values(set_up_by=None)
        )


class Admins(Repository):
    async def is_listed(self, user_id: str) -> bool:
        row = (
            await self._conn.execute(
                select(admins.c.id).where(admins.c.tenant_id == self.tenant_id, admins.c.user_id == user_id)
            )
        ).first()
        return row is not None

    async def add(self, user_id: str, now: datetime) -> None:
        await self._insert_ignoring_conflict(
            admins, {"tenant_id": self.tenant_id, "user_id": user_id, "created_at": now}
        )

    async def remove(self, user_id: str) -> None:
        await self._conn.execute(
            delete(admins).where(admins.c.tenant_id == self.tenant_id, admins.c.user_id == user_id)
        )


class Blocks(Repository):
    async def add(self, first_person: int, second_person: int, now: datetime) -> bool:
        low, high = sorted((first_person, second_person))
        inserted = await self._insert_ignoring_conflict(
            blocked_pairs,
            {
                "tenant_id": self.tenant_id,
                "first_person_id": low,
                "second_person_id": high,
                "created_at": now,
            },
        )
        return inserted is not None

    async def user_pairs(self) -> list[tuple[str, str]]:
        first, second = people.alias("first"), people.alias("second")
        rows = await self._conn.execute(
            select(first.c.user_id, second.c.user_id)
            .select_from(blocked_pairs)
            .join(first, first.c.id == blocked_pairs.c.first_person_id)
            .join(second, second.c.id == blocked_pairs.c.second_person_id)
            .where(blocked_pairs.c.tenant_id == self.tenant_id)
        )
        return [(a, b) for a, b in rows]

    async def involving(self, person_id: int) -> int:
        rows = await self._conn.execute(
            select(blocked_pairs.c.id).where(
                and_(
                    blocked_pairs.c.tenant_id == self.tenant_id,
                    or_(
                        blocked_pairs.c.first_person_id == person_id,
                        blocked_pairs.c.second_person_id == person_id,
                    ),
                )
            )
        )
        return len(rows.all())
