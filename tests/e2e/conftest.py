"""End-to-end fixtures: fake platforms in threads, real `jembatan` child processes, and, when a
test fails, the tail of every process's log in the report."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.e2e import harness
from tests.e2e.harness import FakeDiscordServer, FakeSlackServer, Jembatan

ADMIN = "U0ADMIN"


@pytest.fixture(autouse=True)
def _show_logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    # Where every process's log stood when the test began: a failure shows what came after.
    request.node._e2e_marks = {id(p): p.mark() for p in harness.STARTED}
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when in ("setup", "call") and report.failed and harness.STARTED:  # setup: a scenario
        marks: dict[int, int] = getattr(item, "_e2e_marks", {})
        for process in harness.STARTED:
            since = process.lines[marks.get(id(process), 0) :]
            if since:
                report.sections.append((f"log of {process.name} (last 80 lines)", "\n".join(since[-80:])))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlackServer]:
    server = FakeSlackServer()
    server.add_user(ADMIN, "Admin", admin=True)
    yield server
    server.close()


@pytest.fixture(scope="module")
def fake_discord() -> Iterator[FakeDiscordServer]:
    server = FakeDiscordServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    return harness.migrated_sqlite(tmp_path_factory.mktemp("e2e") / "jembatan.db", sqlite_template)


@pytest.fixture(scope="module")
def e2e_postgres_url() -> Iterator[str]:
    """A database of this module's own on JEMBATAN_TEST_POSTGRES, created and dropped here."""
    if not os.environ.get(harness.POSTGRES_ENV):
        pytest.skip(f"{harness.POSTGRES_ENV} is not set")
    with harness.postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def processes() -> Iterator[list[Jembatan]]:
    """Processes a module starts; each is stopped (then killed if it hangs) at the end."""
    started: list[Jembatan] = []
    yield started
    for process in started:
        process.close()
