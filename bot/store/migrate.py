"""The schema's history (Alembic, in migrations/): bring a database up to date, or check that it is."""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command
from alembic.config import Config

from bot.store.db import async_url
from bot.store.schema import check_schema


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    # Alembic's config is an INI file underneath: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade_sync(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


async def upgrade(database_url: str) -> None:
    # Alembic's async env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade_sync, database_url)


async def check_database(database_url: str) -> None:
    """Before a platform adapter connects: the database answers and is migrated (see schema.py).
    Raises DatabaseNotReady, or OSError/TimeoutError while the server does not answer."""
    await check_schema(database_url, alembic_config(database_url))
