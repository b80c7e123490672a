"""Bursts of signed slash commands at the real Slack HTTP app: how fast is each acknowledged,
and is every acknowledged command done, once?

    python bench/ack_load.py --replicas 3       # 20,000 commands from 50 clients over 3 processes
    python bench/ack_load.py                    # the same at one process
    python bench/ack_load.py --quick            # 2,000 from 50
    python bench/ack_load.py --sustained        # the highest steady rate with answers p95 < 1 s
    python bench/ack_load.py --sqlite           # the same on a SQLite file

Starts `--replicas` real `jembatan run slack --mode http` processes (or, with --in-process, the
same aiohttp app inside this one) on one fresh PostgreSQL database (on --postgres, else
JEMBATAN_BENCH_POSTGRES, else postgresql://postgres@127.0.0.1:5432/postgres; it is created and
dropped), against the fake Slack of the test suite, and spreads the commands over them
round-robin, as a load balancer would. Each workspace gets a program first; then every command is a `join`,
`status` or `interests` typed by one of many people, spread over the workspaces.

Per command, from the outside, as a person would see it:
- ack: the time from sending the request to having its HTTP answer (Slack wants it within 3 s)
- acked: HTTP 200 with an empty body (Slack shows nothing yet; the answer comes by response_url)
- told busy: HTTP 200 whose body says "busy, try again" (shown at once; nothing was done)
- answered: the reply reached the command's response_url (latency from the moment it was sent)
- lost: acked but never answered, or its delivery id (trigger_id) not recorded (must be 0)
- executed twice: answered more than once (must be 0)
and from the database: each acknowledged command's delivery id is recorded once, in the same
transaction as its effect (bot/services/dispatch.py), and no busy one's is. Beside the ack seen
from outside, each process's own view of it: its jembatan_ack_seconds histogram (/metrics),
from the request reaching its handler to the acknowledgement, read before and after the burst.

In the same run (unless --no-bare), the same burst goes to as many bare slack-bolt apps that
only acknowledge (bench/bare_bolt.py, each a process of its own), and the ack percentiles are
shown as the ratio Jembatan / bare. The burst is cut into `--rounds` parts sent to Jembatan and
to the bare apps in turn (J B, B J, J B, …): on a machine shared with other work, which comes
and goes, both meet the same conditions.

The CPU and resident memory (RSS) of each Jembatan process are sampled from /proc: idle (a
quiet window after the set-up), under the burst (until every answer came), and the peak (the
kernel's high-water mark, VmHWM); deploy/README.md takes its resource requests from them.

To compare with another checkout, run this file with that checkout first on PYTHONPATH
(the server process inherits it): `PYTHONPATH=/work/main python bench/ack_load.py --quick`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # for tests.adapters.slack.fake_slack; PYTHONPATH still comes first

from tests.adapters.slack.fake_slack import FakeSlack
from tests.databases import admin_execute

SECRET = "bench-signing-secret-0123456789abcdef"
ADMIN = "U0ADMIN"
CHANNEL = "C0PAIRS"
TEXTS = ("join Sales", "status", "interests climbing, jazz")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class TimedFake(FakeSlack):
    """The test suite's fake Slack, noting when each response_url answer arrived."""

    answered: dict[str, list[float]]

    def __post_init__(self) -> None:
        super().__post_init__()
        self.answered = {}

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        self.answered.setdefault(request.match_info["name"], []).append(time.monotonic())
        return web.Response(text="ok", content_type="text/plain")

    async def _api(self, request: web.Request) -> web.Response:
        response = await super()._api(request)
        self.calls.clear()  # 20,000 commands' worth of recorded calls would only cost memory here
        return response


