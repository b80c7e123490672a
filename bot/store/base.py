"""What every repository shares: its connection, its tenant, and portable small helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


class Repository:
    """A view of one tenant's rows. There is deliberately no way to ask it about another tenant."""

    def __init__(self, conn: AsyncConnection, tenant_id: int) -> None:
        self._conn = conn
        self.tenant_id = tenant_id

    async def _insert_ignoring_conflict(self, table: Table, values: dict[str, Any]) -> int | None:
        """Insert unless a unique constraint says it exists; the new id, or None if it existed."""
        dialect = self._conn.dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        result = await self._conn.execute(statement)
        row = result.first()
        return None if row is None else int(row[0])
