"""Workspaces: the only table read without a tenant in hand, and it returns only tenant ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Platform, TenantRef
from bot.store.base import utc
from bot.store.tables import outbox, tenants


class TenantDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

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
        found = await self.find(ref)
        if found is not None:
            await self._conn.execute(update(tenants).where(tenants.c.id == found).values(active=True))
            return found
        result = await self._conn.execute(
            tenants.insert().values(
                platform=ref.platform.value, external_id=ref.external_id, active=True, created_at=now
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

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

    async def is_active(self, tenant_id: int) -> bool:
        row = (await self._conn.execute(select(tenants.c.active).where(tenants.c.id == tenant_id))).first()
        return bool(row and row.active)

    async def active_ids(self) -> list[int]:
        rows = await self._conn.execute(select(tenants.c.id).where(tenants.c.active.is_(True)))
        return [int(r[0]) for r in rows]

    async def ids_with_outbox_due(self, now: datetime) -> list[int]:
        rows = await self._conn.execute(
            select(outbox.c.tenant_id)
            .join(tenants, tenants.c.id == outbox.c.tenant_id)
            .where(
                tenants.c.active.is_(True),
                outbox.c.status.in_(("pending", "sending")),
                outbox.c.next_attempt_at <= now,
            )
            .distinct()
        )
        return [int(r[0]) for r in rows]

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
