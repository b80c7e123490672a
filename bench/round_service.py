"""How long does a whole round take through the services, storage and outbox?

    python bench/round_service.py [--members 1000 5000] [--postgres postgresql://…/db]

Seeds members straight through the repositories, then times: the round (claim, pairing,
groups and outbox rows in one transaction), and the relay delivering every message to a
messenger that only counts. Prints one line per size and backend.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build, upgrade
from bot.domain import schedule
from bot.domain.model import Platform, ProgramConfig, TenantRef
from bot.messages import Attachment, Message, ToGroup
from bot.services.rounds import start_round
from bot.settings import Settings

DIVISIONS = ("Engineering", "Sales", "Operations", "Finance", "People", "Legal")


class CountingMessenger:
    def __init__(self) -> None:
        self.sent = 0

    async def open_group(self, tenant: TenantRef, to: ToGroup) -> str:
        return f"G{to.group_id}"

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        self.sent += 1
        return key

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        return await self.post(tenant, user_id, message, key)

    async def upload(self, tenant: TenantRef, conversation_id: str, attachment: Attachment) -> None:
        return None


class Everyone:
    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        return user_id

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        return set(user_ids)


async def measure(url: str, members: int) -> str:
    await upgrade(url)
    clock_now = datetime(2026, 11, 27, tzinfo=UTC)
    messenger = CountingMessenger()
    app = build(Settings(database_url=url), messenger, Everyone(), lambda: clock_now)
    rng = random.Random(1)
    try:
        async with app.store.unit() as uow:
            tenant_id = await uow.tenants.ensure(TenantRef(Platform.CONSOLE, f"bench-{members}"), clock_now)
            scope = uow.scoped(tenant_id)
            config = ProgramConfig(timezone="Asia/Jakarta")
            program = await scope.programs.create(f"C{members}", config, clock_now, "U-ADMIN")
            for i in range(members):
                person = await scope.people.ensure(f"U{i}", clock_now)
                await scope.people.update_profile(person.id, division=rng.choice(DIVISIONS))
                await scope.memberships.join(program.id, person.id, clock_now)
            await uow.commit()
        due = schedule.next_after(config, clock_now)
        started = time.perf_counter()
        summary = await start_round(app.deps, tenant_id, program.id, due.period, due.due)
        round_seconds = time.perf_counter() - started
        started = time.perf_counter()
        await app.relay.drain(rounds=10_000)
        relay_seconds = time.perf_counter() - started
        assert summary is not None
        backend = url.split(":", 1)[0]
        return (
            f"{backend:10} {members:>6} members: round {round_seconds:6.2f} s "
            f"({summary.groups} groups), relay {relay_seconds:6.2f} s for {messenger.sent} messages "
            f"({messenger.sent / relay_seconds:,.0f}/s)"
        )
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure as well (its tables are used)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in args.members:
            print(await measure(f"sqlite:///{Path(folder) / f'bench{size}.db'}", size), flush=True)
            if args.postgres:
                print(await measure(args.postgres, size), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
