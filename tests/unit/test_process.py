"""The process shell every `jembatan run …` starts in: one line and exit 2 for a start-up
problem, a bounded wait for a database that does not answer, and a stop that ends the wait."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from bot.app import build
from bot.process import (
    Backoff,
    BadConfig,
    Readiness,
    Shell,
    Stopped,
    keep_connected,
    run,
    serve_platform,
    wait_for_database,
)
from bot.settings import Settings
from tests.fakes import FakeDirectory, FakeMessenger

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


class FakePlatform:
    """A platform whose connection is a flag: it records, in order, what the shell asked of it."""

    def __init__(self, settings: Settings, *, refuse: str | None = None, gives_up: int | None = None) -> None:
        self.app = build(settings, FakeMessenger(), FakeDirectory())
        self.ticker = self.app.ticker
        self.ping = self.app.store.ping
        self.refuse, self.gives_up = refuse, gives_up
        self.done: list[str] = []
        self.up = False
        self.came_up = asyncio.Event()
        self.ready_while_winding_down: dict[str, bool] | None = None
        self.readiness: Readiness | None = None

    async def connected(self) -> bool:
        return self.up

    async def check(self) -> None:
        if self.refuse:
            raise BadConfig(self.refuse)

    async def hold(self, shell: Shell) -> int | None:
        shell.jobs.start()
        self.up = True
        self.came_up.set()
        self.done.append("connected")
        if self.gives_up is not None:
            shell.stopping.set()  # as a lost gateway lock does
            return self.gives_up
        await shell.stopping.wait()
        return None

    async def finish_work(self) -> None:
        assert self.readiness is not None
        self.ready_while_winding_down = await self.readiness.ready()
        self.done.append("finished work")

    async def disconnect(self) -> None:
        self.up = False
        self.done.append("disconnected")

    async def close(self, grace: float) -> None:
        self.done.append("closed")
        await self.app.close(grace)


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    shutil.copy(sqlite_template, tmp_path / "jembatan.db")
    return Settings(database_url=f"sqlite:///{tmp_path / 'jembatan.db'}")


async def test_a_stop_drops_readiness_at_once_then_winds_down_in_order(settings: Settings) -> None:
    platform = FakePlatform(settings)
    stop = asyncio.Event()

    async def serve_probes(readiness: Readiness, port: int | None) -> None:
        platform.readiness = readiness

    serving = asyncio.create_task(serve_platform(settings, stop, lambda: platform, serve_probes))
    await asyncio.wait_for(platform.came_up.wait(), 20)
    assert platform.readiness is not None and (await platform.readiness.ready())["connected"]
    stop.set()
    assert await asyncio.wait_for(serving, 20) == 0
    assert platform.done == ["connected", "finished work", "disconnected", "closed"]
    assert platform.ready_while_winding_down == {"connected": False, "draining": True, "database": False}


async def test_a_platform_that_gives_up_its_connection_ends_the_process_with_its_status(
    settings: Settings,
) -> None:
    platform = FakePlatform(settings, gives_up=1)

    async def no_probes(readiness: Readiness, port: int | None) -> None:
        platform.readiness = readiness

    assert (
        await asyncio.wait_for(serve_platform(settings, asyncio.Event(), lambda: platform, no_probes), 20)
        == 1
    )
    assert platform.done == ["connected", "finished work", "disconnected", "closed"]


async def test_a_refused_start_up_check_closes_what_was_built_and_serves_nothing(settings: Settings) -> None:
    platform = FakePlatform(settings, refuse="SLACK_BOT_TOKEN was refused by Slack (invalid_auth)")
    served: list[Readiness] = []

    async def serve_probes(readiness: Readiness, port: int | None) -> None:
        served.append(readiness)

    with pytest.raises(BadConfig, match="invalid_auth"):
        await serve_platform(settings, asyncio.Event(), lambda: platform, serve_probes)
    assert platform.done == ["closed"] and served == []


async def test_a_dropped_connection_is_tried_again_with_growing_waits() -> None:
    stopped, waits, log = asyncio.Event(), [], []

    class Recorded(Backoff):
        def next(self, connected_for: float) -> float:
            waits.append(super().next(connected_for))
            return waits[-1]

    async def connect() -> None:
        log.append("connect")
        if log.count("connect") == 4:
            stopped.set()  # the fourth holds until told to stop

    async def down() -> None:
        log.append("down")

    await asyncio.wait_for(
        keep_connected(
            connect,
            stopped=stopped,
            down=down,
            again=lambda: log.append("again"),
            backoff=Recorded(0.01, 0.03),
            what="the platform",
        ),
        10,
    )
    assert waits == [0.01, 0.02, 0.03]
    assert log == ["connect", "down", "again"] * 3 + ["connect"]


def test_the_waits_start_again_once_a_connection_held_a_while() -> None:
    backoff = Backoff(first=5, most=900, stable_after=600)
    assert [backoff.next(1) for _ in range(3)] == [5, 10, 20]
    assert backoff.next(601) == 5
