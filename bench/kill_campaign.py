"""Kill -9 campaign: the real `jembatan run slack|discord` against the local fake platform, a
round of N groups queued, SIGKILLed at random moments and restarted until the outbox is drained.

    PYTHONPATH=. python bench/kill_campaign.py                      # both platforms, 500 groups, 20 kills
    PYTHONPATH=. python bench/kill_campaign.py --platform slack --groups 100 --kills 10
    PYTHONPATH=. python bench/kill_campaign.py --quick              # 30 groups, 4 kills, 0.1 s pacing

Prints, per platform: intros lost, duplicate messages (and on Discord duplicate threads), the
kills that landed while a post was on its way (the platform had it, the database did not yet),
and the campaign's time against the same round sent without kills at the same pacing, measured
in the same run (`--baseline estimate` uses rows × pacing instead, to save the time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from bot import commands as c
from bot.app import build, upgrade
from bot.domain.model import Platform, TenantRef
from bot.services.dispatch import handle
from bot.settings import Settings
from bot.store.db import create_engine
from tests.adapters.discord.fake_discord import TOKEN as DISCORD_TOKEN
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack
from tests.databases import admin_execute
from tests.fakes import FakeDirectory, FakeMessenger

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DIVISIONS = ("Sales", "Finance", "Legal", "Ops")
ADMIN = "U0ADMIN"
STUCK_AFTER = 600.0  # seconds without progress: something is wrong, stop


@dataclass
class Result:
    platform: str
    groups: int
    rows: int
    kills: int = 0
    kills_during_post: int = 0
    kills_before_record: int = 0  # Discord: a thread made, not yet recorded
    lost: int = 0
    failed: int = 0
    duplicates: int = 0
    duplicate_threads: int = 0
    seconds: float = 0.0
    starts: int = 0
    skipped_run_warnings: int = 0
    notes: list[str] = field(default_factory=list)


class Trap:
    """Kills the bot right after the fake platform has handled a request of the armed kind, before
    the answer reaches the bot: the platform has the post (or the thread), our database not."""

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.sprung = asyncio.Event()

    def arm(self, pattern: str, process: asyncio.subprocess.Process) -> None:
        self.pattern, self.process = re.compile(pattern), process
        self.sprung.clear()

    def disarm(self) -> None:
        self.pattern = self.process = None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if (
            self.pattern is not None
            and self.process is not None
            and request.method == "POST"
            and self.pattern.search(request.path)
            and self.process.returncode is None
        ):
            self.process.send_signal(signal.SIGKILL)
            self.disarm()
            self.sprung.set()
        return response


class Platform_:
    """One fake platform in this process, and how to start the real bot against it."""

    name: str
    tenant: TenantRef
    channel: str
    trap: Trap
    # The requests a kill may follow: a post, and opening the group's conversation.
    posts: str
    opens: str

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    def users(self, count: int) -> list[str]: ...
    def command(self) -> list[str]: ...
    def env(self, database_url: str) -> dict[str, str]: ...
    def delivered(self) -> Counter[str]:
        """Outbox keys (jb<row id>) of the messages the platform shows, each with how many times."""
        ...

    def threads(self) -> Counter[str]:
        return Counter()


class Slack(Platform_):
    name = "slack"
    posts = r"/api/chat\.postMessage$"
    opens = r"/api/conversations\.open$"

    def __init__(self) -> None:
        self.trap = Trap()
        self.fake = FakeSlack()
        self.tenant = TenantRef(Platform.SLACK, self.fake.team_id)
        self.channel = "C0PAIRS"
        self._runner: web.AppRunner | None = None
        self.port = _free_port()

    async def start(self) -> None:
        app = self.fake.app()
        app.middlewares.append(self.trap.middleware)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.fake.base_url = f"http://127.0.0.1:{port}"
        self.fake.add_user(ADMIN, "Admin", admin=True)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def users(self, count: int) -> list[str]:
        ids = [f"U{i:06d}" for i in range(count)]
        for user in ids:
            self.fake.add_user(user, user.lower())
        return ids

    def command(self) -> list[str]:
        return ["run", "slack", "--mode", "http", "--port", str(self.port)]

    def env(self, database_url: str) -> dict[str, str]:
        return {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": self.fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.fake.base_url + "/api/",
        }

    def delivered(self) -> Counter[str]:
        keys: Counter[str] = Counter()
        for call in self.fake.called("chat.postMessage"):
            metadata = call.args.get("metadata") or {}
            key = (metadata.get("event_payload") or {}).get("key") if isinstance(metadata, dict) else None
            if key:
                keys[key] += 1
        return keys


class Discord(Platform_):
    name = "discord"
    posts = r"/channels/\d+/messages$"
    opens = r"/channels/\d+/threads$"

    def __init__(self) -> None:
        self.trap = Trap()
        self.fake = FakeDiscord()
        self.fake.middlewares.append(self.trap.middleware)
        self.tenant = TenantRef(Platform.DISCORD, str(self.fake.guild_id))
        self.channel = str(self.fake.program_channel)

    async def start(self) -> None:
        await self.fake.start()

    async def close(self) -> None:
        await self.fake.close()

    def users(self, count: int) -> list[str]:
        return [str(600000000000000000 + i) for i in range(count)]

    def command(self) -> list[str]:
        return ["run", "discord"]

    def env(self, database_url: str) -> dict[str, str]:
        return {
            "DATABASE_URL": database_url,
            "DISCORD_TOKEN": DISCORD_TOKEN,
            "DISCORD_API_URL": self.fake.api_url,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
        }

    def delivered(self) -> Counter[str]:
        # What Discord shows: a resend with the same enforced nonce came back as the first message.
        return Counter(m["nonce"] for posts in self.fake.messages.values() for m in posts if m.get("nonce"))

    def threads(self) -> Counter[str]:
        return Counter(t["name"] for t in self.fake.threads())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def queue_round(platform: Platform_, database_url: str, groups: int) -> None:
    """A program, 2 × groups members and a round started now: its intros wait in the outbox."""
    await upgrade(database_url)
    app = build(Settings(database_url=database_url), FakeMessenger(), FakeDirectory())
    try:

        def actor(user: str, admin: bool = False) -> c.Actor:
            return c.Actor(platform.tenant, user, platform.channel, is_platform_admin=admin)

        # Scheduled three days from now: no scheduled round is due, or recent enough to be
        # caught up, while the campaign runs; only the round started below is sent.
        weekday = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
        setup = c.SetupProgram(cadence="weekly", weekday=weekday, time="09:00", timezone="UTC")
        await handle(app.deps, actor(ADMIN, True), setup)
        for i, user in enumerate(platform.users(2 * groups)):
            await handle(app.deps, actor(user), c.Join(DIVISIONS[i % len(DIVISIONS)]))
        await handle(app.deps, actor(ADMIN, True), c.RunRoundNow())
    finally:
        await app.close()


class Outbox:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)

    async def rows(self) -> list[tuple[int, str, str]]:
        async with self.engine.connect() as conn:
            result = await conn.execute(text("SELECT id, dedupe_key, status FROM outbox ORDER BY id"))
            return [(int(i), str(k), str(s)) for i, k, s in result]

    async def left(self) -> int:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
            )
            return int(result.scalar_one())

    async def recorded_threads(self) -> set[str]:
        async with self.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT conversation_id FROM groups WHERE conversation_id IS NOT NULL")
            )
            return {str(r[0]) for r in result}

    async def close(self) -> None:
        await self.engine.dispose()


async def campaign(
    make: Callable[[], Platform_],
    *,
    groups: int,
    kills: int,
    interval: float,
    seed: int,
    workdir: Path,
    log: Callable[[str], None] = print,
    postgres: str | None = None,
    modes: tuple[str, ...] = (),
) -> Result:
    """One campaign. `modes` fixes how each kill comes, in turn ("moment", "post", "open",
    "start-up"); by default each is drawn at random."""
    platform = make()
    await platform.start()
    database_url = f"sqlite:///{workdir / f'{platform.name}-{kills}.db'}"
    dropping: str | None = None
    if postgres:  # a database of its own on that server, dropped at the end
        name = f"jembatan_kill_{uuid.uuid4().hex[:10]}"
        await admin_execute(postgres, f'CREATE DATABASE "{name}"')
        database_url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
        dropping = name
    outbox: Outbox | None = None
    try:
        await queue_round(platform, database_url, groups)
        outbox = Outbox(database_url)
        result = Result(platform.name, groups, rows=len(await outbox.rows()))
        result.seconds, result.starts = await _run_until_drained(
            platform,
            outbox,
            database_url,
            result,
            kills=kills,
            interval=interval,
            seed=seed,
            logfile=workdir / f"{platform.name}-{kills}.log",
            log=log,
            modes=modes,
        )
        await _count(platform, outbox, result)
        text_log = (workdir / f"{platform.name}-{kills}.log").read_text(errors="replace")
        result.skipped_run_warnings = text_log.count("maximum number of running instances")
        return result
    finally:
        if outbox is not None:
            await outbox.close()
        await platform.close()
        if postgres and dropping:
            await admin_execute(postgres, f'DROP DATABASE IF EXISTS "{dropping}" WITH (FORCE)')


async def _run_until_drained(
    platform: Platform_,
    outbox: Outbox,
    database_url: str,
    result: Result,
    *,
    kills: int,
    interval: float,
    seed: int,
    logfile: Path,
    log: Callable[[str], None],
    modes: tuple[str, ...],
) -> tuple[float, int]:
    rng = random.Random(seed)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DATABASE_URL"))}
    env |= platform.env(database_url) | {"JEMBATAN_SEND_INTERVAL": str(interval), "LOG_LEVEL": "INFO"}
    watch = _Watch(
        platform, outbox, result, rng, kills=kills, interval=interval, logfile=logfile, log=log, modes=modes
    )
    watch.last_left = await outbox.left()
    starts = 0
    with logfile.open("ab") as sink:
        while True:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.cli", *platform.command(), env=env, stdout=sink, stderr=sink
            )
            starts += 1
            try:
                drained_after = await watch.one_start(process)
            finally:
                if process.returncode is None:  # the campaign itself failed or was interrupted
                    process.kill()
                    await process.wait()
            if drained_after is not None:
                return drained_after, starts


class _Watch:
    """Watches one start of the process: kills it at a random moment, or sees the outbox drained."""

    def __init__(
        self,
        platform: Platform_,
        outbox: Outbox,
        result: Result,
        rng: random.Random,
        *,
        kills: int,
        interval: float,
        logfile: Path,
        log: Callable[[str], None],
        modes: tuple[str, ...] = (),
    ) -> None:
        self.platform, self.outbox, self.result, self.rng = platform, outbox, result, rng
        self.kills, self.interval, self.logfile, self.log = kills, interval, logfile, log
        self.modes = modes
        self.started = self.last_progress = time.monotonic()
        self.last_left = 0

    async def one_start(self, process: asyncio.subprocess.Process) -> float | None:
        """Seconds since the campaign began when the outbox drained; None after a kill."""
        result, rng, name = self.result, self.rng, self.platform.name
        kill_at: float | None = None
        kill_after: int | None = None  # rows sent by this start
        trap: str | None = None
        at_start = await self.outbox.left()
        if result.kills < self.kills:
            # Spread what kills remain over the rows that remain, at random: after some rows,
            # at a random moment within the next send and its pacing; or right after the
            # platform took a post or made the group's conversation (the worst moments); or at
            # a random moment of the start-up.
            mode = (
                self.modes[result.kills % len(self.modes)]
                if self.modes
                else rng.choice(("moment", "moment", "post", "post", "open", "start-up"))
            )
            if mode == "start-up":
                kill_at = time.monotonic() + rng.uniform(0.0, 3.0)
            else:
                kill_after = rng.randint(1, max(1, 2 * at_start // (self.kills - result.kills + 1) - 1))
                trap = {"post": self.platform.posts, "open": self.platform.opens}.get(mode)
        while True:
            await asyncio.sleep(0.05)
            left = await self.outbox.left()
            now = time.monotonic()
            if left != self.last_left:
                self.last_progress, self.last_left = now, left
            if left == 0:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 60)
                return now - self.started
            if now - self.last_progress > STUCK_AFTER:
                raise RuntimeError(f"{name}: no progress for {STUCK_AFTER:.0f} s; see {self.logfile}")
            if process.returncode is not None and not self.platform.trap.sprung.is_set():
                raise RuntimeError(f"{name}: the process exited by itself; see {self.logfile}")
            if kill_after is not None and at_start - left >= kill_after:
                if trap is None:
                    kill_at = now + rng.uniform(0.0, self.interval + 0.05)
                else:
                    self.platform.trap.arm(trap, process)
                kill_after = None
            if self.platform.trap.sprung.is_set() or (kill_at is not None and now >= kill_at):
                self.platform.trap.disarm()
                self.platform.trap.sprung.clear()
                if process.returncode is None:
                    process.send_signal(signal.SIGKILL)
                await process.wait()
                result.kills += 1
                await _inspect_kill(self.platform, self.outbox, result)
                at = now - self.started
                self.log(f"  {name}: kill {result.kills}/{self.kills} at {at:6.1f} s, {left} rows left")
                return None


async def _inspect_kill(platform: Platform_, outbox: Outbox, result: Result) -> None:
    """Did this kill land while a post was on its way (the platform shows it, our row is not
    yet `sent`), or between making a thread and recording it?"""
    sent = {f"jb{i}" for i, _, status in await outbox.rows() if status == "sent"}
    if set(platform.delivered()) - sent:
        result.kills_during_post += 1  # the platform took a post the database does not show sent
    if isinstance(platform, Discord):
        made = {t["id"] for t in platform.fake.threads()}
        if made - await outbox.recorded_threads():
            result.kills_before_record += 1


async def _count(platform: Platform_, outbox: Outbox, result: Result) -> None:
    delivered = platform.delivered()
    rows = await outbox.rows()
    intros = [f"jb{i}" for i, key, _ in rows if key.startswith("intro:")]
    result.lost = sum(1 for key in intros if key not in delivered)
    result.failed = sum(1 for _, _, status in rows if status == "failed")
    result.duplicates = sum(n - 1 for n in delivered.values())
    result.duplicate_threads = sum(n - 1 for n in platform.threads().values())
    missing = sum(1 for i, _, _ in rows if f"jb{i}" not in delivered)
    if missing != result.lost:
        result.notes.append(f"{missing - result.lost} non-intro row(s) not delivered")


def report(result: Result, baseline: float, how: str) -> str:
    lines = [
        f"{result.platform}: {result.groups} groups ({result.rows} outbox rows), "
        f"{result.kills} kills, {result.starts} starts",
        f"  intros lost:            {result.lost}   (rows failed: {result.failed})",
        f"  duplicate messages:     {result.duplicates}   "
        f"(kills that landed during a post: {result.kills_during_post})",
    ]
    if result.platform == "discord":
        lines.append(
            f"  duplicate threads:      {result.duplicate_threads}   "
            f"(kills between making a thread and recording it: {result.kills_before_record})"
        )
    ratio = result.seconds / baseline if baseline else float("nan")
    lines += [
        f"  total time:             {result.seconds:7.1f} s",
        f"  sends alone ({how}): {baseline:7.1f} s   → {ratio:.2f}×",
        f"  'skipped: maximum number of running instances' lines logged: {result.skipped_run_warnings}",
    ]
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


PLATFORMS: dict[str, Callable[[], Platform_]] = {"slack": Slack, "discord": Discord}


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--platform", choices=("slack", "discord", "both"), default="both")
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.2, help="seconds between sends (Slack's pacing)")
    parser.add_argument("--baseline", choices=("measure", "estimate"), default="measure")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server to make a database on (default: a SQLite file)"
    )
    parser.add_argument("--quick", action="store_true", help="30 groups, 4 kills, 0.1 s pacing")
    args = parser.parse_args(argv)
    if args.quick:
        args.groups, args.kills, args.interval = 30, 4, 0.1
    names = ["slack", "discord"] if args.platform == "both" else [args.platform]
    failed = False
    with tempfile.TemporaryDirectory(prefix="jembatan-kill-") as folder:
        workdir = Path(folder)
        for name in names:
            where = "PostgreSQL" if args.postgres else "SQLite"
            print(
                f"{name}: {args.groups} groups, {args.kills} kills, {args.interval} s pacing, on {where}",
                flush=True,
            )
            if args.baseline == "measure":
                clean = await campaign(
                    PLATFORMS[name],
                    groups=args.groups,
                    kills=0,
                    interval=args.interval,
                    seed=args.seed,
                    workdir=workdir,
                    postgres=args.postgres,
                )
                baseline, how = clean.seconds, "measured"
                print(f"  {name}: without kills the round took {baseline:.1f} s", flush=True)
            result = await campaign(
                PLATFORMS[name],
                groups=args.groups,
                kills=args.kills,
                interval=args.interval,
                seed=args.seed,
                workdir=workdir,
                log=lambda line: print(line, flush=True),
                postgres=args.postgres,
            )
            if args.baseline == "estimate":
                baseline, how = result.rows * args.interval, "rows × pacing"
            print(report(result, baseline, how), flush=True)
            bound = result.kills_during_post if name == "slack" else 0
            if result.lost or result.duplicates > bound or result.duplicate_threads:
                failed = True
    return 1 if failed else 0


def run(argv: list[str] | None = None) -> int:
    return asyncio.run(main(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(run())
