"""Sent messages and delivery ids go after the retention window; nothing unsent ever does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.messages import Notice, ToChannel
from bot.ports import DeliveryFailed
from bot.settings import ConfigError, Settings
from bot.store.tables import inbound_deliveries
from tests.drive import Driver


async def _queue(drive: Driver, keys: list[str]) -> int:
    async with drive.app.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(drive.tenant, drive.clock())
        for key in keys:
            await uow.scoped(tenant_id).outbox.add(key, ToChannel("C1"), Notice(key), drive.clock())
        await uow.commit()
    return tenant_id


async def _statuses(drive: Driver, tenant_id: int) -> dict[str, int]:
    async with drive.app.store.unit() as uow:
        return await uow.scoped(tenant_id).outbox.counts()


async def test_sent_messages_go_after_the_retention_window_and_unsent_ones_stay(drive: Driver) -> None:
    tenant_id = await _queue(drive, ["sent"])
    await drive.app.relay.drain()
    drive.messenger.refusing["C1"] = DeliveryFailed("channel_not_found", retryable=False)
    await _queue(drive, ["failed"])
    await drive.app.relay.drain()
    await _queue(drive, ["pending"])
    async with drive.app.store.unit() as uow:  # the platform asked for a long wait: it stays unsent
        await uow.scoped(tenant_id).pacing.hold_until(drive.clock() + timedelta(days=40))
        await uow.commit()
    drive.clock.advance(days=29)
    assert (await drive.tick()).expired == 0  # within the 30 days
    drive.clock.advance(days=2)
    report = await drive.tick()
    assert report.expired == 1
    assert await _statuses(drive, tenant_id) == {"failed": 1, "pending": 1}


async def test_delivery_ids_are_forgotten_after_the_retention_window(drive: Driver) -> None:
    from bot import commands as c

    await drive.setup()
    await drive.say("U1", c.Join(None), delivery_id="d-old")
    drive.clock.advance(days=29)
    await drive.say("U2", c.Join(None), delivery_id="d-new")
    drive.clock.advance(days=2)
    report = await drive.tick()
    assert report.expired == 1
    async with drive.app.store.engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(inbound_deliveries))).scalar_one()
    assert left == 1
    assert (await drive.tick()).expired == 0  # once an hour, not every tick


def test_the_retention_window_is_configurable() -> None:
    assert Settings.from_env({}).keep_sent_days == 30
    assert Settings.from_env({"JEMBATAN_KEEP_SENT_DAYS": "7"}).keep_sent_days == 7
    for wrong in ("0", "-1", "seven", "1.5"):
        with pytest.raises(ConfigError, match="JEMBATAN_KEEP_SENT_DAYS"):
            Settings.from_env({"JEMBATAN_KEEP_SENT_DAYS": wrong})
