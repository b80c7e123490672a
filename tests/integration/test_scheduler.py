"""APScheduler only ticks: two jobs, never doubled, and the tick itself is what runs rounds."""

import asyncio
from datetime import UTC, datetime

from bot.runtime.ticker import RELAY_JOB, TICK_JOB, Jobs, start_scheduler
from tests.drive import Driver


async def test_starting_twice_never_doubles_the_jobs(drive: Driver) -> None:
    first = start_scheduler(drive.app.ticker, tick_seconds=3600, relay_seconds=3600)
    second = start_scheduler(drive.app.ticker, tick_seconds=3600, relay_seconds=3600)
    try:
        for scheduler in (first, second):
            assert sorted(job.id for job in scheduler.get_jobs()) == sorted([TICK_JOB, RELAY_JOB])
            for job in scheduler.get_jobs():
                assert job.max_instances == 1 and job.coalesce
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

    async def run_once(self) -> None:
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
