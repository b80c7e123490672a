"""A workspace's pace is the platform's, kept in the database: every relay process sending to it
shares one budget, a Retry-After stops every request to it (not only the refused row's), and
two workspaces never wait for each other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from bot.delivery import Relay
from bot.domain.model import Platform, TenantRef
from bot.messages import Message, Notice, ToChannel
from tests.drive import Driver
from tests.fakes import FakeMessenger, rate_limited

ACME, GLOBEX = TenantRef(Platform.SLACK, "T-ACME"), TenantRef(Platform.SLACK, "T-GLOBEX")


async def _queue(drive: Driver, tenant: TenantRef, count: int) -> None:
    now = drive.clock()
    async with drive.app.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(tenant, now)
        for i in range(count):
            await uow.scoped(tenant_id).outbox.add(f"n{i}", ToChannel(f"C{i}"), Notice(f"hello {i}"), now)
        await uow.commit()


class Stamped(FakeMessenger):
    """Records when (by the shared clock) each workspace was sent to; refuses as told."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.clock = clock
        self.at: list[tuple[str, datetime]] = []
        self.refuse: dict[str, list[BaseException]] = {}  # workspace -> raised by its next sends

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        self.at.append((tenant.external_id, self.clock()))
        refusals = self.refuse.get(tenant.external_id)
        if refusals:
            raise refusals.pop(0)
        return await super().post(tenant, conversation_id, message, key)

    def times(self, workspace: str) -> list[datetime]:
        return [at for team, at in self.at if team == workspace]


def _no_wait(_seconds: float) -> asyncio.Future[None]:
    """A sleep that returns at once and moves no clock: a relay whose slot has not come leaves."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


async def test_two_relays_share_one_workspace_budget_instead_of_doubling_it(drive: Driver) -> None:
    await _queue(drive, ACME, 6)
    messenger = Stamped(drive.clock)
    replicas = [
        Relay(drive.app.store, messenger, drive.clock, min_interval=10.0, sleep=_no_wait) for _ in range(2)
    ]
    try:
        for _ in range(6):  # a minute: each replica comes round every ten seconds
            for replica in replicas:
                await replica.run_once()
            drive.clock.advance(seconds=10)
        times = messenger.times("T-ACME")
        # One budget: one send per ten seconds between the two, not one each.
        assert len(times) == 6
        assert all(later - earlier >= timedelta(seconds=10) for earlier, later in pairwise(times))
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_retry_after_met_by_one_relay_holds_the_workspace_for_every_relay(drive: Driver) -> None:
    await _queue(drive, ACME, 3)
    messenger = Stamped(drive.clock)
    messenger.refuse["T-ACME"] = [rate_limited(30)]
    first, second = (Relay(drive.app.store, messenger, drive.clock, sleep=_no_wait) for _ in range(2))
    try:
        await first.run_once()
        refused_at = drive.clock()
        assert len(messenger.times("T-ACME")) == 1  # the 429
        for seconds in (1, 10, 28):  # the other replica, and the first, before the wait is over
            drive.clock.now = refused_at + timedelta(seconds=seconds)
            await second.run_once()
            await first.run_once()
            assert len(messenger.times("T-ACME")) == 1, f"a request {seconds} s into a 30 s Retry-After"
        drive.clock.now = refused_at + timedelta(seconds=31)
        await second.drain()
        assert len(messenger.times("T-ACME")) == 4 and len(messenger.sent) == 3  # each row once
    finally:
        await first.close()
        await second.close()


async def test_one_workspaces_retry_after_never_delays_another(drive: Driver) -> None:
    await _queue(drive, ACME, 3)
    await _queue(drive, GLOBEX, 3)
    messenger = Stamped(drive.clock)
    messenger.refuse["T-ACME"] = [rate_limited(60)]
    relay = Relay(drive.app.store, messenger, drive.clock, sleep=_no_wait)
    try:
        await relay.run_once()
        assert len(messenger.times("T-GLOBEX")) == 3
        assert len(messenger.times("T-ACME")) == 1  # the refused one; the other two wait their minute
    finally:
        await relay.close()


async def test_two_workspaces_are_paced_side_by_side_not_one_after_the_other(drive: Driver) -> None:
    # Real time, as in production: five sends to each of two workspaces at one per half second
    # take two seconds for both together, where one after the other would take four and a half.
    # (A late send's lateness is made up, up to half an interval: no two closer than that.)
    await _queue(drive, ACME, 5)
    await _queue(drive, GLOBEX, 5)

    def now() -> datetime:
        return datetime.now(UTC)

    messenger = Stamped(now)
    relay = Relay(drive.app.store, messenger, now, min_interval=0.5)
    start = now()
    try:
        report = await relay.run_once()
        assert report.sent == 10
        for team in ("T-ACME", "T-GLOBEX"):
            times = messenger.times(team)
            spans = [round((t - start).total_seconds(), 2) for t in times]
            assert times[-1] - start < timedelta(seconds=3.5), (team, spans)
            assert all(later - earlier >= timedelta(seconds=0.24) for earlier, later in pairwise(times))
    finally:
        await relay.close()
