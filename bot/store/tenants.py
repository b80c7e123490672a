"""Workspaces: the only table read without a tenant in hand, and it returns only tenant ids."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Platform, TenantRef
from bot.store.base import utc
from bot.store.tables import outbox, tenants


class TenantDirectory:
    def __init__(self, conn: AsyncConnection, held: Set[TenantRef] = frozenset()) -> None:
        self._conn = conn
        self._held = held  # see Store.held

    async def find(self, ref: TenantRef) -> int | None:
        row = (
            await self._conn.execute(
                select(tenants.c.id).where(
                    tenants.c.platform == ref.platform.value, tenants.c.external_id == ref.external_id
                )
            )
        ).first()
        return None if row is None else int(row[0])

    async def ensure(self, ref: TenantRef, now: datetime) -> int:
        """The workspace's id, registering it on its first command. Several first commands can
        arrive at once (people, replicas): the insert gives way to whichever committed first,
        and the row is read back. Nothing here locks a row that exists and is active, so the
        commands of one workspace never queue behind each other in the database."""
        found = await self.find(ref)
        if found is None:
            dialect: Any = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            inserted = (
                await self._conn.execute(
                    dialect.insert(tenants)
                    .values(
                        platform=ref.platform.value, external_id=ref.external_id, active=True, created_at=now
                    )
                    .on_conflict_do_nothing()
                    .returning(tenants.c.id)
                )
            ).first()
            if inserted is not None:
                return int(inserted[0])
            found = await self.find(ref)
            assert found is not None, "the conflicting insert committed, so the row is there"
            return found
        # Only a switched-off workspace is written to (a row lock, once), never an active one.
        await self._conn.execute(
            update(tenants).where(tenants.c.id == found, tenants.c.active.is_(False)).values(active=True)
        )
        return found

    async def on_platform(self, platform: Platform) -> dict[str, tuple[int, datetime]]:
        """Every workspace of one platform we hold data for: external id -> (tenant id, created)."""
        rows = await self._conn.execute(
            select(tenants.c.external_id, tenants.c.id, tenants.c.created_at).where(
                tenants.c.platform == platform.value
            )
        )
        return {external_id: (int(tenant_id), utc(created)) for external_id, tenant_id, created in rows}

    async def ref(self, tenant_id: int) -> TenantRef:
        row = (
            await self._conn.execute(
                select(tenants.c.platform, tenants.c.external_id).where(tenants.c.id == tenant_id)
            )
        ).one()
        return TenantRef(Platform(row.platform), row.external_id)

    async def ref_if_any(self, tenant_id: int) -> TenantRef | None:
        """As `ref`, or None for a workspace erased since (a session can outlive it)."""
        row = (
            await self._conn.execute(
                select(tenants.c.platform, tenants.c.external_id).where(tenants.c.id == tenant_id)
            )
        ).first()
        return None if row is None else TenantRef(Platform(row.platform), row.external_id)

    async def is_active(self, tenant_id: int) -> bool:
        row = (await self._conn.execute(select(tenants.c.active).where(tenants.c.id == tenant_id))).first()
        return bool(row and row.active)

    async def active_ids(self) -> list[int]:
        rows = await self._conn.execute(select(tenants.c.id).where(tenants.c.active.is_(True)))
        return [int(r[0]) for r in rows]

    async def ids_with_outbox_due(self, now: datetime) -> list[int]:
        """Workspaces with messages due, except those held (their rows wait, as they are)."""
        rows = await self._conn.execute(
            select(outbox.c.tenant_id, tenants.c.platform, tenants.c.external_id)
            .join(tenants, tenants.c.id == outbox.c.tenant_id)
            .where(
                tenants.c.active.is_(True),
                outbox.c.status.in_(("pending", "sending")),
                outbox.c.next_attempt_at <= now,
            )
            .distinct()
        )
        return [
            int(tenant_id)
            for tenant_id, platform, external_id in rows
            if TenantRef(Platform(platform), external_id) not in self._held
        ]

    async def outbox_backlog(self, now: datetime) -> tuple[int, float]:
        """Across all workspaces, for the operator's metrics: rows waiting to be sent, and the
        age in seconds of the oldest of them (0 when none wait)."""
        count, oldest = (
            await self._conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.status.in_(("pending", "sending"))
                )
            )
        ).one()
        return int(count), 0.0 if oldest is None else max(0.0, (now - utc(oldest)).total_seconds())

    async def deactivate(self, tenant_id: int) -> None:
        await self._conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(active=False))

    async def created_at(self, tenant_id: int) -> datetime:
        created = (
            await self._conn.execute(select(tenants.c.created_at).where(tenants.c.id == tenant_id))
        ).scalar_one()
        return utc(created)

    async def erase(self, tenant_id: int) -> None:
        """The app was removed: every row of the workspace goes (foreign keys cascade)."""
        await self._conn.execute(delete(tenants).where(tenants.c.id == tenant_id))
