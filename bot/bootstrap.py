"""The composition root: builds the database, services, relay and ticker from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from alembic import command
from alembic.config import Config

from bot.delivery import DEFAULT_LEASE, Relay
from bot.domain.model import Lang
from bot.intake import Intake
from bot.ports import Directory, Messenger
from bot.runtime.ticker import Ticker
from bot.services.base import Deps, utc_now
from bot.settings import Settings
from bot.store.db import async_url, create_engine, pool_for
from bot.store.schema import check_schema
from bot.store.unit_of_work import Store


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    # Alembic's config is an INI file underneath: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade_sync(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


async def check_database(database_url: str) -> None:
    """Before a platform adapter connects: the database answers and is migrated (see schema.py)."""
    await check_schema(database_url, alembic_config(database_url))


async def upgrade(database_url: str) -> None:
    # Alembic's async env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade_sync, database_url)


@dataclass
class Jembatan:
    store: Store
    deps: Deps
    relay: Relay
    ticker: Ticker
    intake: Intake  # commands accepted after an acknowledgement, bounded

    async def close(self, grace: float = 30.0) -> None:
        try:
            # What was acknowledged is carried out before the database goes, within `grace`.
            await self.intake.close(grace)
            await self.relay.close()
        finally:
            await self.store.dispose()


def open_store(database_url: str, connections: int = 4) -> Store:
    """The database alone, for an edge that only reads (the dashboard): no relay, no ticker."""
    return Store(create_engine(database_url, **pool_for(database_url, connections)))


def build(
    settings: Settings,
    messenger: Messenger,
    directory: Directory,
    clock: Callable[[], datetime] = utc_now,
    *,
    relay_interval: float = 0.0,
    relay_lease: timedelta = DEFAULT_LEASE,
) -> Jembatan:
    # A connection for each worker, and a few for the relay, the tick and the quick lookups an
    # acknowledgement makes: nothing waits long for a pooled connection.
    engine = create_engine(settings.database_url, **pool_for(settings.database_url, settings.workers + 4))
    store = Store(engine)
    deps = Deps(store=store, directory=directory, clock=clock, default_lang=Lang(settings.default_lang))
    relay = Relay(store, messenger, clock, min_interval=relay_interval, lease=relay_lease)
    intake = Intake(workers=settings.workers, capacity=settings.queue_size)
    ticker = Ticker(deps, relay, keep_sent=timedelta(days=settings.keep_sent_days))
    return Jembatan(store, deps, relay, ticker, intake)
