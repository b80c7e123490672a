"""Drive the REAL `jembatan` processes against the local fake platforms, on the real clock.

Everything here is synchronous and thread-based, so it works from plain pytest tests and from
`bench/` scripts alike (no event loop of the caller's is needed):

- `FakeSlackServer` / `FakeDiscordServer` run tests/adapters/*/fake_*.py in a thread of their
  own (own event loop, ephemeral port); `call()` runs a function on that loop, so reads of
  what the fake received are consistent snapshots.
- `Jembatan` starts `jembatan run slack --mode http` or `jembatan run discord` as a child
  process with the environment pointing at a fake; its output (logs: stderr, with stdout) is
  collected line by line, so a test waits for a log line (`wait_log`, `wait_ticks`) instead
  of sleeping, and a failure can show the tail (`tail()`). `stop()` sends SIGTERM, `kill()`
  SIGKILL; `start()` again is a restart.
- `SlackClient` sends signed slash commands and clicks to a process's `/slack/events`.
- `wait_until(condition, within)` polls any condition with a deadline: never a fixed sleep.
- `postgres_database()` makes a migrated database with a random name on
  JEMBATAN_TEST_POSTGRES and drops it afterwards; `migrated_sqlite()` a migrated SQLite file.

Nothing else in the suite depends on this module; it needs only the fakes and the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from tests.adapters.discord.fake_discord import TOKEN as DISCORD_TOKEN
from tests.adapters.discord.fake_discord import Answer, FakeDiscord, Payloads, Person
from tests.adapters.slack.fake_slack import FakeSlack
from tests.databases import admin_execute

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]  # the checkout whose code the child processes run
POSTGRES_ENV = "JEMBATAN_TEST_POSTGRES"
SIGNING_SECRET = "e2e0signing0secret0abcdef0123456"
MIN_TICK = 5  # bot/settings.py refuses less
POLL = 0.02
DB_POLL = 0.25


class Timeout(AssertionError):
    """A waited-for condition did not come true in time; the message says what was awaited."""


def wait_until(
    condition: Callable[[], T],
    within: float,
    what: str = "",
    *,
    explain: Callable[[], str] | None = None,
    every: float = POLL,
) -> T:
    """Poll `condition` until it returns something truthy (returned) or `within` seconds pass.
    Poll a database with a longer `every` (each look is a new connection)."""
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            detail = f"\n{explain()}" if explain else ""
            raise Timeout(f"not within {within:.0f} s: {what or condition!r}{detail}")
        time.sleep(every)


class Stopwatch:
    """Prints how long each phase of a scenario took (shown with -s, and on failure)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.began = self.last = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        print(f"[{self.name}] {now - self.began:6.1f} s (+{now - self.last:5.1f}) {what}", flush=True)
        self.last = now


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Fake platforms, each on its own loop in a thread ------------------------------------------------


class _LoopThread:
    """An event loop in a daemon thread; coroutines and functions are run on it from outside."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Any, within: float = 30.0) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(within)

    def call(self, fn: Callable[[], T], within: float = 30.0) -> T:
        async def wrapped() -> T:
            return fn()

        return self.run(wrapped(), within)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class FakeSlackServer:
    """tests/adapters/slack/fake_slack.py served on 127.0.0.1:<ephemeral>."""

    def __init__(self, team_id: str = "T0ACME") -> None:
        self._thread = _LoopThread("fake-slack")
        self.fake: FakeSlack = self._thread.call(lambda: FakeSlack(team_id=team_id))
        self._runner: web.AppRunner | None = None
        self.base_url = self._thread.run(self._start())
        self.fake.base_url = self.base_url

    async def _start(self) -> str:
        self._runner = web.AppRunner(self.fake.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def call(self, fn: Callable[[FakeSlack], T]) -> T:
        """Run `fn(fake)` on the fake's loop: a consistent read (or change) of its state."""
        return self._thread.call(lambda: fn(self.fake))

    def add_user(self, user_id: str, name: str | None = None, *, admin: bool = False) -> None:
        self.call(lambda f: f.add_user(user_id, name, admin=admin))

    def calls(self, method: str | None = None) -> list[Any]:
        return self.call(lambda f: [c for c in f.calls if method is None or c.method == method])

    def posts(self, channel: str | None = None) -> list[Any]:
        return self.call(lambda f: list(f.posts(channel)))

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """What reached response_urls (the answers people saw), optionally for one command."""
        return self.call(lambda f: [dict(r) for r in f.responses if name is None or r["_url"] == name])

    def close(self) -> None:
        if self._runner is not None:
            with contextlib.suppress(Exception):
                self._thread.run(self._runner.cleanup(), 10)
        self._thread.close()


