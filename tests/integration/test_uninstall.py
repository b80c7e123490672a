"""A workspace that removes the app loses its data and its installation together: one
transaction, so a failure in between can never leave a token without data or data without the
token that would let us reach it again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from bot.app import Install, Installs, Jembatan, build
from bot.domain.model import Platform, TenantRef
from bot.installations import fernet
from bot.settings import Settings
from tests.fakes import FakeClock, FakeDirectory, FakeMessenger

TEAM = TenantRef(Platform.SLACK, "T0INITECH")


@pytest.fixture
async def slack_core(
    database_url: str, messenger: FakeMessenger, directory: FakeDirectory, clock: FakeClock
) -> AsyncIterator[Jembatan]:
    settings = Settings(database_url=database_url, slack_client_id="1.2")
    jembatan = build(settings, messenger, directory, clock)
    yield jembatan
    await jembatan.close()


async def _install_and_use(core: Jembatan, clock: FakeClock) -> Installs:
    installs = Installs(core.store, fernet("a passphrase only the operator knows"))
    await installs.save(
        Install(None, TEAM.external_id, False, "xoxb-initech", "commands", clock() - timedelta(days=1))
    )
    async with core.store.unit() as uow:
        await uow.tenants.ensure(TEAM, clock())
        await uow.commit()
    return installs


async def test_an_uninstall_erases_data_and_installation_in_one_transaction(
    slack_core: Jembatan, clock: FakeClock
) -> None:
    installs = await _install_and_use(slack_core, clock)
    began: list[object] = []

    def count(connection: object) -> None:
        began.append(connection)

    event.listen(slack_core.store.engine.sync_engine, "begin", count)
    try:
        assert await slack_core.uninstall(TEAM, delivery_id="Ev0GONE", happened_at=clock())
    finally:
        event.remove(slack_core.store.engine.sync_engine, "begin", count)
    assert len(began) == 1
    assert await installs.bot_token(TEAM) is None
    async with slack_core.store.unit() as uow:
        assert await uow.tenants.find(TEAM) is None


async def test_a_removal_older_than_a_reinstall_keeps_the_new_token(
    slack_core: Jembatan, clock: FakeClock
) -> None:
    installs = await _install_and_use(slack_core, clock)
    removed_before_the_install = clock() - timedelta(days=2)
    assert not await slack_core.uninstall(TEAM, happened_at=removed_before_the_install)
    assert await installs.bot_token(TEAM) == "xoxb-initech"
