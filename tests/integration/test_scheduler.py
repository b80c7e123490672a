"""APScheduler only ticks: two jobs, never doubled, and the tick itself is what runs rounds."""

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.runtime.ticker import RELAY_JOB, TICK_JOB, Jobs, start_scheduler
from tests.drive import Driver


async def test_starting_twice_never_doubles_the_jobs(drive: Driver) -> None:
    first = start_scheduler(drive.app.ticker, tick_seconds=3600, relay_seconds=3600)
    second = start_scheduler(drive.app.ticker, tick_seconds=3600, relay_seconds=3600)
    try:
        for scheduler in (first, second):
            assert sorted(job.id for job in scheduler.get_jobs()) == sorted([TICK_JOB, RELAY_JOB])
            for job in scheduler.get_jobs():
                assert job.coalesce
                # The relay's job returns at once, its workspaces' tasks sending on: one instance.
                assert job.max_instances == 1
    finally:
        first.shutdown(wait=False)
        second.shutdown(wait=False)
        await asyncio.sleep(0)


class _SlowTicker:
    """A tick that takes a while, like a round for thousands of people."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.finished = False
        self.relay = self

    async def tick(self) -> None:
        self.started.set()
        await asyncio.sleep(0.3)
        self.finished = True

    async def run_once(self, *, wait: bool = True) -> None:
        return None

    def finish_soon(self) -> None:
        return None

    async def settle(self, within: float) -> None:
        return None

    def resume(self) -> None:
        return None


async def test_stopping_lets_a_running_tick_finish_its_work() -> None:
    ticker = _SlowTicker()
    jobs = Jobs(ticker, tick_seconds=3600, relay_seconds=3600)  # type: ignore[arg-type]
    jobs.start()
    jobs.start()  # a reconnect: resumes, never a second scheduler
    assert jobs.scheduler is not None
    assert sorted(job.id for job in jobs.scheduler.get_jobs()) == sorted([TICK_JOB, RELAY_JOB])
    jobs.scheduler.get_job(TICK_JOB).modify(next_run_time=datetime.now(UTC))
    await asyncio.wait_for(ticker.started.wait(), 5)
    await jobs.stop(within=5)
    assert ticker.finished, "the process would have exited mid-round"
    assert jobs.scheduler is None


async def test_paused_jobs_do_not_run_until_resumed() -> None:
    ticker = _SlowTicker()
    jobs = Jobs(ticker, tick_seconds=3600, relay_seconds=3600)  # type: ignore[arg-type]
    jobs.start()
    assert jobs.scheduler is not None
    jobs.pause()  # the gateway dropped
    jobs.scheduler.get_job(TICK_JOB).modify(next_run_time=datetime.now(UTC))
    await asyncio.sleep(0.2)
    assert not ticker.started.is_set()
    jobs.start()  # reconnected
    await asyncio.wait_for(ticker.started.wait(), 5)
    await jobs.stop(within=5)


class _PacedRelay:
    """A relay in the middle of a paced round: its job starts a workspace's task that sends for
    longer than the job's interval, and returns; firings meanwhile find the workspace served."""

    def __init__(self) -> None:
        self.relay = self
        self.runs = 0
        self.sending: asyncio.Task[None] | None = None
        self.started = asyncio.Event()
        self.finished = False
        self.told_to_finish = False
        self.fired_meanwhile = asyncio.Event()

    async def tick(self) -> None:
        return None

    async def run_once(self, *, wait: bool = True) -> None:
        self.runs += 1
        if self.sending is not None:
            if self.runs >= 3:
                self.fired_meanwhile.set()
            return
        self.started.set()
        self.sending = asyncio.create_task(self._send())
        if wait:
            await self.sending

    async def _send(self) -> None:
        await asyncio.sleep(2.5)  # the send in flight, and the pacing after it
        self.finished = True

    async def settle(self, within: float) -> None:
        if self.sending is not None:
            await asyncio.wait({self.sending}, timeout=within)

    def finish_soon(self) -> None:
        self.told_to_finish = True

    def resume(self) -> None:
        self.told_to_finish = False


async def test_a_paced_round_logs_no_skipped_runs_and_a_stop_waits_for_the_send_in_flight(
    caplog: pytest.LogCaptureFixture,
) -> None:
    relay = _PacedRelay()
    jobs = Jobs(relay, tick_seconds=3600, relay_seconds=1)  # type: ignore[arg-type]
    caplog.set_level(logging.WARNING)
    jobs.start()
    await asyncio.wait_for(relay.started.wait(), 10)
    await asyncio.wait_for(relay.fired_meanwhile.wait(), 10)  # twice more while the first was sending
    await jobs.stop(within=10)
    assert "maximum number of running instances" not in caplog.text
    assert relay.told_to_finish
    assert relay.finished, "the stop did not wait for the run that was sending"
