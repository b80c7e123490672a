"""A test's hands on the running bot: type commands as people, move time, tick, deliver."""

from __future__ import annotations

from dataclasses import dataclass

from bot import commands as c
from bot.app import Jembatan
from bot.domain.model import Group, Platform, Program, TenantRef
from bot.messages import Reply
from bot.runtime.ticker import TickReport
from bot.services.dispatch import handle
from tests.fakes import FakeClock, FakeDirectory, FakeMessenger

TENANT = TenantRef(Platform.SLACK, "T-ACME")
CHANNEL = "C-PAIRS"
ADMIN = "U-ADMIN"


class Typing:
    """What tests type most, on top of their own `say` (the running bot's here, the services'
    in tests/services/world.py)."""

    async def say(self, user: str, command: c.Command, *, admin: bool = False) -> Reply:
        raise NotImplementedError

    async def setup(self, **options: object) -> Reply:
        defaults: dict[str, object] = {
            "cadence": "weekly",
            "weekday": "monday",
            "time": "09:00",
            "timezone": "Asia/Jakarta",
        }
        return await self.say(ADMIN, c.SetupProgram(**(defaults | options)), admin=True)  # type: ignore[arg-type]

    async def join_many(self, people: dict[str, str | None]) -> None:
        for user, division in people.items():
            await self.say(user, c.Join(division))


@dataclass
class Driver(Typing):
    app: Jembatan
    messenger: FakeMessenger
    clock: FakeClock
    directory: FakeDirectory
    tenant: TenantRef = TENANT

    async def say(
        self,
        user: str,
        command: c.Command,
        *,
        admin: bool = False,
        channel: str | None = CHANNEL,
        delivery_id: str | None = None,
        tenant: TenantRef | None = None,
    ) -> Reply:
        actor = c.Actor(
            tenant or self.tenant, user, channel, is_platform_admin=admin, delivery_id=delivery_id
        )
        return await handle(self.app.deps, actor, command)

    async def tick(self) -> TickReport:
        return await self.app.ticker.tick()

    async def program(self, channel: str = CHANNEL) -> Program:
        async with self.app.store.unit() as uow:
            tenant_id = await uow.tenants.find(self.tenant)
            assert tenant_id is not None
            program = await uow.scoped(tenant_id).programs.by_channel(channel)
        assert program is not None
        return program

    async def latest_groups(self, channel: str = CHANNEL) -> list[Group]:
        program = await self.program(channel)
        async with self.app.store.unit() as uow:
            scope = uow.scoped(program.tenant_id)
            latest = await scope.rounds.of_program(program.id, limit=1)
            return await scope.groups.of_round(latest[0].id) if latest else []

    async def run_round(self) -> TickReport:
        """Move the clock just past the next scheduled round and tick."""
        from bot.domain import schedule

        program = await self.program()
        due = schedule.next_after(program.config, self.clock.now)
        self.clock.now = due.due
        self.clock.advance(minutes=1)
        return await self.tick()