@dataclass
class Sent:
    at: float
    replied: float = 0.0  # when the HTTP answer (the acknowledgement) had been read
    status: int = 0  # 0: no HTTP answer at all
    busy: bool = False

    @property
    def ack(self) -> float | None:
        return self.replied - self.at if self.status else None


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Acks:
    """The acknowledgements of a burst: their latencies and HTTP statuses."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies, default=float("nan")) * 1000

    def line(self) -> str:
        statuses = ", ".join(f"{status or 'none'} ×{n}" for status, n in sorted(self.statuses.items()))
        return (
            f"ack ms p50 {self.ms(50):.0f} p95 {self.ms(95):.0f} p99 {self.ms(99):.0f} "
            f"max {self.max_ms:.0f} | "
            f"HTTP {statuses}; 5xx {self.server_errors}"
        )


def acks_of(sent: Sequence[Sent]) -> Acks:
    out = Acks()
    for one in sent:
        out.statuses[one.status] += 1
        if one.ack is not None:
            out.latencies.append(one.ack)
    return out


@dataclass
class Outcome:
    sent: int = 0
    acked: int = 0
    busy: int = 0
    refused: int = 0  # not a 200 at all (or no answer to the request)
    answered: int = 0
    lost: int = 0
    twice: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    acks: Acks = field(default_factory=Acks)
    recorded: Counter[int] | None = None  # acked commands by how often their delivery id is recorded
    busy_recorded: int = 0  # told busy, yet recorded as done (must be 0)

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def sign(body: bytes, stamp: str) -> str:
    return (
        "v0=" + hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def vm_mib(pid: int, key: str) -> float:
    """A `Vm…` line of /proc/<pid>/status, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> str:
    """The machine's 1-minute load average: other work on a shared machine shows in every figure."""
    return f"{os.getloadavg()[0]:.1f}"