class FakeDiscordServer:
    """tests/adapters/discord/fake_discord.py (REST and gateway) on 127.0.0.1:<ephemeral>."""

    def __init__(self) -> None:
        self._thread = _LoopThread("fake-discord")
        self.fake: FakeDiscord = self._thread.call(FakeDiscord)
        self._thread.run(self.fake.start())
        self.payloads: Payloads = self._thread.call(lambda: Payloads(self.fake))

    def call(self, fn: Callable[[FakeDiscord], T]) -> T:
        return self._thread.call(lambda: fn(self.fake))

    def env(self) -> dict[str, str]:
        return {
            "DISCORD_TOKEN": DISCORD_TOKEN,
            "DISCORD_API_URL": self.fake.api_url,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
        }

    def connected(self, identifies: int = 1, within: float = 60) -> None:
        """Wait until the bot has identified `identifies` times in all (a restart adds one)."""
        wait_until(
            lambda: self.call(lambda f: f.identifies >= identifies and f.gateway_open),
            within,
            f"Discord gateway session #{identifies}",
        )

    def interact(self, payload: dict[str, Any], within: float = 30) -> Answer:
        """Dispatch an INTERACTION_CREATE over the gateway; wait for the whole answer."""
        self._thread.run(self.fake.dispatch("INTERACTION_CREATE", payload), within)
        answer: Answer = self._thread.run(self.fake.answer(payload["token"], within), within + 5)
        return answer

    def slash(self, who: Person, sub: str, within: float = 30, **options: Any) -> Answer:
        payload = self.call(lambda f: self.payloads.slash(who, sub, **options))
        return self.interact(payload, within)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._thread.run(self.fake.close(), 10)
        self._thread.close()


# The real process -----------------------------------------------------------------------------


STARTED: list[Jembatan] = []  # every process started in this test run, for the failure report


