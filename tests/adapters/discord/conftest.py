"""The real discord.py client, our adapter and the core on a SQLite copy, against the local fake."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.discord.client import JembatanClient
from adapters.discord.directory import DiscordDirectory
from adapters.discord.main import point_at
from adapters.discord.messenger import DiscordMessenger
from bot.app import Jembatan, build
from bot.domain.model import Platform, TenantRef
from bot.settings import Settings
from tests.adapters.discord.fake_discord import (
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    TOKEN,
    Answer,
    FakeDiscord,
    Payloads,
    Person,
)
from tests.fakes import FakeClock


@dataclass
class Env:
    fake: FakeDiscord
    database_url: str
    clock: FakeClock
    admin_role: int
    client: JembatanClient | None = None
    app: Jembatan | None = None
    payloads: Payloads = field(init=False)
    _connection: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.payloads = Payloads(self.fake)

    @property
    def tenant(self) -> TenantRef:
        return TenantRef(Platform.DISCORD, str(self.fake.guild_id))

    async def start(self) -> None:
        client = JembatanClient(admin_role_id=self.admin_role, guild_ready_timeout=0.05)
        app = build(
            Settings(database_url=self.database_url),
            DiscordMessenger(client),
            DiscordDirectory(client),
            self.clock,
        )
        client.app = app
        await client.login(TOKEN)
        self._connection = asyncio.create_task(client.connect())
        await asyncio.wait_for(client.wait_until_ready(), 10)
        # The check of READY's server list runs just after; a test acting before it ends would
        # race it (data made meanwhile would look older than the list to a frozen test clock).
        await asyncio.wait_for(client.servers_checked.wait(), 10)
        self.client, self.app = client, app

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.finish_work()  # as `run discord` does before closing
            await self.client.close()
        if self._connection is not None:
            await asyncio.wait_for(self._connection, 10)
        if self.app is not None:
            await self.app.close()
        self.client = self.app = self._connection = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def send(self, payload: dict[str, Any]) -> Answer:
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return await self.fake.answer(payload["token"])

    async def slash(self, who: Person, sub: str, **options: Any) -> Answer:
        return await self.send(self.payloads.slash(who, sub, **options))

    async def deliver(self) -> Any:
        assert self.app is not None
        return await self.app.relay.drain()

    async def outbox(self) -> dict[str, tuple[str, int, str | None]]:
        """Each outbox row by its key: status, attempts, last error."""
        assert self.app is not None
        async with self.app.store.engine.connect() as conn:
            rows = await conn.execute(text("SELECT dedupe_key, status, attempts, last_error FROM outbox"))
            return {key: (status, attempts, error) for key, status, attempts, error in rows}

    async def tenant_exists(self) -> bool:
        assert self.app is not None
        async with self.app.store.unit() as uow:
            return await uow.tenants.find(self.tenant) is not None


async def eventually(condition: Callable[[], Awaitable[bool] | bool], within: float = 5.0) -> None:
    """For what happens inside the client, which the fake cannot see: poll until true."""
    async with asyncio.timeout(within):
        while True:
            result = condition()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.01)


def settings_for(fake: FakeDiscord, database_url: str = "sqlite://") -> Settings:
    """What DISCORD_API_URL and DISCORD_GATEWAY_URL set in production, pointing at the fake."""
    return Settings(
        database_url=database_url, discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url
    )


ADMIN = Person(500000000000000001, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)


@pytest.fixture
async def env(tmp_path: Path, sqlite_template: Path, clock: FakeClock) -> AsyncIterator[Env]:
    fake = FakeDiscord()
    await fake.start()
    path = tmp_path / "jembatan.db"
    shutil.copy(sqlite_template, path)
    database_url = f"sqlite:///{path}"
    restore = point_at(settings_for(fake, database_url))
    environment = Env(fake, database_url, clock, fake.add_role("Jembatan admins"))
    try:
        await environment.start()
        yield environment
    finally:
        await environment.stop()
        await fake.close()
        restore()