def rss_mib(pid: int) -> float:
    return vm_mib(pid, "VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (fields 14 and 15 of /proc/<pid>/stat)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS


@dataclass
class Phase:
    """One process's CPU (in millicores, as Kubernetes counts) and RSS over a stretch of the run,
    or over several stretches of the same name put together."""

    name: str
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds used
    rss_max: float = 0.0

    @property
    def millicores(self) -> float:
        return 1000 * self.cpu / self.seconds if self.seconds else float("nan")


class Meter:
    """Samples the CPU time and RSS of processes from /proc, phase by phase."""

    EVERY = 0.25

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.phases: dict[int, dict[str, Phase]] = {pid: {} for pid in self.pids}
        self._task: asyncio.Task[None] | None = None
        self._name = ""
        self._began = 0.0
        self._cpu: dict[int, float] = {}
        self._rss: dict[int, float] = {}

    def begin(self, name: str) -> None:
        self._name, self._began = name, time.monotonic()
        self._cpu = {pid: cpu_seconds(pid) for pid in self.pids}
        self._rss = {pid: rss_mib(pid) for pid in self.pids}
        self._task = asyncio.ensure_future(self._sample())

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(self.EVERY)
            for pid in self.pids:
                self._rss[pid] = max(self._rss[pid], rss_mib(pid))

    async def end(self) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        seconds = time.monotonic() - self._began
        for pid in self.pids:
            phase = self.phases[pid].setdefault(self._name, Phase(self._name))
            phase.seconds += seconds
            phase.cpu += cpu_seconds(pid) - self._cpu[pid]
            phase.rss_max = max(phase.rss_max, self._rss[pid], rss_mib(pid))

    def lines(self, names: dict[int, str]) -> list[str]:
        out = []
        for pid in self.pids:
            parts = [
                f"{p.name} {p.seconds:.0f} s: CPU {p.millicores:.0f}m, RSS max {p.rss_max:.0f} MiB"
                for p in self.phases[pid].values()
            ]
            out.append(
                f"  {names[pid]}: "
                + " | ".join(parts)
                + f" | peak RSS (VmHWM) {vm_mib(pid, 'VmHWM'):.0f} MiB"
            )
        return out


ACK_BUCKET = 'jembatan_ack_seconds_bucket{le="'
SLACK_LABEL = 'platform="slack"'


async def ack_buckets(servers: Sequence[Server]) -> Counter[float]:
    """jembatan_ack_seconds (Slack), summed over the processes: cumulative count by upper bound.
    The process's own view: from the request's arrival at its handler to the acknowledgement."""
    total: Counter[float] = Counter()
    async with aiohttp.ClientSession() as http:
        for server in servers:
            async with http.get(f"http://127.0.0.1:{server.health}/metrics") as response:
                for line in (await response.text()).splitlines():
                    if line.startswith("jembatan_ack_seconds_bucket") and SLACK_LABEL in line:
                        bound = line.split('le="', 1)[1].split('"', 1)[0]
                        total[float(bound)] += int(float(line.rsplit(" ", 1)[1]))
    return total


def bucket_line(before: Counter[float], after: Counter[float]) -> str:
    """Percentiles of the burst's share of the histogram, as the bucket each falls in."""
    counts = {bound: after[bound] - before[bound] for bound in sorted(after)}
    everything = counts.get(float("inf"), 0)
    if not everything:
        return "no acknowledgement counted"

    def within(p: float) -> str:
        bound = next(b for b, n in counts.items() if n >= p / 100 * everything)
        return "over 5 s" if bound == float("inf") else f"≤ {bound * 1000:.0f}"

    return " ".join(f"p{p} {within(p)}" for p in (50, 95, 99)) + f" ms ({everything} counted)"


class Load:
    def __init__(self, fake: TimedFake, urls: Sequence[str], workspaces: int, people: int) -> None:
        self.fake = fake
        self.urls = list(urls)
        self.workspaces = workspaces
        self.people = people
        self.run = uuid.uuid4().hex[:6]
        self._ids = itertools.count()
        self.sent: dict[str, Sent] = {}

    def team(self, n: int) -> str:
        return f"T{n:04d}"

    def trigger(self, name: str) -> str:
        return f"trig-{name}"

    async def slash(self, http: aiohttp.ClientSession, team: str, user: str, text: str) -> str:
        n = next(self._ids)
        name = f"{self.run}-{n}"
        fields = {
            "token": "legacy",
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": CHANNEL,
            "channel_name": "pairs",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/jembatan",
            "text": text,
            "api_app_id": "A0JEMBATAN",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(name),
            "trigger_id": self.trigger(name),
        }
        body = urlencode(fields).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, stamp),
        }
        url = self.urls[n % len(self.urls)]  # round-robin, as a load balancer spreads them
        sent = self.sent[name] = Sent(time.monotonic())
        try:
            async with http.post(url + "/slack/events", data=body, headers=headers) as response:
                text_back = await response.text()
                sent.replied = time.monotonic()
                sent.status = response.status
                sent.busy = response.status == 200 and bool(text_back.strip()) and _says_something(text_back)
        except (aiohttp.ClientError, OSError, TimeoutError):
            sent.status = 0
        return name

    async def setup(self, http: aiohttp.ClientSession) -> None:
        names = [
            await self.slash(http, self.team(n), ADMIN, "setup weekly monday 09:00 tz=UTC")
            for n in range(self.workspaces)
        ]
        await self.settle(names, quiet=30.0)
        missing = [n for n in names if n not in self.fake.answered]
        if missing:
            raise SystemExit(f"set-up was not answered in {len(missing)} workspace(s)")

    def command(self, i: int) -> tuple[str, str, str]:
        return self.team(i % self.workspaces), f"U{i % self.people:05d}", TEXTS[i % len(TEXTS)]

    async def burst(self, commands: Sequence[int], clients: int) -> list[str]:
        """Closed loop: `clients` people each send their next command once the last is acked."""
        names: list[str] = []
        todo = iter(commands)
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as http:

            async def client() -> None:
                for i in todo:
                    names.append(await self.slash(http, *self.command(i)))

            await asyncio.gather(*(client() for _ in range(clients)))
        return names

    async def steady(self, rate: float, seconds: float) -> list[str]:
        """Open loop: a command every 1/rate seconds whatever the answers do, as people would."""
        names: list[str] = []
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as http:
            start = time.monotonic()
            tasks = []
            for i in range(int(rate * seconds)):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.ensure_future(self.slash(http, *self.command(i))))
            names = list(await asyncio.gather(*tasks))
        return names

    async def settle(self, names: Sequence[str], quiet: float = 10.0, most: float = 120.0) -> None:
        """Wait until every acknowledged command is answered, or nothing new came for `quiet` s."""
        started = last_change = time.monotonic()
        seen = -1
        while time.monotonic() - started < most:
            waiting = [n for n in names if self.sent[n].status == 200 and not self.sent[n].busy]
            have = sum(1 for n in waiting if n in self.fake.answered)
            if have == len(waiting):
                return
            if have != seen:
                seen, last_change = have, time.monotonic()
            elif time.monotonic() - last_change > quiet:
                return
            await asyncio.sleep(0.2)

    def outcome(
        self, names: Sequence[str], seconds: float, recorded: dict[str, int] | None = None
    ) -> Outcome:
        """What people saw; with `recorded` (trigger id → rows in inbound_deliveries), an
        acknowledged command whose delivery id is not recorded counts as lost too."""
        out = Outcome(sent=len(names), seconds=seconds, acks=acks_of([self.sent[n] for n in names]))
        if recorded is not None:
            out.recorded = Counter()
        for name in names:
            sent = self.sent[name]
            answers = self.fake.answered.get(name, [])
            rows = None if recorded is None else recorded.get(self.trigger(name), 0)
            if sent.status != 200:
                out.refused += 1
            elif sent.busy:
                out.busy += 1
                out.busy_recorded += bool(rows)
            else:
                out.acked += 1
                if out.recorded is not None:
                    out.recorded[rows or 0] += 1
                if answers:
                    out.answered += 1
                    out.latencies.append(answers[0] - sent.at)
                if not answers or rows == 0:
                    out.lost += 1
            if len(answers) > 1 or (rows or 0) > 1:
                out.twice += 1
        return out


