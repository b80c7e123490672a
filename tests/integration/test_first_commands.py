"""A new workspace's first commands arrive together (several people, several replicas): each
is answered, and the workspace is registered once."""

from __future__ import annotations

import asyncio

from bot import commands as c
from bot.app import build
from bot.domain.model import Platform, TenantRef
from bot.services.dispatch import handle
from bot.settings import Settings
from tests.fakes import FakeClock, FakeDirectory, FakeMessenger

NEW = TenantRef(Platform.SLACK, "T-BRAND-NEW")


async def test_concurrent_first_commands_of_a_new_workspace_are_all_answered(
    database_url: str, clock: FakeClock
) -> None:
    replicas = [
        build(Settings(database_url=database_url), FakeMessenger(), FakeDirectory(), clock) for _ in range(3)
    ]
    try:
        sends = [
            handle(replica.deps, c.Actor(NEW, f"U{n}-{i}", "C-PAIRS"), c.Status())
            for n, replica in enumerate(replicas)
            for i in range(8)
        ]
        replies = await asyncio.gather(*sends, return_exceptions=True)
        lost = [r for r in replies if isinstance(r, BaseException)]
        assert not lost, f"{len(lost)} of {len(replies)} first commands failed: {lost[0]!r}"
        async with replicas[0].store.unit() as uow:
            known = await uow.tenants.on_platform(Platform.SLACK)
        assert list(known) == [NEW.external_id]  # registered once
    finally:
        for replica in replicas:
            await replica.close()
