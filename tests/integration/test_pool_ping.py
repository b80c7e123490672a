"""Pooled PostgreSQL connections are pinged at checkout only after sitting idle: one whose
server process ended while it waited is replaced unseen; one used a moment ago costs no ping
(asyncpg's is three round trips), so its loss falls to the work's own retry."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.store.db import IDLE_BEFORE_PING, PING_AFTER_IDLE, create_engine, pool_for
from tests.integration.test_database_faults import _terminate_all


def test_the_pool_pings_after_a_second_idle() -> None:
    assert pool_for("postgresql://db/x", 8)[PING_AFTER_IDLE] == IDLE_BEFORE_PING == 1.0
    assert PING_AFTER_IDLE not in pool_for("sqlite:///x.db", 8)


@pytest.mark.parametrize("idle", [0.2, 60.0], ids=["idle-long-enough", "used-just-now"])
async def test_a_connection_ended_while_idle_is_replaced_only_when_pinged(
    postgres_url: str, idle: float
) -> None:
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0, **{PING_AFTER_IDLE: idle})
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        await asyncio.sleep(0.3)
        assert await _terminate_all(postgres_url) >= 1
        if idle < 0.3:  # pinged at checkout: found dead, replaced, and the query goes through
            async with engine.connect() as conn:
                second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
            assert second != first
        else:  # not pinged: the query meets the dead connection, which is thrown away
            with pytest.raises(DBAPIError) as broke:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            assert broke.value.connection_invalidated
            async with engine.connect() as conn:  # and the next checkout has a fresh one
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_our_postgresql_sessions_do_not_jit_compile(postgres_url: str) -> None:
    # With JIT on (PostgreSQL's default), the dashboard overview's counts spent 730 of 860 ms
    # compiling their plan; every connection the store opens, fresh or replaced, has it off.
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        for _ in range(2):
            async with engine.connect() as conn:
                assert (await conn.execute(text("SHOW jit"))).scalar() == "off"
                await conn.invalidate()  # the next checkout connects anew
    finally:
        await engine.dispose()
