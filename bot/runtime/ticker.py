"""One tick: start due rounds, send due check-ins, deliver the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from bot.delivery import DeliveryReport, Relay
from bot.services.base import Deps
from bot.services.recognition import due_digests
from bot.services.rounds import RoundSummary, due_checkins, due_rounds

log = logging.getLogger(__name__)

TICK_JOB, RELAY_JOB = "jembatan-tick", "jembatan-relay"


@dataclass
class TickReport:
    rounds: list[RoundSummary] = field(default_factory=list)
    checkins: int = 0
    digests: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


class Ticker:
    def __init__(self, deps: Deps, relay: Relay) -> None:
        self.deps = deps
        self.relay = relay

    async def tick(self) -> TickReport:
        # Each step claims its work in the database, so two processes ticking at once, or a
        # tick repeated after a restart, do each piece of work once.
        report = TickReport()
        report.rounds = await due_rounds(self.deps)
        report.checkins = await due_checkins(self.deps)
        report.digests = await due_digests(self.deps)
        report.delivery = await self.relay.run_once()
        if report.rounds or report.checkins or report.delivery.sent or report.delivery.failed:
            log.info(
                "tick: %d rounds, %d check-ins, %d sent, %d failed",
                len(report.rounds),
                report.checkins,
                report.delivery.sent,
                report.delivery.failed,
            )
        return report


def start_scheduler(ticker: Ticker, *, tick_seconds: int = 60, relay_seconds: int = 5) -> AsyncIOScheduler:
    """Jobs live in memory (APScheduler's job stores are not safe to share between processes);
    fixed ids and replace_existing mean calling this twice never doubles a job."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    common = {"replace_existing": True, "max_instances": 1, "coalesce": True}
    scheduler.add_job(
        ticker.tick, "interval", seconds=tick_seconds, id=TICK_JOB, misfire_grace_time=tick_seconds, **common
    )
    scheduler.add_job(
        ticker.relay.run_once,
        "interval",
        seconds=relay_seconds,
        id=RELAY_JOB,
        misfire_grace_time=relay_seconds,
        **common,
    )
    scheduler.start()
    return scheduler
