"""The database drops the bot's connections (a restart, a failover, pg_terminate_backend): the
next command and the next send go through in the same process, and a command whose transaction
broke is run again only when that cannot do it twice. The figures: bench/db_faults.py."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot import commands as c
from bot.app import build
from bot.domain.model import MemberStatus, Platform, TenantRef
from bot.services import dispatch
from bot.services.dispatch import handle
from bot.settings import Settings
from bot.store.db import AT_COMMIT, async_url
from tests.conftest import POSTGRES_ENV
from tests.drive import Driver
from tests.fakes import FakeDirectory, FakeMessenger

TENANT = TenantRef(Platform.SLACK, "T0FAULT")


def lost(at_commit: bool = False) -> DBAPIError:
    error = DBAPIError("SELECT 1", None, Exception("connection was closed"), connection_invalidated=True)
    if at_commit:
        setattr(error, AT_COMMIT, True)
    return error


def failing(*errors: Exception) -> tuple[list[int], Callable[[], Awaitable[str]]]:
    runs: list[int] = []

    async def work() -> str:
        runs.append(1)
        if len(runs) <= len(errors):
            raise errors[len(runs) - 1]
        return "done"

    return runs, work


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "AGAIN_AFTER", (0.0, 0.0, 0.0))


async def test_a_command_whose_connection_broke_before_commit_runs_again() -> None:
    runs, work = failing(lost(), lost())
    assert await dispatch._again_if_lost(work, recorded=False) == "done"
    assert len(runs) == 3


async def test_a_command_whose_commit_broke_is_not_run_again_without_its_delivery_id() -> None:
    runs, work = failing(lost(at_commit=True))
    with pytest.raises(DBAPIError):
        await dispatch._again_if_lost(work, recorded=False)
    assert len(runs) == 1


async def test_a_command_with_its_delivery_id_recorded_runs_again_even_after_a_broken_commit() -> None:
    runs, work = failing(lost(at_commit=True))
    assert await dispatch._again_if_lost(work, recorded=True) == "done"
    assert len(runs) == 2


async def test_other_database_errors_are_not_run_again() -> None:
    runs, work = failing(DBAPIError("INSERT", None, Exception("duplicate key")))
    with pytest.raises(DBAPIError):
        await dispatch._again_if_lost(work, recorded=True)
    assert len(runs) == 1


async def _terminate_all(url: str) -> int:
    server = os.environ[POSTGRES_ENV]
    engine = create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            return len(result.fetchall())
    finally:
        await engine.dispose()


async def test_after_the_server_ended_every_connection_the_next_command_and_send_go_through(
    postgres_url: str,
) -> None:
    messenger = FakeMessenger()
    app = build(Settings(database_url=postgres_url), messenger, FakeDirectory())
    admin = c.Actor(TENANT, "U0ADMIN", "C0PAIRS", is_platform_admin=True)
    try:
        setup = c.SetupProgram(cadence="weekly", weekday="monday", time="09:00", timezone="UTC")
        await handle(app.deps, admin, setup)
        await app.relay.drain()
        assert await _terminate_all(postgres_url) >= 2  # the pool's and the relay's holder lock
        reply = await handle(app.deps, c.Actor(TENANT, "U1", "C0PAIRS", delivery_id="d1"), c.Join("Sales"))
        assert "Welcome" in reply.text
        async with app.store.unit() as uow:
            tenant_id = await uow.tenants.ensure(TENANT, app.deps.now())
            [program] = await uow.scoped(tenant_id).programs.all()
            members = await uow.scoped(tenant_id).memberships.of_program(program.id, MemberStatus.ACTIVE)
        assert [m.person.user_id for m in members] == ["U1"]
        await _terminate_all(postgres_url)
        sent_before = len(messenger.sent)
        report = await app.relay.drain()  # the join's welcome, if any, goes out; nothing raises
        assert report.failed == 0 and len(messenger.sent) == sent_before + report.sent
    finally:
        await app.close()


async def test_a_send_whose_record_meets_a_broken_connection_is_recorded_not_sent_again(
    drive: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store.outbox import Outbox

    await drive.setup()
    await drive.join_many({f"U{i}": ["Sales", "Finance"][i % 2] for i in range(4)})
    await drive.say("U-ADMIN", c.RunRoundNow(), admin=True)  # an announcement and two intros queued
    real = Outbox.mark_sent
    broken = [True]

    async def mark_sent_once_broken(self: Outbox, *args: object, **kwargs: object) -> None:
        if broken:
            broken.clear()  # the server ended this connection just as the send was recorded
            raise DBAPIError("UPDATE outbox", None, Exception("terminated"), connection_invalidated=True)
        await real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Outbox, "mark_sent", mark_sent_once_broken)
    report = await drive.app.relay.drain()
    assert report.sent == len(drive.messenger.sent) > 0  # each message went out once
    assert not broken
