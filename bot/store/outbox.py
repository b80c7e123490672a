"""The outbox: every outgoing message is a row written with the change that caused it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.messages import Destination, Message, dump, load_destination, load_message
from bot.store.base import Repository, utc
from bot.store.tables import outbox

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    tenant_id: int
    dedupe_key: str
    destination: Destination
    message: Message
    group_id: int | None
    attempts: int  # this one included
    conversation_id: str | None
    created_at: datetime


class Outbox(Repository):
    def _pending(
        self, key: str, destination: Destination, message: Message, group_id: int | None, now: datetime
    ) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "dedupe_key": key[:128],
            "destination": dump(destination),
            "message": dump(message),
            "group_id": group_id,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }

    async def add(
        self,
        dedupe_key: str,
        destination: Destination,
        message: Message,
        now: datetime,
        group_id: int | None = None,
    ) -> bool:
        """Queue a message; the same key twice queues it once."""
        row = self._pending(dedupe_key, destination, message, group_id, now)
        return await self._insert_ignoring_conflict(outbox, row) is not None

    async def add_many(
        self, items: Sequence[tuple[str, Destination, Message, int | None]], now: datetime
    ) -> None:
        """Queue many messages in one statement (a round's intros); keys already queued are skipped."""
        if not items:
            return
        module: Any = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        await self._conn.execute(
            module.insert(outbox).on_conflict_do_nothing(),
            [self._pending(key, to, message, group_id, now) for key, to, message, group_id in items],
        )

    def _due(self, now: datetime, lease: timedelta) -> ColumnElement[bool]:
        stale = now - lease
        return (outbox.c.tenant_id == self.tenant_id) & (
            ((outbox.c.status == PENDING) & (outbox.c.next_attempt_at <= now))
            | ((outbox.c.status == SENDING) & (outbox.c.next_attempt_at <= stale))
        )

    async def any_due(self, now: datetime, lease: timedelta) -> bool:
        """Whether claim_next would find a row now (without claiming it)."""
        query = select(outbox.c.id).where(self._due(now, lease)).limit(1)
        return (await self._conn.execute(query)).first() is not None

    async def claim_next(self, now: datetime, lease: timedelta, holder_id: int) -> OutboxRow | None:
        """Take the next due row for the send about to start, or None when nothing is due.

        The row becomes `sending` for `holder_id`, its lease starts now, and an attempt is counted
        now: whatever happens next, a send was made. Rows are taken one at a time, right before
        their send, so a crash holds at most the one row it was sending, and a row is never
        charged an attempt for a send that never started. A row left `sending` by a holder that
        is gone comes back at once (see holders.py); one whose live holder has been silent
        longer than the lease is due again too. At-least-once towards the platform, with the row
        id as the idempotency key adapters pass on where the platform supports one."""
        while True:
            query = select(outbox).where(self._due(now, lease)).order_by(outbox.c.id).limit(1)
            if self._conn.dialect.name == "postgresql":
                # Several processes claim at once: each passes over rows another is claiming.
                query = query.with_for_update(skip_locked=True)
            r = (await self._conn.execute(query)).first()
            if r is None:
                return None
            try:
                destination, message = load_destination(r.destination), load_message(r.message)
            except (KeyError, TypeError, ValueError) as error:
                # Written by a version that knew a message this one does not: it can never be
                # sent, and must not block the rows behind it.
                await self._set(r.id, status=FAILED, last_error=f"unreadable: {type(error).__name__}")
                continue
            result = await self._conn.execute(
                update(outbox)
                .where(outbox.c.id == r.id, outbox.c.status == r.status, outbox.c.attempts == r.attempts)
                .values(status=SENDING, attempts=r.attempts + 1, next_attempt_at=now, holder_id=holder_id)
            )
            if result.rowcount != 1:
                return None  # taken meanwhile; the next pass looks again
            return OutboxRow(
                id=r.id,
                tenant_id=r.tenant_id,
                dedupe_key=r.dedupe_key,
                destination=destination,
                message=message,
                group_id=r.group_id,
                attempts=r.attempts + 1,
                conversation_id=r.conversation_id,
                created_at=utc(r.created_at),
            )

    async def _set(self, row_id: int, **values: object) -> None:
        await self._conn.execute(
            update(outbox).where(outbox.c.tenant_id == self.tenant_id, outbox.c.id == row_id).values(**values)
        )

    async def mark_sent(
        self, row_id: int, conversation_id: str | None, message_ref: str, now: datetime
    ) -> None:
        await self._set(
            row_id,
            status=SENT,
            sent_at=now,
            holder_id=None,
            conversation_id=conversation_id,
            message_ref=message_ref,
            last_error=None,
        )

    async def mark_retry(self, row_id: int, at: datetime, error: str) -> None:
        await self._set(row_id, status=PENDING, next_attempt_at=at, last_error=error[:255], holder_id=None)

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self._set(row_id, status=FAILED, last_error=error[:255], holder_id=None)

    async def fail_everything_pending(self, error: str) -> None:
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.tenant_id == self.tenant_id, outbox.c.status.in_([PENDING, SENDING]))
            .values(status=FAILED, last_error=error[:255])
        )

    async def counts(self) -> dict[str, int]:
        rows = await self._conn.execute(select(outbox.c.status).where(outbox.c.tenant_id == self.tenant_id))
        counted: dict[str, int] = {}
        for (status,) in rows:
            counted[status] = counted.get(status, 0) + 1
        return counted

    async def sent_message_ref(self, dedupe_key: str) -> tuple[str | None, str | None] | None:
        row = (
            await self._conn.execute(
                select(outbox.c.conversation_id, outbox.c.message_ref).where(
                    outbox.c.tenant_id == self.tenant_id, outbox.c.dedupe_key == dedupe_key
                )
            )
        ).first()
        return None if row is None else (row.conversation_id, row.message_ref)