@dataclass(eq=False)
class Jembatan:
    """One real `jembatan …` child process. Start with `start()`; it can be started again
    after it stopped (a restart), keeping every line it ever logged in `lines`."""

    args: Sequence[str]
    env: dict[str, str]
    name: str = "jembatan"
    url: str | None = None  # HTTP mode: where it serves /slack/events
    process: subprocess.Popen[bytes] | None = None
    lines: list[str] = field(default_factory=list)  # stderr (logs) of every run, in order
    starts: list[int] = field(default_factory=list)  # index into `lines` where each run began
    _readers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Jembatan:
        assert self.process is None or self.process.poll() is not None, "already running"
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "SLACK_", "JEMBATAN_", "DATABASE_URL", "LOG_LEVEL", "PORT"))
        }
        clean["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        clean["PYTHONUNBUFFERED"] = "1"
        with self._lock:
            self.starts.append(len(self.lines))
            self.lines.append(f"--- start {self.name}: jembatan {' '.join(self.args)}")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *self.args],
            env={**clean, **self.env},
            cwd=str(ROOT),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        if not any(p is self for p in STARTED):
            STARTED.append(self)
        reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        reader.start()
        self._readers.append(reader)
        return self

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            with self._lock:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def mark(self) -> int:
        """Where the log is now: pass to wait_log(after=…) to wait for a line logged later."""
        with self._lock:
            return len(self.lines)

    def logged(self, words: str, after: int = 0) -> list[str]:
        with self._lock:
            return [line for line in self.lines[after:] if words in line]

    def wait_log(self, words: str, within: float = 60, after: int | None = None, count: int = 1) -> str:
        """Wait until `count` lines containing `words` were logged after `after` (default: the
        start of the current run). Fails at once, with the tail, if the process ends first."""
        start = self.starts[-1] if after is None else after

        def seen() -> str | None:
            found = self.logged(words, start)
            if len(found) >= count:
                return found[count - 1]
            if not self.running:
                time.sleep(0.2)  # let the reader take the last lines
                found = self.logged(words, start)
                if len(found) >= count:
                    return found[count - 1]
                raise AssertionError(
                    f"{self.name} exited ({self.returncode}) before logging {words!r}\n{self.tail()}"
                )
            return None

        return wait_until(seen, within, f"{self.name} logs {words!r}", explain=self.tail)  # type: ignore[return-value]

    def wait_ticks(self, count: int = 2, within: float | None = None, after: int | None = None) -> None:
        """Wait until `count` whole ticks ran after `after` (default: now). Needs the ticker's
        debug line (bot/runtime/ticker.py), which the launcher below shows."""
        start = self.mark() if after is None else after
        self.wait_log(TICK_LINE, within or 30 + count * 15, after=start, count=count)

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, within: float = 60) -> int:
        """SIGTERM, as an orchestrator stops a container; wait for the exit; its status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait(within)

    def kill(self) -> int:
        """SIGKILL: no chance to finish anything."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.kill()
        return self.wait(30)

    def wait(self, within: float) -> int:
        assert self.process is not None
        try:
            code = self.process.wait(within)
        except subprocess.TimeoutExpired:
            raise Timeout(f"{self.name} did not exit within {within:.0f} s\n{self.tail()}") from None
        for reader in self._readers:
            reader.join(5)
        return code

    def tail(self, n: int = 60) -> str:
        with self._lock:
            shown = self.lines[-n:]
        return f"--- last {len(shown)} log lines of {self.name} ---\n" + "\n".join(shown)

    def close(self) -> None:
        """Make sure nothing is left running (a test that failed half-way)."""
        if self.running:
            with contextlib.suppress(Timeout):
                self.stop(10)
        if self.running:
            self.kill()


# The same entry point as the `jembatan` console script (adapters.cli:main). The only extra:
# the ticker's debug line is shown, so a test can count ticks ("tick done") instead of
# sleeping through them; every other logger keeps LOG_LEVEL.
_LAUNCHER = (
    "import logging, sys\n"
    "logging.getLogger('bot.runtime.ticker').setLevel(logging.DEBUG)\n"
    "from adapters.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)

TICK_LINE = "tick done"  # logged (at debug) by bot/runtime/ticker.py after every tick


def slack_process(
    fake: FakeSlackServer,
    database_url: str,
    *,
    tick: int = MIN_TICK,
    port: int | None = None,
    name: str = "slack",
    extra_env: dict[str, str] | None = None,
) -> tuple[Jembatan, str]:
    """`jembatan run slack --mode http` against the fake; returns it (not started) and its URL."""
    port = port or free_port()
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": fake.fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "JEMBATAN_TICK_SECONDS": str(tick),
        **(extra_env or {}),
    }
    url = f"http://127.0.0.1:{port}"
    process = Jembatan(["run", "slack", "--mode", "http", "--port", str(port)], env, name=name, url=url)
    return process, url


def discord_process(
    fake: FakeDiscordServer,
    database_url: str,
    *,
    tick: int = MIN_TICK,
    name: str = "discord",
    extra_env: dict[str, str] | None = None,
) -> Jembatan:
    env = {
        **fake.env(),
        "DATABASE_URL": database_url,
        "JEMBATAN_TICK_SECONDS": str(tick),
        **(extra_env or {}),
    }
    return Jembatan(["run", "discord"], env, name=name)


SLACK_READY = "serving /slack/events and /healthz on port"


