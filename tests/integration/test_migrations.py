"""The schema the code expects is exactly what the migrations build, on both databases."""

import asyncio
import sqlite3
from pathlib import Path

from alembic import command
from alembic.util.exc import CommandError

from bot.store.migrate import alembic_config, upgrade_sync


def test_models_and_migrations_agree(database_url: str) -> None:
    try:
        command.check(alembic_config(database_url))
    except CommandError as drift:  # pragma: no cover - the message is the useful part
        raise AssertionError(f"models and migrations differ: {drift}") from drift


def test_migrate_builds_an_empty_database_and_running_it_again_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_sync(url)
    with sqlite3.connect(tmp_path / "fresh.db") as db:
        db.execute(
            "INSERT INTO tenants (platform, external_id, active, created_at)"
            " VALUES ('slack', 'T1', 1, '2026-11-28 00:00:00')"
        )
    upgrade_sync(url)
    with sqlite3.connect(tmp_path / "fresh.db") as db:
        assert db.execute("SELECT external_id FROM tenants").fetchall() == [("T1",)]
    command.check(alembic_config(url))


def test_every_migration_can_be_rolled_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_sync(url)
    command.downgrade(alembic_config(url), "base")
    with sqlite3.connect(tmp_path / "fresh.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables <= {"alembic_version"}
    upgrade_sync(url)
    command.check(alembic_config(url))


async def test_rolling_back_the_latest_migration_keeps_every_round(tmp_path: Path) -> None:
    # A rollback that rebuilds a table on SQLite would drop it, and the foreign keys would take
    # every round and group of its programs with it.
    from datetime import UTC, datetime

    from bot.app import build, upgrade
    from bot.settings import Settings
    from tests.drive import Driver
    from tests.fakes import FakeClock, FakeDirectory, FakeMessenger

    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    await upgrade(url)
    messenger, directory = FakeMessenger(), FakeDirectory()
    clock = FakeClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    app = build(Settings(database_url=url), messenger, directory, clock)
    drive = Driver(app, messenger, clock, directory)
    try:
        await drive.setup()
        await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal", "U4": "People"})
        await drive.run_round()
    finally:
        await app.close()

    def counts() -> dict[str, int]:
        with sqlite3.connect(path) as db:
            return {
                t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("rounds", "groups", "outbox")
            }

    before = counts()
    assert before["groups"] == 2
    await asyncio.to_thread(command.downgrade, alembic_config(url), "-1")
    assert counts() == before
    await upgrade(url)
    assert counts() == before
