"""APScheduler only ticks: two jobs, never doubled, and the tick itself is what runs rounds."""

import asyncio

from bot.runtime.ticker import RELAY_JOB, TICK_JOB, start_scheduler
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