# Signed Slack requests ------------------------------------------------------------------------


def sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sign(body, stamp),
    }


_ids = itertools.count(1)
BUSY_WORDS = "very busy"  # in the intake's busy line (bot/i18n/en.toml, error.busy)
BUSY_RETRIES = 5


def next_id(prefix: str) -> str:
    """Unique in this test process (and across restarts of the bot): trigger ids, response urls."""
    return f"{prefix}{os.getpid()}x{next(_ids):06d}"


@dataclass
class SlackClient:
    """Slack's side of HTTP mode: signed requests to one process's /slack/events."""

    fake: FakeSlackServer
    url: str  # the process's base URL

    def command_fields(
        self, user: str, text: str, channel: str, name: str, trigger: str | None = None
    ) -> dict[str, str]:
        return {
            "token": "legacy",
            "team_id": self.fake.fake.team_id,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "pairs",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/jembatan",
            "text": text,
            "api_app_id": "A0JEMBATAN",
            "is_enterprise_install": "false",
            "response_url": self.fake.fake.response_url(name),
            "trigger_id": trigger or next_id("trig-"),
        }

    def post(self, body: bytes, headers: dict[str, str] | None = None, within: float = 30) -> int:
        return self.exchange(body, headers, within)[0]

    def exchange(
        self, body: bytes, headers: dict[str, str] | None = None, within: float = 30
    ) -> tuple[int, bytes]:
        """POST a signed body; the HTTP status and the acknowledgement's own body."""
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body,
            headers={**signed_headers(body), **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=within) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return int(error.code), b""

    def send_command(
        self,
        user: str,
        text: str,
        channel: str,
        *,
        name: str | None = None,
        trigger: str | None = None,
        retry: int = 0,
    ) -> str:
        """Type `/jembatan text` without waiting for the answer; returns the response_url name.
        A Slack retry of a command is the same command (same `name` and `trigger`) sent again
        with `retry` set (X-Slack-Retry-Num), possibly to another process."""
        name = name or next_id("cmd-")
        body = urlencode(self.command_fields(user, text, channel, name, trigger)).encode()
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status = self.post(body, headers)
        assert status == 200, f"/jembatan {text} answered HTTP {status}"
        return name

    def command(self, user: str, text: str, channel: str, within: float = 30) -> dict[str, Any]:
        """Type `/jembatan text` and wait for the answer that reaches its response_url.

        Told "busy, try again" in the acknowledgement (the intake's answer when the machine is
        slower than its expected-wait bound, e.g. a loaded CI host), a person types it again a
        moment later, as the words ask; the command must then be done, and answered, once."""
        for attempt in range(BUSY_RETRIES + 1):
            name = next_id("cmd-")
            body = urlencode(self.command_fields(user, text, channel, name)).encode()
            status, ack = self.exchange(body)
            assert status == 200, f"/jembatan {text} answered HTTP {status}"
            if BUSY_WORDS not in ack.decode("utf-8", "replace") or attempt == BUSY_RETRIES:
                break
            time.sleep(1 + attempt)
        return self.answer(name, within)

    def answer(self, name: str, within: float = 30) -> dict[str, Any]:
        found = wait_until(lambda: self.fake.responses(name), within, f"an answer to {name}")
        return found[-1]

    def click(self, user: str, action_id: str, channel: str, ts: str, *, value: str | None = None) -> int:
        """Click a button of a message the bot posted (read from the fake)."""
        message = self.fake.call(lambda f: f.messages[(channel, ts)])
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.fake.fake.team_id},
            "api_app_id": "A0JEMBATAN",
            "team": {"id": self.fake.fake.team_id, "domain": "acme"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": next_id("trig-"),
            "channel": {"id": channel},
            "message": {"type": "message", "ts": ts, "text": message.text, "blocks": message.blocks},
            "response_url": self.fake.fake.response_url(next_id("click-")),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "jb-actions",
                    "type": "button",
                    "value": value or action_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}).encode())

    def burst(
        self,
        commands: Sequence[tuple[str, str, str]],
        concurrency: int = 100,
        *,
        spread: Sequence[str] = (),
    ) -> list[tuple[str, str, int, str]]:
        """Send (user, text, channel) commands all at once (to this process, or round-robin
        over the base URLs in `spread`, as a load balancer would); returns (response_url name,
        trigger_id, HTTP status, the acknowledgement's own body) for each, in order (status 0:
        no HTTP answer at all). Answers arrive later at the fake: `responses(name)`, or a
        views.open with the trigger_id; a "busy, try again" comes in the acknowledgement."""
        import aiohttp

        urls = list(spread) or [self.url]

        async def go() -> list[tuple[str, str, int, str]]:
            gate = asyncio.Semaphore(concurrency)
            connector = aiohttp.TCPConnector(limit=concurrency)
            async with aiohttp.ClientSession(connector=connector) as http:

                async def one(n: int, user: str, text: str, channel: str) -> tuple[str, str, int, str]:
                    name, trigger = next_id("cmd-"), next_id("trig-")
                    body = urlencode(self.command_fields(user, text, channel, name, trigger)).encode()
                    async with gate:
                        try:
                            async with http.post(
                                urls[n % len(urls)] + "/slack/events",
                                data=body,
                                headers=signed_headers(body),
                                timeout=aiohttp.ClientTimeout(total=60),
                            ) as response:
                                told = (await response.read()).decode(errors="replace")
                                return name, trigger, response.status, told
                        except (aiohttp.ClientError, TimeoutError):
                            return name, trigger, 0, ""

                return list(await asyncio.gather(*(one(n, *c) for n, c in enumerate(commands))))

        return asyncio.run(go())


