"""The schema the code expects is exactly what the migrations build, on both databases."""

import sqlite3
from pathlib import Path

from alembic import command
from alembic.util.exc import CommandError

from bot.bootstrap import alembic_config, upgrade_sync


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
