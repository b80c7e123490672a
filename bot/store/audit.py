"""The audit list: which admin changed what, and when, whichever door the command came through.

Its table is in tables.py with the others. Rows go with their workspace (the tenant cascades)
and with their program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    insert,
    or_,
    select,
    update,
)

from bot.store.base import Repository, utc
from bot.store.tables import audit_entries


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user_id: str
    action: str  # the command's name, e.g. "SetupProgram"
    program_id: int | None
    details: dict[str, Any]


class AuditLog(Repository):
    async def record(
        self, program_id: int | None, user_id: str, action: str, details: dict[str, Any], at: datetime
    ) -> None:
        await self._conn.execute(
            insert(audit_entries).values(
                tenant_id=self.tenant_id,
                program_id=program_id,
                user_id=user_id,
                action=action,
                details=details,
                created_at=at,
            )
        )

    async def recent(self, program_id: int, limit: int = 100) -> list[AuditEntry]:
        """Newest first: this program's entries and the workspace-wide ones."""
        rows = await self._conn.execute(
            select(audit_entries)
            .where(
                audit_entries.c.tenant_id == self.tenant_id,
                or_(audit_entries.c.program_id == program_id, audit_entries.c.program_id.is_(None)),
            )
            .order_by(audit_entries.c.created_at.desc(), audit_entries.c.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(utc(r.created_at), r.user_id, r.action, r.program_id, dict(r.details)) for r in rows
        ]

    async def forget(self, user_id: str) -> None:
        """A person asked to be forgotten: the entries stay (what changed, and when), but no
        longer name them, as who did it or as whom it was done to."""
        await self._conn.execute(
            update(audit_entries)
            .where(audit_entries.c.tenant_id == self.tenant_id, audit_entries.c.user_id == user_id)
            .values(user_id="")
        )
        rows = await self._conn.execute(
            select(audit_entries.c.id, audit_entries.c.details).where(
                audit_entries.c.tenant_id == self.tenant_id,
                audit_entries.c.action.in_(("BlockPair", "GrantAdmin")),
            )
        )
        for row in rows.all():
            details = dict(row.details)
            if user_id in details.values():
                scrubbed = {k: "" if v == user_id else v for k, v in details.items()}
                await self._conn.execute(
                    update(audit_entries).where(audit_entries.c.id == row.id).values(details=scrubbed)
                )
