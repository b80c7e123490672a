"""Bursts of signed slash commands at the real Slack HTTP app: is every acknowledged command done?

    python bench/ack_load.py                    # 20,000 commands from 50 clients, on PostgreSQL
    python bench/ack_load.py --quick            # 2,000 from 50
    python bench/ack_load.py --sustained        # the highest steady rate with answers p95 < 1 s
    python bench/ack_load.py --sqlite           # the same on a SQLite file

Starts the real `jembatan run slack --mode http` process (or, with --in-process, the same
aiohttp app inside this one) on a fresh PostgreSQL database (JEMBATAN_BENCH_POSTGRES, default
postgresql://postgres@127.0.0.1:5432/postgres; the database is created and dropped), against
the fake Slack of the test suite. Each workspace gets a program first; then every command is a
`join`, `status` or `interests` typed by one of many people, spread over the workspaces.

Per command, from the outside, as a person would see it:
- acked: HTTP 200 with an empty body (Slack shows nothing yet; the answer comes by response_url)
- told busy: HTTP 200 whose body says "busy, try again" (shown at once; nothing was done)
- answered: the reply reached the command's response_url (latency from the moment it was sent)
- lost: acked but never answered (must be 0)
- executed twice: answered more than once (must be 0)
RSS is the server process's resident memory before the burst and after it.

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
    status: int = 0
    busy: bool = False


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

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def sign(body: bytes, stamp: str) -> str:
    return (
        "v0=" + hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Load:
    def __init__(self, fake: TimedFake, url: str, workspaces: int, people: int) -> None:
        self.fake = fake
        self.url = url
        self.workspaces = workspaces
        self.people = people
        self.run = uuid.uuid4().hex[:6]
        self._ids = itertools.count()
        self.sent: dict[str, Sent] = {}

    def team(self, n: int) -> str:
        return f"T{n:04d}"

    async def slash(self, http: aiohttp.ClientSession, team: str, user: str, text: str) -> str:
        name = f"{self.run}-{next(self._ids)}"
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
            "trigger_id": f"trig-{name}",
        }
        body = urlencode(fields).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, stamp),
        }
        sent = self.sent[name] = Sent(time.monotonic())
        try:
            async with http.post(self.url + "/slack/events", data=body, headers=headers) as response:
                text_back = await response.text()
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

    async def burst(self, total: int, clients: int) -> list[str]:
        names: list[str] = []
        todo = iter(range(total))
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

    def outcome(self, names: Sequence[str], seconds: float) -> Outcome:
        out = Outcome(sent=len(names), seconds=seconds)
        for name in names:
            sent = self.sent[name]
            answers = self.fake.answered.get(name, [])
            if sent.status != 200:
                out.refused += 1
            elif sent.busy:
                out.busy += 1
            else:
                out.acked += 1
                if answers:
                    out.answered += 1
                    out.latencies.append(answers[0] - sent.at)
                else:
                    out.lost += 1
            if len(answers) > 1:
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
    server = os.environ.get("JEMBATAN_BENCH_POSTGRES", DEFAULT_SERVER)
    name = f"jembatan_bench_{uuid.uuid4().hex[:8]}"
    await admin_execute(server, f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade_sync, url)
    return url, name


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

    def __init__(self, args: argparse.Namespace, env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._inside: Any = None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else os.getpid()

    async def start(self) -> None:
        if self.args.in_process:
            await self._start_inside()
        else:
            with self.log.open("wb") as out:
                self.process = subprocess.Popen(  # noqa: ASYNC220 (starting it does not block)
                    [
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
                    ],
                    env={**os.environ, **self.env},
                    cwd=self.log.parent,  # so PYTHONPATH alone says which checkout runs
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.process is not None and self.process.poll() is not None:
                    raise SystemExit(f"the server stopped at start:\n{self.log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
        raise SystemExit("the server did not answer /healthz within 30 s")

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

    async def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._inside is not None:
            slack, runner = self._inside
            await runner.cleanup()
            await slack.close()


def show(label: str, out: Outcome) -> None:
    ms = {p: out.percentile(p) * 1000 for p in (50, 95, 99)}
    top = max(out.latencies, default=float("nan")) * 1000
    print(
        f"{label}: sent {out.sent} in {out.seconds:.1f} s ({out.sent / max(out.seconds, 1e-9):.0f}/s) | "
        f"acked {out.acked}, answered {out.answered}, told busy {out.busy}, not 200 {out.refused}, "
        f"LOST {out.lost}, executed twice {out.twice} | answer ms p50 {ms[50]:.0f} p95 {ms[95]:.0f} "
        f"p99 {ms[99]:.0f} max {top:.0f}"
    )


async def main_async(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="jembatan-bench-"))
    fake, fake_runner = await start_fake()
    url, created = await database(args, folder)
    server = Server(args, server_env(args, fake, url), folder / "server.log")
    failed = False
    try:
        await server.start()
        load = Load(fake, server.url, args.workspaces, args.people)
        async with aiohttp.ClientSession() as http:
            await load.setup(http)
        rss_before = rss_mib(server.pid)
        print(
            f"backend {'sqlite' if args.sqlite else 'postgresql'}, "
            f"{'in-process' if args.in_process else 'server process'}, {args.workspaces} workspace(s), "
            f"{args.people} people; RSS before {rss_before:.0f} MiB"
        )
        if args.sustained:
            best = 0.0
            for rate in args.rates:
                started = time.monotonic()
                names = await load.steady(rate, args.seconds)
                await load.settle(names)
                out = load.outcome(names, time.monotonic() - started)
                show(f"steady {rate:>5.0f}/s", out)
                failed |= bool(out.lost or out.twice)
                if out.lost or out.busy or out.refused or out.percentile(95) >= 1.0:
                    break
                best = rate
            print(f"highest steady rate with answers p95 < 1 s: {best:.0f} commands/s")
        else:
            started = time.monotonic()
            names = await load.burst(args.commands, args.clients)
            sent_in = time.monotonic() - started
            await load.settle(names)
            out = load.outcome(names, sent_in)
            show(f"burst {args.commands} from {args.clients} clients", out)
            failed |= bool(out.lost or out.twice)
        print(f"RSS after {rss_mib(server.pid):.0f} MiB (before {rss_before:.0f} MiB)")
        errors = (
            sum(1 for line in server.log.read_text(errors="replace").splitlines() if "Traceback" in line)
            if server.log.exists()
            else 0
        )
        print(f"tracebacks in the server log: {errors}")
    finally:
        await server.stop()
        await fake_runner.cleanup()
        if created:
            server_url = os.environ.get("JEMBATAN_BENCH_POSTGRES", DEFAULT_SERVER)
            await admin_execute(server_url, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    return 1 if failed else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="2,000 commands (or shorter steady steps)")
    parser.add_argument("--sustained", action="store_true", help="step up a steady rate until p95 >= 1 s")
    parser.add_argument("--rates", type=float, nargs="+", default=[25, 50, 75, 100, 150, 200, 300, 400, 600])
    parser.add_argument("--seconds", type=float, default=15.0, help="each steady step's length")
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--in-process", action="store_true", help="serve from this process, not a new one")
    parser.add_argument("--queue-size", type=int, help="JEMBATAN_QUEUE_SIZE for the server")
    parser.add_argument("--workers", type=int, help="JEMBATAN_WORKERS for the server")
    parser.add_argument("--profile", help="write the server process's cProfile statistics to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.commands = min(args.commands, 2_000)
        args.seconds = min(args.seconds, 8.0)
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main_async(parse_args())))
