"""CPU and memory of `jembatan run discord` and `jembatan run slack --mode http` (idle, then
through a round) and of `jembatan migrate`: where deploy/k8s's resource requests come from
(the Slack process under a burst of commands: bench/ack_load.py).

    python bench/resources.py                  # 1,000-member rounds; migrate 3 times
    python bench/resources.py --quick          # 100 members, a shorter idle window; migrate once

On PostgreSQL databases of its own (--postgres, else JEMBATAN_BENCH_POSTGRES, else
postgresql://postgres@127.0.0.1:5432/postgres; created and dropped):

- migrate: `jembatan migrate` on an empty database, from start to exit: peak RSS and CPU time
  (the kernel's account of the child: getrusage via wait4).
- discord, slack: a program with `--members` people (set up and joined through the services,
  before the process starts), then the real process against the test suite's fake platform,
  ticking every 5 s (the most often it may). Measured: a quiet window of `--idle` seconds once
  it is up, then from an admin's `round now` (over the gateway; a signed slash command) until
  every intro is delivered (Discord: a private thread, its members, the intro; Slack: a group
  DM and the intro), sends paced `--interval` s apart (the platforms' real pacing is slower:
  the same work, spread thinner).

CPU is in millicores, as Kubernetes counts (1000m: one core busy for the whole window); RSS in
MiB; "peak" is the kernel's high-water mark of the process's resident memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # for tests/ (the fakes and the harness); PYTHONPATH still comes first

from bench.ack_load import DEFAULT_SERVER, cpu_seconds, rss_mib, vm_mib
from bot.domain.model import Platform as Kind
from bot.domain.model import TenantRef
from tests.databases import admin_execute
from tests.e2e.harness import (
    DB_POLL,
    SLACK_READY,
    FakeDiscordServer,
    FakeSlackServer,
    Jembatan,
    SlackClient,
    Timeout,
    discord_process,
    postgres_database,
    query,
    slack_process,
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


async def _populate(
    database_url: str, tenant: TenantRef, channel: str, admin: str, people: list[str]
) -> None:
    """A program and its members, written through the services as the commands would."""
    from bot import commands as c
    from bot.app import build
    from bot.services.dispatch import handle
    from bot.settings import Settings
    from tests.fakes import FakeDirectory, FakeMessenger

    app = build(Settings(database_url=database_url), FakeMessenger(), FakeDirectory())
    try:

        def actor(user: str, is_admin: bool = False) -> c.Actor:
            return c.Actor(tenant, user, channel, is_platform_admin=is_admin)

        # Scheduled days ahead: no round falls due by itself while this runs.
        weekday = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
        setup = c.SetupProgram(cadence="weekly", weekday=weekday, time="09:00", timezone="UTC")
        await handle(app.deps, actor(admin, True), setup)
        for i, user in enumerate(people):
            await handle(app.deps, actor(user), c.Join(DIVISIONS[i % len(DIVISIONS)]))
    finally:
        await app.close()


@contextlib.contextmanager
def _stopped_on_failure(process: Jembatan) -> Iterator[None]:
    """A process that did not come up is not left running (nobody else holds it yet)."""
    try:
        yield
    except BaseException:
        process.close()
        raise


class Platform:
    """How to start one platform's process against its fake and have an admin start a round."""

    name = ""
    tenant: TenantRef
    channel: str
    admin: str

    def people(self, count: int) -> list[str]:
        raise NotImplementedError

    def process(self, url: str, env: dict[str, str]) -> Jembatan:
        raise NotImplementedError

    def round_now(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class DiscordSide(Platform):
    name = "discord"
    ADMIN = 500000000000000001

    def __init__(self) -> None:
        self.fake = FakeDiscordServer()
        guild, channel = self.fake.call(lambda f: (str(f.guild_id), str(f.program_channel)))
        self.tenant, self.channel, self.admin = TenantRef(Kind.DISCORD, guild), channel, str(self.ADMIN)

    def people(self, count: int) -> list[str]:
        ids = [600000000000000000 + i for i in range(count)]
        self.fake.call(lambda f: [f.add_member(user) for user in ids])  # so the round finds them
        return [str(user) for user in ids]

    def process(self, url: str, env: dict[str, str]) -> Jembatan:
        process = discord_process(self.fake, url, extra_env=env)
        with _stopped_on_failure(process.start()):
            self.fake.connected(1)
        return process

    def round_now(self) -> str:
        from tests.adapters.discord.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Person

        admin = Person(self.ADMIN, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
        return self.fake.slash(admin, "round-now", within=120).text

    def close(self) -> None:
        self.fake.close()


class SlackSide(Platform):
    name = "slack (HTTP mode)"

    def __init__(self) -> None:
        self.fake = FakeSlackServer()
        self.admin, self.channel = "U0ADMIN", "C0PAIRS"
        self.fake.add_user(self.admin, "Admin", admin=True)
        self.tenant = TenantRef(Kind.SLACK, self.fake.fake.team_id)
        self.client: SlackClient | None = None

    def people(self, count: int) -> list[str]:
        ids = [f"U{i:06d}" for i in range(count)]
        for user in ids:
            self.fake.add_user(user, user.lower())
        return ids

    def process(self, url: str, env: dict[str, str]) -> Jembatan:
        process, base = slack_process(self.fake, url, extra_env=env)
        with _stopped_on_failure(process.start()):
            process.wait_log(SLACK_READY)
        self.client = SlackClient(self.fake, base)
        return process

    def round_now(self) -> str:
        assert self.client is not None
        return str(self.client.command(self.admin, "round now", self.channel, within=120)["text"])

    def close(self) -> None:
        self.fake.close()


def measure_round(args: argparse.Namespace, side: Platform) -> list[str]:
    """The process idle, then from an admin's "round now" until every intro is delivered."""
    lines = []
    try:
        with postgres_database(args.postgres) as url:
            asyncio.run(_populate(url, side.tenant, side.channel, side.admin, side.people(args.members)))
            env = {"JEMBATAN_SEND_INTERVAL": str(args.interval)}  # logs at INFO, as by default
            process = side.process(url, env)
            try:
                idle = Sampler(process.pid, "idle")
                time.sleep(args.idle)
                windows = [idle.end()]
                busy = Sampler(process.pid, f"round of {args.members} members")
                said = side.round_now()
                assert "Round started" in said, said

                def delivered() -> bool:
                    left = query(url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
                    return left == [(0,)]

                with contextlib.suppress(Timeout):  # --most: the round made, part of it sent
                    wait_until(delivered, args.most, "the round delivered", every=DB_POLL)
                windows.append(busy.end())
                statuses = dict(query(url, "SELECT status, count(*) FROM outbox GROUP BY status"))
                peak = vm_mib(process.pid, "VmHWM")
                lines.append(f"{side.name}: {said.splitlines()[0]} outbox rows by status: {statuses}")
                lines.append(
                    f"{side.name} ({args.members} members, sends {args.interval} s apart): "
                    + " | ".join(map(str, windows))
                    + f" | peak RSS (VmHWM) {peak:.0f} MiB"
                )
            finally:
                code = process.stop()
                tracebacks = len(process.logged("Traceback"))
                lines.append(f"{side.name} exit status {code}, tracebacks in its log: {tracebacks}")
    finally:
        side.close()
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
    parser.add_argument(
        "--most", type=float, default=1800.0, help="seconds a round is measured at most (then: what was sent)"
    )
    parser.add_argument("--platforms", nargs="+", choices=("discord", "slack"), default=["discord", "slack"])
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
    for side in (DiscordSide, SlackSide):
        if side.name.split()[0] in args.platforms:
            for line in measure_round(args, side()):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
