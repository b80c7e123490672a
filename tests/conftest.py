"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when configured).

Set JEMBATAN_TEST_POSTGRES to a server URL (e.g. postgresql://postgres@127.0.0.1:5432/test);
the suite then creates a database of its own on that server, runs every `backend` test on
it too, and drops it at the end. .ci/run sets it, so CI covers both.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import Jembatan, build, upgrade_sync
from bot.settings import Settings
from bot.store.tables import metadata
from tests.databases import admin_execute
from tests.drive import Driver
from tests.fakes import FakeClock, FakeDirectory, FakeMessenger
from tests.specs import watch as spec_watch

POSTGRES_ENV = "JEMBATAN_TEST_POSTGRES"


@pytest.fixture(autouse=True)
def requests_follow_the_platforms_specs() -> Iterator[None]:
    """Every request a fake Slack or Discord received during the test held to the platform's
    published spec (tests/specs/); otherwise the test fails, listing each violation."""
    start = spec_watch.mark()
    yield
    found = spec_watch.since(start)
    if found:
        pytest.fail(spec_watch.describe(found), pytrace=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the file (much faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_sync(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    name = f"jembatan_test_{uuid.uuid4().hex[:10]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin_execute(server, f'CREATE DATABASE "{name}"'))
    try:
        upgrade_sync(url)
        yield url
    finally:
        asyncio.run(admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "jembatan.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


def _truncate(url: str) -> None:
    async def run() -> None:
        from bot.store.db import create_engine

        engine = create_engine(url)
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def clock() -> FakeClock:
    # A Friday morning in Jakarta; programs in the tests run Mondays at 09:00.
    return FakeClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
async def app(
    database_url: str, messenger: FakeMessenger, directory: FakeDirectory, clock: FakeClock
) -> AsyncIterator[Jembatan]:
    jembatan = build(Settings(database_url=database_url), messenger, directory, clock)
    yield jembatan
    await jembatan.close()


@pytest.fixture
def drive(app: Jembatan, messenger: FakeMessenger, clock: FakeClock, directory: FakeDirectory) -> Driver:
    return Driver(app, messenger, clock, directory)
