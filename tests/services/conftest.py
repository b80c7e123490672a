"""Service tests run on the in-memory unit of work (`memory`: no database is made), and once more
on the real store over SQLite (`sqlite`), which keeps the fake honest: a rule that passes on the
fake and fails on the store means the fake has drifted. `-k memory` runs the first alone."""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.messages import load_destination, load_message
from bot.store.db import create_engine
from bot.store.tables import outbox
from bot.store.unit_of_work import Store
from tests.fake_unit_of_work import Queued
from tests.services.world import World


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None for the in-memory store; otherwise a migrated SQLite database of the test's own."""
    if request.param == "memory":
        return None
    path = tmp_path / "jembatan.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
async def world(store_url: str | None) -> AsyncIterator[World]:
    if store_url is None:
        yield World()
        return
    store = Store(create_engine(store_url))

    async def queued() -> list[Queued]:
        async with store.engine.connect() as conn:
            rows = await conn.execute(select(outbox).order_by(outbox.c.id))
            return [
                Queued(
                    r.tenant_id,
                    r.dedupe_key,
                    load_destination(r.destination),
                    load_message(r.message),
                    r.group_id,
                )
                for r in rows
            ]

    yield World(store=store, outbox=queued)
    await store.dispose()
