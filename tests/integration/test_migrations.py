"""The schema the code expects is exactly what the migrations build, on both databases."""

from alembic import command
from alembic.util.exc import CommandError

from bot.bootstrap import alembic_config, upgrade_sync


def test_models_and_migrations_agree(database_url: str) -> None:
    try:
        command.check(alembic_config(database_url))
    except CommandError as drift:  # pragma: no cover - the message is the useful part
        raise AssertionError(f"models and migrations differ: {drift}") from drift


def test_migrate_is_idempotent(database_url: str) -> None:
    upgrade_sync(database_url)
    upgrade_sync(database_url)
