"""Each workspace's sending budget, kept in the database so every relay process shares it.

A platform limits what one workspace may be sent (Slack: Tier 3 on `conversations.open`, about
one post a second per channel), not what one of our processes sends. So the pace is a row per
workspace: the earliest moment its next send may start. A process that sends takes the slot and
moves that moment on by the workspace's interval in the same transaction as it claims the row
(on PostgreSQL under the row's lock, so two replicas never take the same slot), and a 429's
Retry-After moves it past the wait, for every process and every row of that workspace at once.
Workspaces have a row each: one workspace's wait never delays another's sends.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Platform, TenantRef
from bot.store.base import Repository, utc
from bot.store.tables import outbox, outbox_pacing, tenants


class Pacing(Repository):
    """One workspace's pace."""

    async def take_slot(self, now: datetime, interval: timedelta) -> tuple[bool, datetime]:
        """Take the workspace's send slot if it has come: (True, when the next one comes), and
        the next is set `interval` on. Otherwise (False, when the slot comes), nothing changed.

        Call it in the transaction that claims the row to send, and commit both together: on
        PostgreSQL the pace row stays locked until then, so a replica asking meanwhile waits and
        then sees the slot taken. Rolled back (nothing was due after all), the slot is not spent.
        A send that starts a little late (the wake-up, a database round trip) does not push every
        later slot back: up to half an interval of lateness is made up, which keeps the average
        pace at the interval (over any window, at most one send more than the interval allows:
        within the burst every platform grants)."""
        query = select(outbox_pacing.c.not_before).where(outbox_pacing.c.tenant_id == self.tenant_id)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        found = (await self._conn.execute(query)).first()
        if found is None:
            await self._ensure(now)
            found = (await self._conn.execute(query)).first()
            assert found is not None
        not_before = utc(found.not_before)
        if not_before > now:
            return False, not_before
        if interval <= timedelta(0):
            return True, now
        following = max(not_before, now - interval / 2) + interval
        await self._conn.execute(
            update(outbox_pacing)
            .where(outbox_pacing.c.tenant_id == self.tenant_id)
            .values(not_before=following)
        )
        return True, following

    async def hold_until(self, until: datetime) -> None:
        """The platform said wait (a 429's Retry-After): no request to this workspace before
        `until`, from any process, whichever row it would carry."""
        await self._ensure(until)
        await self._conn.execute(
            update(outbox_pacing)
            .where(outbox_pacing.c.tenant_id == self.tenant_id, outbox_pacing.c.not_before < until)
            .values(not_before=until)
        )

    async def not_before(self) -> datetime | None:
        row = (
            await self._conn.execute(
                select(outbox_pacing.c.not_before).where(outbox_pacing.c.tenant_id == self.tenant_id)
            )
        ).first()
        return None if row is None else utc(row.not_before)

    async def _ensure(self, when: datetime) -> None:
        module = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        await self._conn.execute(
            module.insert(outbox_pacing)
            .values(tenant_id=self.tenant_id, not_before=when)
            .on_conflict_do_nothing()
        )


class DueWorkspaces:
    """Across workspaces: which have messages due and may be sent to now."""

    def __init__(self, conn: AsyncConnection, held: Set[TenantRef]) -> None:
        self._conn = conn
        self._held = held

    async def ids(self, now: datetime, within: timedelta = timedelta(0)) -> list[int]:
        """Active workspaces with rows due whose pace lets a send start within `within` of now.
        A workspace held by a Retry-After, or paced further off, is left out (its rows wait);
        so are workspaces whose credentials the operator must fix (`held`)."""
        horizon = now + within
        rows = await self._conn.execute(
            select(outbox.c.tenant_id, tenants.c.platform, tenants.c.external_id)
            .join(tenants, tenants.c.id == outbox.c.tenant_id)
            .outerjoin(outbox_pacing, outbox_pacing.c.tenant_id == outbox.c.tenant_id)
            .where(
                tenants.c.active.is_(True),
                outbox.c.status.in_(("pending", "sending")),
                outbox.c.next_attempt_at <= now,
                or_(outbox_pacing.c.not_before.is_(None), outbox_pacing.c.not_before <= horizon),
            )
            .distinct()
        )
        return sorted(
            int(tenant_id)
            for tenant_id, platform, external_id in rows
            if TenantRef(Platform(platform), external_id) not in self._held
        )