def _says_something(body: str) -> bool:
    try:
        return bool(json.loads(body).get("text"))
    except (ValueError, AttributeError):
        return bool(body.strip())


async def start_fake() -> tuple[TimedFake, web.AppRunner]:
    fake = TimedFake()
    fake.add_user(ADMIN, "Admin", admin=True)
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.base_url = f"http://127.0.0.1:{port}"
    return fake, runner


async def database(args: argparse.Namespace, folder: Path) -> tuple[str, str | None]:
    """A fresh, migrated database: its URL, and the PostgreSQL name to drop afterwards."""
    from sqlalchemy.engine import make_url

    from bot.app import upgrade_sync

    if args.sqlite:
        url = f"sqlite:///{folder / 'bench.db'}"
        await asyncio.to_thread(upgrade_sync, url)
        return url, None
    name = f"jembatan_bench_{uuid.uuid4().hex[:8]}"
    await admin_execute(args.postgres, f'CREATE DATABASE "{name}"')
    url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade_sync, url)
    return url, name


async def recorded_deliveries(url: str, run: str) -> dict[str, int]:
    """How many times each of this run's trigger ids is recorded as a handled delivery."""
    from sqlalchemy import text

    from bot.store.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT delivery_id, count(*) FROM inbound_deliveries "
                    "WHERE delivery_id LIKE :run GROUP BY delivery_id"
                ),
                {"run": f"trig-{run}-%"},
            )
            return {str(trigger): int(n) for trigger, n in rows}
    finally:
        await engine.dispose()


def server_env(args: argparse.Namespace, fake: TimedFake, url: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url + "/api/",
        "LOG_LEVEL": "WARNING",
    }
    if args.queue_size:
        env["JEMBATAN_QUEUE_SIZE"] = str(args.queue_size)
    if args.workers:
        env["JEMBATAN_WORKERS"] = str(args.workers)
    return env