# Databases ------------------------------------------------------------------------------------


def migrated_sqlite(path: Path, template: Path | None = None) -> str:
    """A migrated SQLite database at `path` (copied from `template` when given: faster)."""
    import shutil

    if template is not None:
        shutil.copy(template, path)
    else:
        from bot.app import upgrade_sync

        upgrade_sync(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@contextlib.contextmanager
def postgres_database(server: str | None = None) -> Iterator[str]:
    """A migrated database of its own on JEMBATAN_TEST_POSTGRES, dropped afterwards."""
    from sqlalchemy.engine import make_url

    from bot.app import upgrade_sync

    server = server or os.environ.get(POSTGRES_ENV)
    if not server:
        raise RuntimeError(f"{POSTGRES_ENV} is not set")
    name = f"jembatan_e2e_{uuid.uuid4().hex[:10]}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin_execute(server, f'CREATE DATABASE "{name}"'))
    try:
        upgrade_sync(url)
        yield url
    finally:
        asyncio.run(admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def posted_keys(fake: FakeSlackServer, channel: str, database_url: str, prefix: str) -> list[int]:
    """How many times each outbox row whose dedupe key starts with `prefix` (`announce:`…) was
    posted to `channel`, one number per row: every post the bot makes carries its row id in
    the message metadata (`jb<id>`), so other posts there (a milestone digest) do not count."""
    rows = {
        f"jb{row_id}"
        for row_id, key, to in query(database_url, "SELECT id, dedupe_key, destination FROM outbox")
        if str(key).startswith(prefix) and channel in str(to)
    }
    keys: dict[str, int] = {}
    for call in fake.posts(channel):
        key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key")
        keys[key] = keys.get(key, 0) + 1
    return sorted(keys.get(row, 0) for row in rows)


def query(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Read the bot's database from the test (a fresh connection each time). SQLite is read
    with the standard library's driver in read-only mode, so a read never takes the write lock
    the bot's own connections take up front."""
    from bot.store.db import sqlite_file

    path = sqlite_file(database_url)
    if path is not None:
        import sqlite3

        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]

    from sqlalchemy import text

    from bot.store.db import create_engine

    async def go() -> list[tuple[Any, ...]]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in await conn.execute(text(sql), params)]
        finally:
            await engine.dispose()

    return asyncio.run(go())
