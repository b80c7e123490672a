"""CPU and memory of `jembatan run discord` (idle, then through a round) and of `jembatan migrate`:
where deploy/k8s's resource requests come from (the Slack process's: bench/ack_load.py).

    python bench/resources.py                  # a 1,000-member round on Discord; migrate 3 times
    python bench/resources.py --quick          # 100 members, a shorter idle window; migrate once

On a PostgreSQL database of its own (--postgres, else JEMBATAN_BENCH_POSTGRES, else
postgresql://postgres@127.0.0.1:5432/postgres; created and dropped):

- discord: a program with `--members` people (set up and joined through the services, before
  the process starts), then the real `jembatan run discord` against the fake Discord (REST and
  gateway) of the test suite, ticking every 5 s (the most often it may). Measured: a quiet window
  of `--idle` seconds after it connected, then from `/jembatan round-now` (typed by an admin over
  the gateway) until every intro is delivered (private thread, members, the intro) with sends
  paced `--interval` s apart (Discord's real pacing is slower: the same work spread thinner).
- migrate: `jembatan migrate` on an empty database, from start to exit: peak RSS and CPU time
  (the kernel's account of the child: getrusage via wait4).

CPU is in millicores, as Kubernetes counts (1000m: one core busy for the whole window); RSS in
MiB; "peak" is the kernel's high-water mark of the process's resident memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # for tests/ (the fakes and the harness); PYTHONPATH still comes first

from bench.ack_load import DEFAULT_SERVER, cpu_seconds, rss_mib, vm_mib
from tests.databases import admin_execute
from tests.e2e.harness import (
    DB_POLL,
    FakeDiscordServer,
    discord_process,
    postgres_database,
    query,
    wait_until,
)

DIVISIONS = ("Sales", "Finance", "Legal", "Ops")


@dataclass
class Window:
    name: str
    seconds: float
    millicores: float
    rss_max: float

    def __str__(self) -> str:
        return f"{self.name} {self.seconds:.0f} s: CPU {self.millicores:.0f}m, RSS max {self.rss_max:.0f} MiB"


class Sampler:
    """One process's CPU time and RSS over a window, RSS sampled every quarter second."""

    def __init__(self, pid: int, name: str) -> None:
        self.pid, self.name = pid, name
        self._stop = threading.Event()
        self._began = time.monotonic()
        self._cpu = cpu_seconds(pid)
        self._rss = rss_mib(pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self._rss = max(self._rss, rss_mib(self.pid))

    def end(self) -> Window:
        self._stop.set()
        self._thread.join()
        seconds = time.monotonic() - self._began
        used = cpu_seconds(self.pid) - self._cpu
        return Window(self.name, seconds, 1000 * used / seconds, max(self._rss, rss_mib(self.pid)))


async def _populate(database_url: str, guild: str, channel: str, members: int) -> None:
    """A program and its members, written through the services as the commands would."""
    from bot import commands as c
    from bot.bootstrap import build
    from bot.domain.model import Platform, TenantRef
    from bot.services.dispatch import handle
    from bot.settings import Settings
    from tests.fakes import FakeDirectory, FakeMessenger

    app = build(Settings(database_url=database_url), FakeMessenger(), FakeDirectory())
    tenant = TenantRef(Platform.DISCORD, guild)
    try:

        def actor(user: str, admin: bool = False) -> c.Actor:
            return c.Actor(tenant, user, channel, is_platform_admin=admin)

        # Scheduled days ahead: no round falls due by itself while this runs.
        weekday = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
        setup = c.SetupProgram(cadence="weekly", weekday=weekday, time="09:00", timezone="UTC")
        await handle(app.deps, actor("500000000000000001", True), setup)
        for i in range(members):
            await handle(app.deps, actor(str(600000000000000000 + i)), c.Join(DIVISIONS[i % len(DIVISIONS)]))
    finally:
        await app.close()


def discord(args: argparse.Namespace) -> list[str]:
    from tests.adapters.discord.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Person

    fake = FakeDiscordServer()
    lines = []
    try:
        with postgres_database(args.postgres) as url:
            guild, channel = fake.call(lambda f: (str(f.guild_id), str(f.program_channel)))
            asyncio.run(_populate(url, guild, channel, args.members))
            env = {"JEMBATAN_SEND_INTERVAL": str(args.interval), "LOG_LEVEL": "WARNING"}
            process = discord_process(fake, url, extra_env=env)
            process.start()
            try:
                fake.connected(1)
                idle = Sampler(process.pid, "idle")
                time.sleep(args.idle)
                windows = [idle.end()]
                admin = Person(500000000000000001, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
                busy = Sampler(process.pid, f"round of {args.members} members")
                said = fake.slash(admin, "round-now", within=120)
                assert "Round started" in said.text, said.text

                def delivered() -> bool:
                    left = query(url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
                    return left == [(0,)]

                wait_until(delivered, 1800, "the round delivered", every=DB_POLL, explain=process.tail)
                windows.append(busy.end())
                sent = query(url, "SELECT count(*) FROM outbox WHERE status = 'sent'")[0][0]
                peak = vm_mib(process.pid, "VmHWM")
                lines.append(
                    f"discord ({args.members} members, sends {args.interval} s apart, {sent} sent): "
                    + " | ".join(map(str, windows))
                    + f" | peak RSS (VmHWM) {peak:.0f} MiB"
                )
            finally:
                code = process.stop()
                tracebacks = len(process.logged("Traceback"))
                lines.append(f"discord exit status {code}, tracebacks in its log: {tracebacks}")
    finally:
        fake.close()
    return lines


def migrate(args: argparse.Namespace) -> list[str]:
    lines = []
    for n in range(args.migrations):
        name = f"jembatan_bench_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(admin_execute(args.postgres, f'CREATE DATABASE "{name}"'))
        try:
            from sqlalchemy.engine import make_url

            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            began = time.monotonic()
            child = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "migrate"],
                env={**os.environ, "DATABASE_URL": url},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.monotonic() - began
            cpu = usage.ru_utime + usage.ru_stime
            code = os.waitstatus_to_exitcode(status)
            lines.append(
                f"migrate #{n + 1} (empty database to the latest schema): exit {code} "
                f"in {seconds:.1f} s, CPU {cpu:.2f} s ({1000 * cpu / seconds:.0f}m over its run), "
                f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB"
            )
        finally:
            asyncio.run(admin_execute(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=0.05, help="JEMBATAN_SEND_INTERVAL, seconds")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of quiet measured first")
    parser.add_argument("--migrations", type=int, default=3, help="times `jembatan migrate` is measured")
    parser.add_argument("--quick", action="store_true", help="100 members, 10 s idle, one migrate")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("JEMBATAN_BENCH_POSTGRES", DEFAULT_SERVER),
        help="a PostgreSQL server URL; databases of the run's own are made there and dropped",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.idle, args.migrations = min(args.members, 100), min(args.idle, 10.0), 1
    return args


def main() -> int:
    args = parse_args()
    print(f"{os.cpu_count()} CPUs, PostgreSQL at {args.postgres.rsplit('@', 1)[-1]}", flush=True)
    for line in migrate(args):
        print(line, flush=True)
    for line in discord(args):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
