"""Who is sending: each relay process registers as a holder, so a dead one's rows come back at once.

A row in `sending` names its holder. On PostgreSQL a holder is alive while it holds a
session-level advisory lock keyed by its id, taken on a dedicated, unpooled connection: the
server drops the lock the moment that connection dies with its process, and any other process
then takes the holder's rows back before its next claim. SQLite serves one process, so a process
that starts takes back every row another holder left `sending`.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import delete, insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.tables import outbox, outbox_holders

log = logging.getLogger(__name__)

LOCK_SPACE = 0x4A42  # the advisory locks' first key: "JB"; the second is the holder id
PENDING, SENDING = "pending", "sending"

# The holders whose lock is held right now, in this database (pg_locks is not transactional:
# it shows the locks of this instant, whatever the reading transaction's snapshot).
_LIVE = f"""
    SELECT objid::bigint FROM pg_locks
    WHERE locktype = 'advisory' AND classid = {LOCK_SPACE} AND objsubid = 2 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def _name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


class Holder:
    """This process's registration. `id` goes on every row it claims."""

    def __init__(self, engine: AsyncEngine, holder_id: int, lock: AsyncConnection | None = None) -> None:
        self._engine = engine
        self.id = holder_id
        self._lock = lock  # PostgreSQL: the connection whose session holds our advisory lock

    async def alive(self) -> bool:
        """Whether our registration still stands (on PostgreSQL: the lock's connection answers).
        If it does not, other processes may already be taking our rows: stop and register again."""
        if self._lock is None:
            return True
        try:
            await self._lock.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def take_back_dead(self) -> int:
        """Put the rows of holders that are gone back in the queue; how many there were."""
        if self._lock is None:
            return 0  # SQLite: done once, at registration
        async with self._engine.begin() as conn:
            result = await conn.execute(
                text(
                    f"UPDATE outbox SET status = '{PENDING}', holder_id = NULL WHERE status = '{SENDING}'"
                    # A row without a holder was claimed by a version before holders (a rolling
                    # upgrade's old replica, still sending it): its lease decides, not us.
                    f" AND holder_id IS NOT NULL AND holder_id NOT IN ({_LIVE})"
                )
            )
            await conn.execute(text(f"DELETE FROM outbox_holders WHERE id NOT IN ({_LIVE})"))
        taken = int(result.rowcount or 0)
        if taken:
            log.warning("took back %d message(s) a stopped process was sending", taken)
        return taken

    async def close(self) -> None:
        """Leave cleanly: rows still marked ours go back to the queue (a stop that could not wait
        for a send), and the registration goes."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(outbox)
                    .where(outbox.c.holder_id == self.id, outbox.c.status == SENDING)
                    .values(status=PENDING, holder_id=None)
                )
                await conn.execute(delete(outbox_holders).where(outbox_holders.c.id == self.id))
        finally:
            if self._lock is not None:
                lock, self._lock = self._lock, None
                engine = lock.engine
                try:
                    await lock.close()
                finally:
                    await engine.dispose()


async def register(engine: AsyncEngine, now: datetime) -> Holder:
    """Register this process as a holder; on SQLite, also take back what earlier ones left."""
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            holder_id = await _insert(conn, now)
            result = await conn.execute(
                update(outbox).where(outbox.c.status == SENDING).values(status=PENDING, holder_id=None)
            )
            await conn.execute(delete(outbox_holders).where(outbox_holders.c.id != holder_id))
        if result.rowcount:
            log.warning("took back %d message(s) an earlier process was sending", result.rowcount)
        return Holder(engine, holder_id)
    dedicated = create_async_engine(engine.url, poolclass=NullPool)
    conn = await dedicated.connect()
    try:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        # Insert and lock in one statement: no one can see the row before its lock is held,
        # so no one can mistake a holder that is still starting for a dead one. The lock is only
        # tried: an id whose lock some old connection still holds (ids reused after the table was
        # emptied, as a test database's RESTART IDENTITY does) is skipped for the next one, where
        # waiting on it would hang this start for as long as that connection lives.
        for _ in range(100):
            holder_id, locked = (
                await conn.execute(
                    text(
                        "WITH h AS (INSERT INTO outbox_holders (name, started_at) VALUES (:name, :now)"
                        f" RETURNING id) SELECT id, pg_try_advisory_lock({LOCK_SPACE}, id) FROM h"
                    ),
                    {"name": _name(), "now": now},
                )
            ).one()
            if locked:
                break
            await conn.execute(delete(outbox_holders).where(outbox_holders.c.id == holder_id))
        else:
            raise RuntimeError("no outbox holder id could be locked")
        holder_id = int(holder_id)
    except BaseException:
        await conn.close()
        await dedicated.dispose()
        raise
    holder = Holder(engine, holder_id, conn)
    await holder.take_back_dead()
    return holder


async def _insert(conn: AsyncConnection, now: datetime) -> int:
    result = await conn.execute(insert(outbox_holders).values(name=_name(), started_at=now))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
