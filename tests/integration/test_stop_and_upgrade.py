"""A stop and a rolling upgrade never send a message twice nor keep sending after SIGTERM."""

from __future__ import annotations

from types import SimpleNamespace

from apscheduler.events import EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED  # type: ignore[import-untyped]
from sqlalchemy import update

from bot.domain import schedule
from bot.runtime.ticker import Jobs
from bot.services.rounds import due_rounds
from bot.store.tables import outbox
from tests.drive import Driver


async def _round_queued(drive: Driver, people: int) -> None:
    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(people)})
    program = await drive.program()
    drive.clock.now = schedule.next_after(program.config, drive.clock.now).due
    await due_rounds(drive.app.deps)  # the tick's first step


async def test_a_stop_during_the_tick_sends_nothing_more(drive: Driver) -> None:
    await _round_queued(drive, 8)
    drive.app.relay.finish_soon()  # SIGTERM lands while the tick is still starting rounds
    report = await drive.app.relay.run_once()  # the tick's last step
    assert report.sent == 0
    drive.app.relay.resume()  # the next start sends them
    assert (await drive.app.relay.run_once()).sent > 0


async def test_rows_an_older_version_is_sending_are_left_to_it_during_an_upgrade(
    drive: Driver, database_url: str
) -> None:
    await _round_queued(drive, 4)
    async with drive.app.store.engine.begin() as conn:
        # What the version before holders writes when it claims: `sending`, no holder.
        await conn.execute(
            update(outbox).values(
                status="sending", attempts=outbox.c.attempts + 1, next_attempt_at=drive.clock.now
            )
        )
    if database_url.startswith("sqlite"):
        return  # one process per SQLite file: a new start takes everything back, by design
    report = await drive.app.relay.run_once()  # the new version's pass, seconds later
    assert report.sent == 0  # its lease decides, as before


def test_a_run_that_was_missed_does_not_keep_a_stop_waiting() -> None:
    jobs = Jobs(SimpleNamespace(relay=SimpleNamespace(finish_soon=lambda: None)))  # type: ignore[arg-type]
    jobs._on_event(SimpleNamespace(code=EVENT_JOB_SUBMITTED, job_id="jembatan-relay", exception=None))
    jobs._on_event(SimpleNamespace(code=EVENT_JOB_MISSED, job_id="jembatan-relay", exception=None))
    assert jobs.idle.is_set()
