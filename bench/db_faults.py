"""Database faults: PostgreSQL backends terminated mid-transaction while a round is delivered and
while a burst of commands goes through the intake; the same process carries on, nothing lost.

    PYTHONPATH=. python bench/db_faults.py                 # 600 groups and 1,000 commands, 6 kills each
    PYTHONPATH=. python bench/db_faults.py --quick         # 120 groups and 300 commands, 3 kills each
    PYTHONPATH=. python bench/db_faults.py --server postgresql://postgres@127.0.0.1:5432/test

A database of its own (random name) is created on the server and dropped at the end. Every
kill is `pg_terminate_backend` on all of the bot's connections at once, pooled ones and the
relay's holder lock alike, at a random moment (so mostly mid-transaction under this load).

Prints, for each phase: kills, intros (or commands) lost, duplicate sends, whether the same
workers finished the work (no restart), and the time from each kill to the next piece of work
done (median and worst).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from bot import commands as c
from bot.app import Jembatan, build, upgrade
from bot.domain.model import MemberStatus, Platform, TenantRef
from bot.messages import Message
from bot.services.dispatch import handle
from bot.services.rounds import start_round
from bot.settings import Settings
from bot.store.tables import outbox
from tests.fakes import FakeDirectory, FakeMessenger

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
DIVISIONS = ("Sales", "Finance", "Legal", "Ops")
ADMIN = "U0ADMIN"
TENANT = TenantRef(Platform.SLACK, "T0FAULTS")
CHANNEL = "C0PAIRS"
GIVE_UP = 120.0  # seconds without progress: the workers did not recover


@dataclass
class Phase:
    name: str
    work: int  # intros queued, or commands acknowledged
    kills: int = 0
    killed_backends: int = 0
    lost: int = 0
    duplicates: int = 0
    errors_seen: int = 0  # failures a worker met and got past (logged, retried or taken again)
    kinds: Counter[str] = field(default_factory=Counter)  # those failures, by exception and statement
    recovered: bool = False
    recover_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        worst = max(self.recover_seconds, default=0.0)
        median = statistics.median(self.recover_seconds) if self.recover_seconds else 0.0
        return [
            f"{self.name}: {self.work} {'intros' if 'round' in self.name else 'commands acknowledged'}, "
            f"{self.kills} kills ({self.killed_backends} backends terminated), {self.seconds:.1f} s",
            f"  lost (acknowledged or queued, never done): {self.lost}",
            f"  duplicate sends: {self.duplicates}",
            f"  failures met by the workers: {self.errors_seen}"
            + (f" ({', '.join(f'{k} ×{n}' for k, n in self.kinds.items())})" if self.kinds else ""),
            f"  recovered without a restart: {'yes' if self.recovered else 'NO'}",
            f"  time from a kill to the next work done: median {median * 1000:.0f} ms,"
            f" worst {worst * 1000:.0f} ms",
        ]


class SlowMessenger(FakeMessenger):
    """Takes a few milliseconds per call, like a platform, so kills land during sends too."""

    def __init__(self, delay: float, done: Callable[[], None]) -> None:
        super().__init__()
        self._delay = delay
        self._done = done

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        await asyncio.sleep(self._delay)
        ref = await super().post(tenant, conversation_id, message, key)
        self._done()
        return ref


async def terminate(server_url: str, database: str) -> int:
    engine = create_async_engine(_async(server_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
            return len(result.fetchall())
    finally:
        await engine.dispose()


def _async(url: str) -> str:
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


class Progress:
    """When work was last done, to time each kill's recovery."""

    def __init__(self) -> None:
        self.done = 0
        self.last = time.monotonic()

    def tick(self) -> None:
        self.done += 1
        self.last = time.monotonic()


async def killer(
    server_url: str,
    database: str,
    phase: Phase,
    progress: Progress,
    kills: int,
    gap: float,
    rng: random.Random,
    finished: asyncio.Event,
) -> None:
    """Kill `kills` times while there is work left; time each recovery."""
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.5 * gap, 1.5 * gap))
        if finished.is_set():
            return
        killed_at = time.monotonic()
        phase.killed_backends += await terminate(server_url, database)
        phase.kills += 1
        before = progress.done
        while progress.done == before:  # the first work done after the kill
            if time.monotonic() - killed_at > GIVE_UP or finished.is_set():
                return
            await asyncio.sleep(0.005)
        phase.recover_seconds.append(progress.last - killed_at)


async def seed(app: Jembatan, people: int) -> None:
    def actor(user: str, admin: bool = False) -> c.Actor:
        return c.Actor(TENANT, user, CHANNEL, is_platform_admin=admin)

    weekday = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
    setup = c.SetupProgram(cadence="weekly", weekday=weekday, time="09:00", timezone="UTC")
    await handle(app.deps, actor(ADMIN, True), setup)
    for i in range(people):
        await handle(app.deps, actor(f"U{i:06d}"), c.Join(DIVISIONS[i % len(DIVISIONS)]))


