"""The outbox across crashes: attempts count only sends that were made, a dead sender's row comes
back at once, and two processes on one PostgreSQL never send the same row."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import text

from bot.delivery import Relay
from bot.messages import Intro
from bot.services.rounds import due_rounds
from bot.store.db import create_engine
from bot.store.holders import LOCK_SPACE
from bot.store.unit_of_work import Store
from tests.drive import Driver
from tests.fakes import FakeMessenger

# A killed relay's connections are left for the garbage collector, as a dead process leaves them.
pytestmark = pytest.mark.filterwarnings("ignore:The garbage collector is trying to clean up")


class Killed(BaseException):
    """kill -9, as the relay sees it: nothing after this line runs, no handler catches it."""


async def _queued_round(drive: Driver, people: int) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(people)})
    program = await drive.program()
    from bot.domain import schedule

    drive.clock.now = schedule.next_after(program.config, drive.clock.now).due
    await due_rounds(drive.app.deps)  # an announcement and people/2 intros, queued


async def _rows(drive: Driver) -> dict[int, tuple[str, int]]:
    async with drive.app.store.engine.connect() as conn:
        rows = await conn.execute(text("SELECT id, status, attempts FROM outbox ORDER BY id"))
        return {row_id: (status, attempts) for row_id, status, attempts in rows}


async def _bury(store: Store) -> None:
    """What the death of a process does on PostgreSQL: its connections close, and with them the
    advisory lock that said its holder was alive. (On SQLite the next start takes rows back.)"""
    if store.engine.dialect.name != "postgresql":
        return
    async with store.engine.begin() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                f" WHERE locktype = 'advisory' AND classid = {LOCK_SPACE} AND pid <> pg_backend_pid()"
            )
        )


async def test_a_crash_after_each_send_spends_no_attempt_on_rows_never_tried(drive: Driver) -> None:
    # The process is killed after every first send, eight times, with time to spare for any
    # lease between starts: the rows it never tried keep all their attempts.
    await _queued_round(drive, people=20)  # 11 rows
    for _ in range(8):

        async def killed(_seconds: float) -> None:
            raise Killed

        relay = Relay(drive.app.store, drive.messenger, drive.clock, min_interval=1.0, sleep=killed)
        with pytest.raises(Killed):
            await relay.run_once()
        await _bury(drive.app.store)
        drive.clock.advance(minutes=6)
    assert len(drive.messenger.sent) == 8
    rows = await _rows(drive)
    assert sorted(attempts for _, attempts in rows.values()) == [0] * 3 + [1] * 8
    await drive.app.relay.drain()
    assert Counter(status for status, _ in (await _rows(drive)).values()) == {"sent": 11}
    assert len(drive.messenger.of_kind(Intro)) == 10
    assert len({s.key for s in drive.messenger.sent}) == 11  # nothing twice


class Gated(FakeMessenger):
    """Holds one post open (the platform has it; the sender has not heard back)."""

    def __init__(self, hold: int) -> None:
        super().__init__()
        self.hold = hold  # hold the n-th post (1-based)
        self.posts = 0
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def post(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.posts += 1
        sent = await super().post(*args, **kwargs)
        if self.posts == self.hold:
            self.holding.set()
            await self.release.wait()
        return sent


async def test_a_dead_senders_row_is_taken_back_at_once_not_after_the_lease(drive: Driver) -> None:
    await _queued_round(drive, people=4)  # 3 rows
    dying = Gated(hold=2)
    first = Relay(drive.app.store, dying, drive.clock)
    sending = asyncio.create_task(first.run_once())
    await asyncio.wait_for(dying.holding.wait(), 10)
    sending.cancel()  # killed while the second post was on its way
    await asyncio.gather(sending, return_exceptions=True)
    await _bury(drive.app.store)

    # The next process, at the same moment: no lease to wait out.
    await drive.app.relay.drain()
    assert Counter(status for status, _ in (await _rows(drive)).values()) == {"sent": 3}
    assert [s.key for s in dying.sent] == ["jb1", "jb2"]
    assert sorted(s.key for s in drive.messenger.sent) == ["jb2", "jb3"]  # the one in flight, again


async def test_two_processes_on_postgresql_never_send_the_same_row(drive: Driver, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    await _queued_round(drive, people=40)  # 21 rows
    other = Store(create_engine(database_url))  # a second process: its own pool, its own holder
    slow, busy = Gated(hold=3), FakeMessenger()
    a = Relay(other, slow, drive.clock)
    b = Relay(drive.app.store, busy, drive.clock)
    try:
        held = asyncio.create_task(a.run_once())
        await asyncio.wait_for(slow.holding.wait(), 10)
        # B runs while A is alive and mid-send: B must leave A's row alone, lease or not.
        drive.clock.advance(seconds=1)
        await b.drain()
        assert len(slow.sent) + len(busy.sent) == 21
        assert not {s.key for s in slow.sent} & {s.key for s in busy.sent}
        slow.release.set()
        await held
        assert len(slow.sent) == 3 and Counter(s for s, _ in (await _rows(drive)).values()) == {"sent": 21}

        # Both at once, on a new round's worth of rows: each row goes once.
        from bot.domain import schedule

        drive.clock.now = schedule.next_after((await drive.program()).config, drive.clock.now).due
        await due_rounds(drive.app.deps)  # the next round queues 21 more
        slow.sent.clear()
        busy.sent.clear()
        await asyncio.gather(a.drain(), b.drain())
        keys = [s.key for s in slow.sent + busy.sent]
        assert len(keys) == 21 and len(set(keys)) == 21
    finally:
        await a.close()
        await b.close()
        await other.dispose()


async def test_a_holder_id_whose_lock_an_old_connection_still_holds_is_skipped_not_waited_on(
    drive: Driver, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    old = create_engine(database_url)
    async with old.connect() as conn:
        await conn.execute(text("TRUNCATE outbox_holders RESTART IDENTITY"))
        await conn.commit()
        # A connection that outlived its holder's row still holds the lock of id 1.
        await conn.execute(text(f"SELECT pg_advisory_lock({LOCK_SPACE}, 1)"))
        holder = await asyncio.wait_for(drive.app.store.register_holder(drive.clock()), 20)
        try:
            assert holder.id != 1
        finally:
            await holder.close()
    await old.dispose()
