"""What is kept only for a while: sent messages and the platforms' delivery ids.

A sent outbox row is needed for days (a retried send finds it by its key; an operator looks at
what went out), a delivery id for minutes (a platform's retry of the same command or click):
past the retention window both go. Unsent rows (pending, sending, failed) are never expired
here: they are still owed to someone, or an operator's to look at.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import inbound_deliveries, outbox

SENT = "sent"


class Expiry:
    """Across workspaces, in the transaction it is given."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def sent_before(self, cutoff: datetime) -> int:
        """Delete the rows sent before `cutoff`; how many went."""
        result = await self._conn.execute(
            delete(outbox).where(
                outbox.c.status == SENT,
                # Implied (a row's last claim comes before its send), and it lets the
                # (status, next_attempt_at) index find the rows instead of reading every sent one.
                outbox.c.next_attempt_at < cutoff,
                outbox.c.sent_at < cutoff,
            )
        )
        return int(result.rowcount or 0)

    async def deliveries_before(self, cutoff: datetime) -> int:
        """Forget the delivery ids received before `cutoff`; how many went."""
        result = await self._conn.execute(
            delete(inbound_deliveries).where(inbound_deliveries.c.received_at < cutoff)
        )
        return int(result.rowcount or 0)
