"""A test's hands on the services: people typing commands, a clock to move, and the scheduled
jobs run by hand. There is no relay: what the services queued is read from the outbox.

The store is the in-memory fake (no database), or the real one on SQLite: the same tests on
both check that the fake behaves as the store does (see conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot import commands as c
from bot.domain import schedule
from bot.domain.model import Group, MemberStatus, Program
from bot.messages import Message, Reply
from bot.services import recognition, rounds
from bot.services.base import Deps
from bot.services.dispatch import handle
from bot.services.ports import Store
from tests.drive import ADMIN, CHANNEL, TENANT, Typing
from tests.fake_unit_of_work import FakeStore, Queued
from tests.fakes import FakeClock, FakeDirectory

__all__ = ["ADMIN", "CHANNEL", "TENANT", "World"]  # the tests' names, as tests/drive.py has them


@dataclass
class World(Typing):
    store: Store = field(default_factory=FakeStore)
    outbox: Callable[[], Awaitable[list[Queued]]] | None = None  # how to read a real store's
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    # A Friday morning in Jakarta, as in the database suite; programs run Mondays at 09:00.
    clock: FakeClock = field(default_factory=lambda: FakeClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC)))

    @property
    def deps(self) -> Deps:
        return Deps(store=self.store, directory=self.directory, clock=self.clock)

    async def say(
        self,
        user: str,
        command: c.Command,
        *,
        admin: bool = False,
        channel: str | None = CHANNEL,
        delivery_id: str | None = None,
    ) -> Reply:
        actor = c.Actor(TENANT, user, channel, is_platform_admin=admin, delivery_id=delivery_id)
        return await handle(self.deps, actor, command)

    async def tick(self) -> None:
        """The scheduled jobs, as the ticker runs them (less the relay)."""
        await rounds.due_rounds(self.deps)
        await rounds.due_checkins(self.deps)
        await recognition.due_digests(self.deps)

    async def run_round(self) -> None:
        """Move the clock just past the next scheduled round and tick."""
        due = schedule.next_after((await self.program()).config, self.clock.now)
        self.clock.now = due.due
        self.clock.advance(minutes=1)
        await self.tick()

    async def program(self) -> Program:
        async with self.store.unit() as uow:
            tenant_id = await uow.tenants.find(TENANT)
            assert tenant_id is not None
            program = await uow.scoped(tenant_id).programs.by_channel(CHANNEL)
        assert program is not None
        return program

    async def latest_groups(self) -> list[Group]:
        program = await self.program()
        async with self.store.unit() as uow:
            scope = uow.scoped(program.tenant_id)
            latest = await scope.rounds.of_program(program.id, limit=1)
            return await scope.groups.of_round(latest[0].id) if latest else []

    async def status_of(self, user: str) -> MemberStatus | None:
        program = await self.program()
        async with self.store.unit() as uow:
            scope = uow.scoped(program.tenant_id)
            person = await scope.people.by_user(user)
            membership = await scope.memberships.get(program.id, person.id) if person else None
        return membership.status if membership else None

    async def queued(self, kind: type[Message] | None = None) -> list[Queued]:
        """Every message queued so far (of one type, when given), oldest first."""
        if isinstance(self.store, FakeStore):
            every = self.store.data.outbox
        else:
            assert self.outbox is not None
            every = await self.outbox()
        return [q for q in every if kind is None or isinstance(q.message, kind)]
