"""One tick: start due rounds, send due check-ins, deliver the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from bot import metrics
from bot.delivery import DeliveryReport, Relay
from bot.services.base import Deps
from bot.services.recognition import due_digests
from bot.services.rounds import RoundSummary, due_checkins, due_rounds
from bot.store.db import is_database_error
from bot.store.unit_of_work import Store

log = logging.getLogger(__name__)

TICK_JOB, RELAY_JOB = "jembatan-tick", "jembatan-relay"


@dataclass
class TickReport:
    rounds: list[RoundSummary] = field(default_factory=list)
    checkins: int = 0
    digests: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    expired: int = 0  # sent messages and delivery ids past their retention, deleted


# Expiry looks at every sent row: once an hour is plenty for a window counted in days.
EXPIRE_EVERY = timedelta(hours=1)


class Ticker:
    def __init__(
        self, deps: Deps, relay: Relay, store: Store, *, keep_sent: timedelta = timedelta(days=30)
    ) -> None:
        self.deps = deps
        self.store = store  # the database itself, for housekeeping the services' port does not offer
        self.relay = relay
        self.keep_sent = keep_sent
        self._expired_at: datetime | None = None

    async def tick(self) -> TickReport:
        # Each step claims its work in the database, so two processes ticking at once, or a
        # tick repeated after a restart, do each piece of work once.
        report = TickReport()
        report.rounds = await due_rounds(self.deps)
        report.checkins = await due_checkins(self.deps)
        report.digests = await due_digests(self.deps)
        report.delivery = await self.relay.run_once()
        report.expired = await self.expire()
        if report.rounds or report.checkins or report.delivery.sent or report.delivery.failed:
            log.info(
                "tick: %d rounds, %d check-ins, %d sent, %d failed",
                len(report.rounds),
                report.checkins,
                report.delivery.sent,
                report.delivery.failed,
            )
        log.debug("tick done")  # what end-to-end tests count to know a tick passed (not sleep)
        return report

    async def expire(self) -> int:
        """Delete sent messages and delivery ids older than `keep_sent` (never an unsent row),
        at most once per EXPIRE_EVERY in this process. Replicas each do it: deleting what is
        already gone deletes nothing."""
        now = self.deps.clock()
        if self._expired_at is not None and now - self._expired_at < EXPIRE_EVERY:
            return 0
        cutoff = now - self.keep_sent
        async with self.store.unit() as uow:
            messages = await uow.expiry.sent_before(cutoff)
            deliveries = await uow.expiry.deliveries_before(cutoff)
            await uow.commit()
        self._expired_at = now
        if messages or deliveries:
            log.info(
                "expired %d sent messages and %d delivery ids from before %s", messages, deliveries, cutoff
            )
        return messages + deliveries


def start_scheduler(ticker: Ticker, *, tick_seconds: int = 60, relay_seconds: int = 5) -> AsyncIOScheduler:
    """Jobs live in memory (APScheduler's job stores are not safe to share between processes);
    fixed ids and replace_existing mean calling this twice never doubles a job."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    common = {"replace_existing": True, "max_instances": 1, "coalesce": True}
    scheduler.add_job(
        ticker.tick, "interval", seconds=tick_seconds, id=TICK_JOB, misfire_grace_time=tick_seconds, **common
    )
    # The relay's job starts a task for each workspace with messages due that is not being
    # served yet, and returns: a paced round takes minutes, and a workspace whose round comes
    # meanwhile must not wait for it (nor the job's next firing be skipped).
    scheduler.add_job(
        functools.partial(ticker.relay.run_once, wait=False),
        "interval",
        seconds=relay_seconds,
        id=RELAY_JOB,
        misfire_grace_time=relay_seconds,
        # At once, then every few seconds: after a restart, what a crash left is sent without delay.
        next_run_time=datetime.now(UTC),
        **common,
    )
    scheduler.start()
    return scheduler


class Jobs:
    """The tick and relay jobs of one bot process: started once, paused while the platform
    connection is down, resumed after it, and stopped gracefully: a job already running
    finishes its transaction first, since cancelling it would leave a sent message unrecorded."""

    def __init__(self, ticker: Ticker, *, tick_seconds: int = 60, relay_seconds: int = 5) -> None:
        self.ticker = ticker
        self.tick_seconds = tick_seconds
        self.relay_seconds = relay_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self.running: Counter[str] = Counter()  # job id → instances running
        self.idle = asyncio.Event()
        self.idle.set()

    def start(self) -> None:
        """Start the jobs, or resume them if they were started before (after a reconnect)."""
        self.ticker.relay.resume()
        if self.scheduler is None:
            self.scheduler = start_scheduler(
                self.ticker, tick_seconds=self.tick_seconds, relay_seconds=self.relay_seconds
            )
            self.scheduler.add_listener(
                self._on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
            )
        else:
            self.scheduler.resume()

    def pause(self) -> None:
        if self.scheduler is not None:
            self.scheduler.pause()

    async def stop(self, *, within: float = 30.0) -> None:
        """Start no new job, wait up to `within` seconds for a running one, then shut down."""
        if self.scheduler is None:
            return
        self.scheduler.pause()
        self.ticker.relay.finish_soon()  # a paced run would otherwise go on for minutes
        started = asyncio.get_running_loop().time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), within)
        # The relay's job leaves its workspaces' tasks running: their sends in flight end too.
        await self.ticker.relay.settle(max(0.0, within - (asyncio.get_running_loop().time() - started)))
        self.scheduler.shutdown(wait=False)
        self.scheduler = None

    def _on_event(self, event: Any) -> None:
        if event.code == EVENT_JOB_ERROR and is_database_error(event.exception):
            metrics.DATABASE_ERRORS.inc()
        if event.code == EVENT_JOB_SUBMITTED:
            self.running[event.job_id] += 1
            self.idle.clear()
        else:
            # EXECUTED, ERROR or MISSED ends a submission (with coalescing, a submission whose
            # run time was missed ends with MISSED alone). Counted, not a set: the relay's quick
            # second instance ending must not make a stop think the long one has finished.
            self.running[event.job_id] -= 1
            if self.running[event.job_id] <= 0:
                del self.running[event.job_id]
            if not self.running:
                self.idle.set()
