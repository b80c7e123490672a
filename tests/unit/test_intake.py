"""The intake after an acknowledgement: bounded, in order per workspace, workspaces side by side."""

from __future__ import annotations

import asyncio

import pytest

from bot.intake import Intake


async def test_a_workspaces_commands_run_one_at_a_time_in_the_order_they_came() -> None:
    intake = Intake(workers=4, capacity=100)
    ran: list[int] = []
    running = 0

    def job(n: int):  # type: ignore[no-untyped-def]
        async def run() -> int:
            nonlocal running
            running += 1
            assert running == 1, "two commands of one workspace ran at once"
            await asyncio.sleep(0)
            ran.append(n)
            running -= 1
            return n

        return run

    futures = [intake.offer("T1", job(n)) for n in range(20)]
    assert all(f is not None for f in futures)
    assert await asyncio.gather(*futures) == list(range(20))  # type: ignore[arg-type]
    assert ran == list(range(20))
    await intake.close()


async def test_a_quiet_workspace_does_not_wait_behind_a_busy_ones_backlog() -> None:
    intake = Intake(workers=2, capacity=100)
    release = asyncio.Event()

    async def slow() -> None:
        await release.wait()

    async def quick() -> str:
        return "done"

    backlog = [intake.offer("T-BUSY", slow) for _ in range(50)]
    answer = intake.offer("T-QUIET", quick)
    assert answer is not None
    assert await asyncio.wait_for(answer, 5) == "done"  # while the busy workspace is still stuck
    release.set()
    await asyncio.gather(*backlog)  # type: ignore[arg-type]
    await intake.close()


async def test_past_its_size_work_is_refused_not_queued_and_room_comes_back() -> None:
    intake = Intake(workers=1, capacity=3)
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    accepted = [intake.offer(f"T{n}", held) for n in range(3)]
    assert all(a is not None for a in accepted)
    assert intake.offer("T9", held) is None
    assert intake.refused == 1
    release.set()
    await asyncio.gather(*accepted)  # type: ignore[arg-type]
    assert intake.offer("T9", held) is not None
    await intake.close()


async def test_closing_finishes_accepted_work_and_refuses_more() -> None:
    intake = Intake(workers=1, capacity=10)
    done: list[int] = []

    async def work(n: int) -> None:
        await asyncio.sleep(0.01)
        done.append(n)

    for n in range(5):
        intake.offer("T1", lambda n=n: work(n))  # type: ignore[misc]
    assert await intake.close() == 0
    assert done == [0, 1, 2, 3, 4]
    assert intake.offer("T1", lambda: work(9)) is None


async def test_a_job_that_fails_reaches_its_caller_and_the_worker_goes_on() -> None:
    intake = Intake(workers=1, capacity=10)

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> str:
        return "ok"

    first, second = intake.offer("T1", broken), intake.offer("T1", fine)
    assert first is not None and second is not None
    with pytest.raises(RuntimeError):
        await first
    assert await second == "ok"
    await intake.close()


async def test_work_that_would_wait_too_long_is_refused_while_other_workspaces_still_get_in() -> None:
    now = [0.0]
    intake = Intake(workers=4, capacity=100, max_wait=2.0, clock=lambda: now[0])

    async def one_second() -> None:
        now[0] += 1.0  # every job takes a second on this clock

    first = intake.offer("T-BUSY", one_second)
    assert first is not None
    await first  # the intake now knows a job takes about a second
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    lane = [intake.offer("T-BUSY", held) for _ in range(3)]  # waiting 0, 1 and 2 seconds
    assert all(job is not None for job in lane)
    assert intake.offer("T-BUSY", held) is None  # a fourth would wait three
    other = intake.offer("T-QUIET", one_second)
    assert other is not None  # another workspace's lane is empty
    release.set()
    await asyncio.gather(other, *lane)  # type: ignore[arg-type]
    await intake.close()


async def test_one_long_job_does_not_turn_the_quick_ones_after_it_away() -> None:
    now = [0.0]
    intake = Intake(workers=8, capacity=100, max_wait=1.0, clock=lambda: now[0])

    async def takes(seconds: float) -> None:
        now[0] += seconds

    for _ in range(5):
        job = intake.offer("T1", lambda: takes(0.05))
        assert job is not None
        await job
    slow = intake.offer("T1", lambda: takes(20.0))  # `round now` on a big program
    assert slow is not None
    await slow
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    first, second = intake.offer("T1", held), intake.offer("T1", lambda: takes(0.05))
    assert first is not None and second is not None  # two quick commands in a row still get in
    release.set()
    await asyncio.gather(first, second)
    await intake.close()


async def test_jobs_still_queued_at_the_end_of_the_grace_hear_that_they_will_not_run() -> None:
    from bot.intake import IntakeClosed

    intake = Intake(workers=1, capacity=10)
    never = asyncio.Event()

    async def stuck() -> None:
        await never.wait()

    async def quick() -> str:
        return "done"

    running, queued = intake.offer("T1", stuck), intake.offer("T1", quick)
    assert running is not None and queued is not None
    await asyncio.sleep(0)
    assert await intake.close(grace=0.1) == 2
    with pytest.raises(IntakeClosed):
        await asyncio.wait_for(queued, 1)  # settled, not left hanging


async def test_a_flood_turned_away_is_logged_once_and_then_counted(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    intake = Intake(workers=1, capacity=1, clock=lambda: now[0])
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    accepted = intake.offer("T1", held)
    caplog.set_level("WARNING", logger="bot.intake")
    for _ in range(500):
        assert intake.offer("T2", held) is None
    assert [r.getMessage() for r in caplog.records] == ["busy: turned away a request; try JEMBATAN_WORKERS"]
    now[0] = 61.0  # a minute later, the next refusal says how many were not logged
    intake.offer("T2", held)
    assert "499 more request(s)" in caplog.records[1].getMessage() and len(caplog.records) == 3
    release.set()
    await accepted  # type: ignore[misc]
    await intake.close()