async def round_phase(
    app: Jembatan, messenger: SlowMessenger, progress: Progress, args: argparse.Namespace, database: str
) -> Phase:
    await seed(app, 2 * args.groups)
    async with app.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(TENANT, datetime.now(UTC))
        [program] = await uow.scoped(tenant_id).programs.all()
    summary = await start_round(app.deps, tenant_id, program.id, "bench-1", datetime.now(UTC))
    assert summary is not None
    async with app.store.unit() as uow:
        queued = (await uow.scoped(tenant_id).outbox.counts()).get("pending", 0)
    phase = Phase("(a) a round's delivery", queued)
    rng = random.Random(args.seed)
    started = time.monotonic()
    finished = asyncio.Event()
    kills = asyncio.create_task(
        killer(args.server, database, phase, progress, args.kills, args.gap, rng, finished)
    )
    # The relay as the runtime drives it: a pass, and after a failure the next pass a moment
    # later (APScheduler logs the job's error and runs it again on its interval).
    while time.monotonic() - progress.last < GIVE_UP:
        try:
            await app.relay.run_once()
        except Exception as error:
            phase.errors_seen += 1
            phase.kinds[_kind(error)] += 1
            await asyncio.sleep(0.2)
            continue
        if await _all_settled(app, tenant_id):
            break
        await asyncio.sleep(0.05)
    finished.set()
    await kills
    phase.seconds = time.monotonic() - started
    engine = app.store.engine
    async with engine.connect() as conn:
        statuses = Counter(s for (s,) in (await conn.execute(select(outbox.c.status))).all())
    sent = Counter(s.key for s in messenger.sent)
    phase.lost = queued - statuses.get("sent", 0)
    phase.duplicates = sum(n - 1 for n in sent.values() if n > 1)
    phase.recovered = phase.lost == 0 and len(phase.recover_seconds) == phase.kills
    return phase


def _kind(error: BaseException) -> str:
    statement = str(getattr(error, "statement", "") or "").split()
    return " ".join([type(error).__name__, *statement[:3]])


async def _all_settled(app: Jembatan, tenant_id: int) -> bool:
    async with app.store.unit() as uow:
        counts = await uow.scoped(tenant_id).outbox.counts()
    return not counts.get("pending") and not counts.get("sending")


async def command_phase(app: Jembatan, progress: Progress, args: argparse.Namespace, database: str) -> Phase:
    phase = Phase("(b) a burst of commands through the intake", 0)
    rng = random.Random(args.seed + 1)
    people = [f"V{i:06d}" for i in range(args.commands)]
    accepted: list[tuple[str, asyncio.Future[object]]] = []

    async def joined(user: str, delivery: str) -> object:
        actor = c.Actor(TENANT, user, CHANNEL, delivery_id=delivery)
        reply = await handle(app.deps, actor, c.Join(DIVISIONS[len(delivery) % len(DIVISIONS)]))
        progress.tick()
        return reply

    started = time.monotonic()
    finished = asyncio.Event()
    kills = asyncio.create_task(
        killer(args.server, database, phase, progress, args.kills, args.gap, rng, finished)
    )
    for n, user in enumerate(people):
        while True:
            # Offered like the Slack edge offers a slash command; a refusal is answered "busy"
            # and never acknowledged, so the person tries again a moment later.
            offered = app.intake.offer(TENANT, lambda u=user, d=f"cmd-{n}": joined(u, d))
            if offered is not None:
                accepted.append((user, offered))
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(args.command_gap)
    phase.work = len(accepted)
    outcomes = await asyncio.gather(*(f for _, f in accepted), return_exceptions=True)
    finished.set()
    await kills
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            phase.errors_seen += 1
            phase.kinds[_kind(outcome)] += 1
    phase.seconds = time.monotonic() - started
    async with app.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(TENANT, datetime.now(UTC))
        [program] = await uow.scoped(tenant_id).programs.all()
        members = await uow.scoped(tenant_id).memberships.of_program(program.id, MemberStatus.ACTIVE)
    present = {m.person.user_id for m in members}
    phase.lost = sum(1 for user, _ in accepted if user not in present)
    # The same intake, after the kills: a command still goes through (its workers are alive).
    after = app.intake.offer(TENANT, lambda: joined("V-after", "cmd-after"))
    phase.recovered = after is not None and not isinstance(
        (await asyncio.gather(after, return_exceptions=True))[0], BaseException
    )
    phase.recovered = phase.recovered and len(phase.recover_seconds) == phase.kills
    return phase


async def run(args: argparse.Namespace) -> list[Phase]:
    database = "jb_faults_" + uuid.uuid4().hex[:10]
    admin = create_async_engine(_async(args.server), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = make_url(args.server).set(database=database).render_as_string(hide_password=False)
    app: Jembatan | None = None
    try:
        await upgrade(url)
        progress = Progress()
        messenger = SlowMessenger(args.send_delay, progress.tick)
        app = build(Settings(database_url=url), messenger, FakeDirectory())
        phases = [await round_phase(app, messenger, progress, args, database)]
        progress.tick()
        phases.append(await command_phase(app, progress, args, database))
        return phases
    finally:
        if app is not None:
            await app.close()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await admin.dispose()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=SERVER, help="a PostgreSQL server URL (any database on it)")
    parser.add_argument("--quick", action="store_true", help="120 groups, 300 commands, 3 kills each")
    parser.add_argument("--groups", type=int, default=600)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between kills, on average")
    parser.add_argument("--send-delay", type=float, default=0.005, help="seconds a fake send takes")
    parser.add_argument("--command-gap", type=float, default=0.005, help="seconds between commands")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.quick:
        args.groups, args.commands, args.kills, args.gap = 120, 300, 3, 0.3
    return args


class LogCount(logging.Handler):
    """What the bot logged while it recovered, counted by level and first words, not printed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        words = " ".join(record.getMessage().split()[:8])
        self.seen[f"{record.levelname} {record.name}: {words}"] += 1


def main() -> None:
    args = parse()
    logged = LogCount()
    logging.basicConfig(level=logging.WARNING, handlers=[logged])
    print(
        f"PostgreSQL backends terminated mid-work: {args.kills} kills per phase, about every "
        f"{args.gap:g} s (seed {args.seed})",
        flush=True,
    )
    for phase in asyncio.run(run(args)):
        print("\n".join(phase.lines()), flush=True)
    print("What the bot logged meanwhile (warnings and errors, counted):")
    for line, count in sorted(logged.seen.items()):
        print(f"  {count:4d} × {line}")


if __name__ == "__main__":
    main()