class Server:
    """The app under test: the real process, or (--in-process) the same aiohttp app in this one."""

    def __init__(
        self, args: argparse.Namespace, env: dict[str, str], log: Path, name: str = "jembatan"
    ) -> None:
        self.port = free_port()
        self.health = free_port()  # where /metrics is served (JEMBATAN_HEALTH_PORT)
        self.args, self.env, self.log, self.name = (
            args,
            {**env, "JEMBATAN_HEALTH_PORT": str(self.health)},
            log,
            name,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._inside: Any = None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else os.getpid()

    def command(self) -> list[str]:
        return [
            sys.executable,
            *(["-m", "cProfile", "-o", self.args.profile] if self.args.profile else []),
            "-m",
            "adapters.cli",
            "run",
            "slack",
            "--mode",
            "http",
            "--port",
            str(self.port),
        ]

    async def start(self) -> None:
        if self.args.in_process:
            await self._start_inside()
        else:
            with self.log.open("wb") as out:
                self.process = subprocess.Popen(  # noqa: ASYNC220 (starting it does not block)
                    self.command(),
                    env={**os.environ, **self.env},
                    cwd=self.log.parent,  # so PYTHONPATH alone says which checkout runs
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.process is not None and self.process.poll() is not None:
                    raise SystemExit(f"{self.name} stopped at start:\n{self.log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
        raise SystemExit(f"{self.name} did not answer /healthz within 60 s")

    async def _start_inside(self) -> None:
        from adapters.slack import wiring
        from adapters.slack.server import web_app
        from bot.settings import Settings

        settings = Settings.from_env(self.env)
        slack = wiring.assemble(settings)
        runner = web.AppRunner(web_app(slack.bolt, SECRET), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        self._inside = (slack, runner)

    def tracebacks(self) -> int:
        if not self.log.exists():
            return 0
        return sum(1 for line in self.log.read_text(errors="replace").splitlines() if "Traceback" in line)

    async def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._inside is not None:
            slack, runner = self._inside
            await runner.cleanup()
            await slack.close()
            self._inside = None


class BareServer(Server):
    """bench/bare_bolt.py: a slack-bolt AsyncApp on aiohttp that only acknowledges."""

    def command(self) -> list[str]:
        return [sys.executable, str(ROOT / "bench" / "bare_bolt.py"), "--port", str(self.port)]

    async def start(self) -> None:
        in_process, self.args.in_process = self.args.in_process, False
        try:
            await super().start()
        finally:
            self.args.in_process = in_process


def show(label: str, out: Outcome) -> None:
    ms = {p: out.percentile(p) * 1000 for p in (50, 95, 99)}
    top = max(out.latencies, default=float("nan")) * 1000
    print(
        f"{label}: sent {out.sent} in {out.seconds:.1f} s ({out.sent / max(out.seconds, 1e-9):.0f}/s) | "
        f"acked {out.acked}, answered {out.answered}, told busy {out.busy}, not 200 {out.refused}, "
        f"LOST {out.lost}, executed twice {out.twice} | answer ms p50 {ms[50]:.0f} p95 {ms[95]:.0f} "
        f"p99 {ms[99]:.0f} max {top:.0f}"
    )
    print(f"  {out.acks.line()}")
    if out.recorded is not None:
        once, never = out.recorded.get(1, 0), out.recorded.get(0, 0)
        print(
            f"  effects: {once} of {out.acked} acknowledged commands recorded once "
            f"(not recorded {never}, more than once {out.acked - once - never}); "
            f"told busy and recorded anyway {out.busy_recorded}"
        )


@dataclass
class Report:
    """What a burst run measured, for tests and for the README."""

    jembatan: Outcome
    bare: Acks | None = None
    tracebacks: int = 0
    meter: Meter | None = None

    def ratio(self, p: float) -> float:
        assert self.bare is not None
        return self.jembatan.acks.ms(p) / self.bare.ms(p)

    @property
    def failed(self) -> bool:
        out = self.jembatan
        return bool(out.lost or out.twice or out.busy_recorded or out.acks.server_errors)


def bare_servers(args: argparse.Namespace, fake: TimedFake, folder: Path) -> list[Server]:
    """As many bare Bolt apps as Jembatan has processes, for the same burst spread the same way."""
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url + "/api/",
        "LOG_LEVEL": "WARNING",
    }
    return [
        BareServer(args, env, folder / f"bare-{n + 1}.log", f"bare-{n + 1}") for n in range(args.replicas)
    ]


def chunks(total: int, parts: int) -> list[range]:
    size = -(-total // max(1, parts))
    return [range(start, min(total, start + size)) for start in range(0, total, size)]


@dataclass
class Side:
    """One app under the burst (Jembatan's processes or the bare ones): what it was sent."""

    load: Load
    names: list[str] = field(default_factory=list)
    seconds: float = 0.0  # spent sending (Jembatan's answers coming in after it not counted)


async def interleaved(
    args: argparse.Namespace, jembatan: Side, bare: Side | None, meter: Meter | None
) -> None:
    """The burst in `--rounds` parts, Jembatan's and the bare app's in turn (ABBA: J B, B J, …),
    so a shared machine's other work, which comes and goes, weighs on both alike. Each
    Jembatan part ends when its acknowledged commands are answered, before the next part."""

    async def jembatan_part(part: range) -> None:
        if meter is not None:
            meter.begin("under load")
        started = time.monotonic()
        names = await jembatan.load.burst(part, args.clients)
        jembatan.seconds += time.monotonic() - started
        await jembatan.load.settle(names)
        if meter is not None:
            await meter.end()
        jembatan.names.extend(names)

    async def bare_part(part: range) -> None:
        assert bare is not None
        started = time.monotonic()
        bare.names.extend(await bare.load.burst(part, args.clients))
        bare.seconds += time.monotonic() - started

    for n, part in enumerate(chunks(args.commands, args.rounds)):
        order = [jembatan_part, bare_part] if n % 2 == 0 else [bare_part, jembatan_part]
        for side in order:
            if side is bare_part and bare is None:
                continue
            await side(part)


async def run(args: argparse.Namespace) -> Report:
    folder = Path(tempfile.mkdtemp(prefix="jembatan-bench-"))
    fake, fake_runner = await start_fake()
    url, created = await database(args, folder)
    env = server_env(args, fake, url)
    servers = [
        Server(args, env, folder / f"server-{n + 1}.log", f"jembatan-{n + 1}") for n in range(args.replicas)
    ]
    comparing = args.bare and not args.sustained
    bares = bare_servers(args, fake, folder) if comparing else []
    report: Report | None = None
    try:
        await asyncio.gather(*(s.start() for s in [*servers, *bares]))
        load = Load(fake, [s.url for s in servers], args.workspaces, args.people)
        async with aiohttp.ClientSession() as http:
            await load.setup(http)
        bare = Side(Load(fake, [s.url for s in bares], args.workspaces, args.people)) if bares else None
        if bare is not None:
            await bare.load.burst(range(len(bares) * 2), 1)  # each asks auth.test once, before the clock
            bare.load.sent.clear()
        pids = [s.pid for s in servers]
        names_of = {s.pid: s.name for s in servers}
        rss_before = [rss_mib(pid) for pid in pids]
        print(
            f"backend {'sqlite' if args.sqlite else 'postgresql'}, "
            f"{'in-process' if args.in_process else f'{args.replicas} server process(es)'}, "
            f"{args.workspaces} workspace(s), {args.people} people, {os.cpu_count()} CPUs, "
            f"load average {load_average()}; "
            f"RSS before {', '.join(f'{r:.0f}' for r in rss_before)} MiB",
            flush=True,
        )
        meter = Meter(pids) if not args.in_process else None
        if meter is not None and args.idle > 0:
            meter.begin("idle")
            await asyncio.sleep(args.idle)
            await meter.end()
        if args.sustained:
            best = 0.0
            for rate in args.rates:
                started = time.monotonic()
                names = await load.steady(rate, args.seconds)
                await load.settle(names)
                out = load.outcome(names, time.monotonic() - started)
                show(f"steady {rate:>5.0f}/s", out)
                if out.lost or out.busy or out.refused or out.percentile(95) >= 1.0:
                    break
                best = rate
            print(f"highest steady rate with answers p95 < 1 s: {best:.0f} commands/s")
            report = Report(out)
        else:
            jembatan = Side(load)
            histogram = await ack_buckets(servers) if not args.in_process else None
            await interleaved(args, jembatan, bare, meter)
            recorded = await recorded_deliveries(url, load.run)
            report = Report(load.outcome(jembatan.names, jembatan.seconds, recorded), meter=meter)
            show(
                f"burst {args.commands} from {args.clients} clients over {len(servers)} process(es)",
                report.jembatan,
            )
            if histogram is not None:
                inside = bucket_line(histogram, await ack_buckets(servers))
                print(f"  ack inside the processes (their jembatan_ack_seconds histogram): {inside}")
        print(f"RSS after {', '.join(f'{rss_mib(pid):.0f}' for pid in pids)} MiB", flush=True)
        if meter is not None:
            print("resources per process (CPU in millicores: 1000m is one core busy):")
            print("\n".join(meter.lines(names_of)))
        report.tracebacks = sum(s.tracebacks() for s in servers)
        print(f"tracebacks in the server logs: {report.tracebacks}", flush=True)
        if bare is not None:
            report.bare = acks_of([bare.load.sent[n] for n in bare.names])
            print(
                f"bare Bolt app that only acks, the same burst over {len(bares)} process(es), in turn "
                f"with Jembatan's in {args.rounds} parts: sent {len(bare.names)} in {bare.seconds:.1f} s "
                f"({len(bare.names) / max(bare.seconds, 1e-9):.0f}/s)"
            )
            print(f"  {report.bare.line()}")
            print(
                f"Jembatan / bare ack: p50 {report.ratio(50):.2f}×, p95 {report.ratio(95):.2f}×, "
                f"p99 {report.ratio(99):.2f}×; load average {load_average()}",
                flush=True,
            )
    finally:
        await asyncio.gather(*(s.stop() for s in [*servers, *bares]))
        await fake_runner.cleanup()
        if created:
            await admin_execute(args.postgres, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    assert report is not None
    return report


async def main_async(args: argparse.Namespace) -> int:
    report = await run(args)
    return 1 if report.failed else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=1, help="Jembatan processes on the one database")
    parser.add_argument("--quick", action="store_true", help="2,000 commands (or shorter steady steps)")
    parser.add_argument("--sustained", action="store_true", help="step up a steady rate until p95 >= 1 s")
    parser.add_argument("--rates", type=float, nargs="+", default=[25, 50, 75, 100, 150, 200, 300, 400, 600])
    parser.add_argument("--seconds", type=float, default=15.0, help="each steady step's length")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of quiet measured before the load")
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip the bare Bolt comparison")
    parser.add_argument(
        "--rounds", type=int, default=4, help="parts the burst is cut into, Jembatan's and bare's in turn"
    )
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("JEMBATAN_BENCH_POSTGRES", DEFAULT_SERVER),
        help="a PostgreSQL server URL; a database of the run's own is made there and dropped",
    )
    parser.add_argument("--in-process", action="store_true", help="serve from this process, not a new one")
    parser.add_argument("--queue-size", type=int, help="JEMBATAN_QUEUE_SIZE for the server")
    parser.add_argument("--workers", type=int, help="JEMBATAN_WORKERS for the server")
    parser.add_argument("--profile", help="write the server process's cProfile statistics to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.commands = min(args.commands, 2_000)
        args.seconds = min(args.seconds, 8.0)
        args.idle = min(args.idle, 3.0)
    if args.in_process and args.replicas != 1:
        parser.error("--in-process serves one app; it cannot be --replicas")
    if args.sqlite and args.replicas != 1:
        parser.error("SQLite is for one process (a second one refuses to start); use PostgreSQL")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main_async(parse_args())))
