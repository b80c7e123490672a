"""The process shell every `jembatan run …` starts in: one line and exit 2 for a start-up
problem, a bounded wait for a database that does not answer, and a stop that ends the wait."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.process import BadConfig, Stopped, run, wait_for_database
from bot.settings import Settings

NOBODY_LISTENS = "postgresql://jembatan@127.0.0.1:1/jembatan"


async def test_a_database_that_does_not_answer_is_waited_for_then_named_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = time.monotonic()
    with pytest.raises(BadConfig, match=r"^DATABASE_URL: cannot use the database: "):
        await wait_for_database(NOBODY_LISTENS, within=0.6, first=0.1, most=0.2)
    assert 0.5 < time.monotonic() - started < 10
    waits = [r.getMessage() for r in caplog.records if "database not answering" in r.getMessage()]
    assert len(waits) >= 2  # it asked again, more than once, before giving up


async def test_a_stop_while_waiting_for_the_database_ends_the_wait() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.2, stop.set)
    started = time.monotonic()
    with pytest.raises(Stopped):
        await wait_for_database(NOBODY_LISTENS, stop=stop, within=60, first=5)
    assert time.monotonic() - started < 5


def test_a_start_up_problem_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    async def serve(stop: asyncio.Event) -> int:
        raise BadConfig("SLACK_BOT_TOKEN was refused by Slack (invalid_auth)")

    assert run(Settings(database_url="sqlite://"), serve) == 2
    assert capsys.readouterr().err == "jembatan: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)\n"


def test_a_stop_before_serving_exits_0() -> None:
    async def serve(stop: asyncio.Event) -> int:
        raise Stopped

    assert run(Settings(database_url="sqlite://"), serve) == 0
