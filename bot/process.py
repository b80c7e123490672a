"""The process shell: what every `jembatan run …` shares, whatever the platform.

- A problem with the configuration (a setting, the database URL, a port, a token the platform
  refuses, a database that is not migrated) is one line on stderr, naming the variable and never
  its value, and exit status 2: `BadConfig`, the one start-up error type.
- Logging is set up once (logs.py), before anything logs.
- SIGTERM and SIGINT set the `stop` event the platform's runner waits on: it then drains.
- The database is waited for, a bounded time, before any platform connection (Discord resets a
  token after 1,000 logins a day; a load balancer should not see a process that cannot work).
- One process per SQLite file (store/single_process.py).
- The life of a connected process (`serve_platform`): the database wait, the build, start-up
  checks, the probes, the scheduled jobs, the connection held until told to stop, readiness
  dropped at once, and the wind-down inside one stop budget. `Backoff` paces reconnecting.

The platform's `main.py` keeps only what differs: its options and its connection (`Platform`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.logs import configure as configure_logging
from bot.runtime.ticker import Jobs, Ticker
from bot.settings import ConfigError, Settings
from bot.store.db import DatabaseUrlError, async_url, database_problem, is_database_error
from bot.store.migrate import check_database
from bot.store.schema import DatabaseNotReady
from bot.store.single_process import AlreadyRunning, OneProcessPerSqliteFile

log = logging.getLogger(__name__)

# How long a start waits for a database that does not answer (a server still starting, a
# failover) before it gives up with one line; the orchestrator's restart then takes over.
DATABASE_WAIT = 60.0
FIRST_DELAY, MOST_DELAY = 1.0, 15.0
# Seconds from SIGTERM to exit, all stages together, inside the 40 s an orchestrator gives.
STOP_WITHIN = 30.0


class BadConfig(Exception):
    """One line for the operator, naming the variable and never its value."""


# Every start-up problem a process reports as one line and exit status 2.
STARTUP_ERRORS = (BadConfig, ConfigError, DatabaseUrlError, DatabaseNotReady, AlreadyRunning)


def refuse(error: BaseException) -> int:
    print(f"jembatan: {error}", file=sys.stderr)
    return 2


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    try:
        return Settings.from_env(os.environ if env is None else env)
    except ConfigError as error:
        raise BadConfig(str(error)) from None


def check_url(database_url: str) -> None:
    """A malformed DATABASE_URL is a configuration error, said before anything connects."""
    try:
        async_url(database_url)
    except DatabaseUrlError as error:
        raise BadConfig(str(error)) from None


@contextlib.contextmanager
def database_errors_as_bad_config() -> Iterator[None]:
    """For a one-off command on the database (`migrate`, `rotate-key`): a bad URL, a server that
    does not answer or refuses us, as the one line (the driver's words, never the password)."""
    try:
        yield
    except DatabaseUrlError as error:
        raise BadConfig(str(error)) from None
    except Exception as error:
        if not (isinstance(error, OSError) or is_database_error(error)):
            raise
        raise BadConfig(f"DATABASE_URL: cannot use the database: {database_problem(error)}") from None


class Stopped(Exception):
    """Told to stop (SIGTERM, SIGINT) before the process began to serve: exit status 0."""


async def wait_for_database(
    url: str,
    *,
    stop: asyncio.Event | None = None,
    within: float = DATABASE_WAIT,
    first: float = FIRST_DELAY,
    most: float = MOST_DELAY,
) -> None:
    """The database answers and is at the latest schema. Not answering: ask again, with growing
    waits, for up to `within` seconds (raises Stopped if `stop` comes meanwhile). Refusing us or
    not migrated: no wait fixes that, so at once."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    delay = first
    while True:
        try:
            await check_database(url)
            return
        except DatabaseNotReady as problem:
            raise BadConfig(str(problem)) from None
        except (OSError, TimeoutError) as error:
            left = deadline - loop.time()
            if left <= 0:
                raise BadConfig(f"DATABASE_URL: cannot use the database: {database_problem(error)}") from None
            pause = min(delay, left)
            log.warning("database not answering (%s); trying again in %.0f s", type(error).__name__, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for((stop or asyncio.Event()).wait(), pause)
        if stop is not None and stop.is_set():
            raise Stopped
        delay = min(delay * 2, most)


async def _until_stopped(serve: Callable[[asyncio.Event], Awaitable[int | None]]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    try:
        return await serve(stop) or 0
    except Stopped:
        return 0


def run(
    settings: Settings,
    serve: Callable[[asyncio.Event], Awaitable[int | None]],
    *,
    database_url: str | None = None,
) -> int:
    """Run `serve(stop)` until it returns: its exit status, or 2 and one line on a start-up
    problem. `database_url` is the one guarded against a second process, when not the settings'."""
    configure_logging(settings.log_level, settings.log_format)
    try:
        with OneProcessPerSqliteFile(settings.database_url if database_url is None else database_url):
            return asyncio.run(_until_stopped(serve))
    except STARTUP_ERRORS as error:
        return refuse(error)


class Readiness:
    """What readiness is made of: the database answers, the platform is connected, and the
    process is not winding down (`draining` turns true the moment it is told to stop, before
    the last send finishes, so a load balancer stops sending it work first)."""

    def __init__(
        self, database_ok: Callable[[], Awaitable[bool]], connected: Callable[[], Awaitable[bool]]
    ) -> None:
        self._database_ok = database_ok
        self._connected = connected
        self.draining = False

    async def ready(self) -> dict[str, bool]:
        checks = {"connected": not self.draining and await self._connected(), "draining": self.draining}
        # The database is asked only when the rest holds: a draining process answers at once.
        checks["database"] = checks["connected"] and not self.draining and await self._database_ok()
        return checks


class Backoff:
    """Waits that double after each failure, back to the start once a connection held a while,
    so a broken network or a platform's outage never turns into a storm of logins."""

    def __init__(self, first: float = 5.0, most: float = 900.0, stable_after: float = 600.0) -> None:
        self.first, self.most, self.current = first, most, first
        self.stable_after = stable_after

    def next(self, connected_for: float) -> float:
        if connected_for > self.stable_after:
            self.current = self.first
        delay, self.current = self.current, min(self.current * 2, self.most)
        return delay


async def keep_connected(
    connect: Callable[[], Awaitable[None]],
    *,
    stopped: asyncio.Event,
    down: Callable[[], Awaitable[None]],
    again: Callable[[], None],
    backoff: Backoff,
    what: str,
) -> None:
    """`connect()` until `stopped`: it returns when the connection ends (it logs why, and raises
    BadConfig when no retry can help). Each time it ends without `stopped`: `down()` (pause,
    close what is left), the backoff's wait, then `again()` (ready to connect anew)."""
    loop = asyncio.get_running_loop()
    while not stopped.is_set():
        started = loop.time()
        await connect()
        if stopped.is_set():
            return  # closed on purpose
        await down()
        delay = backoff.next(loop.time() - started)
        log.warning("connecting to %s again in %.0f s", what, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), delay)
        again()


@dataclass
class Shell:
    """What a platform's connection shares with the shell while it holds it."""

    jobs: Jobs  # the scheduled jobs: started by the platform when it can serve, paused when down
    stopping: asyncio.Event  # set by the shell when told to stop; a platform may set it too


class Platform(Protocol):
    """The part of a running process that differs between platforms."""

    ticker: Ticker

    async def ping(self) -> bool:
        """The database answers (readiness)."""

    async def connected(self) -> bool:
        """The platform connection is up (readiness)."""

    async def check(self) -> None:
        """Start-up checks before anything serves (a token tried once); raises BadConfig."""

    async def hold(self, shell: Shell) -> int | None:
        """Connect, start the jobs when ready to serve, and serve until `shell.stopping` (it may
        return earlier, or set it): the exit status."""

    async def finish_work(self) -> None:
        """Let accepted work finish and be answered while the connection is still open."""

    async def disconnect(self) -> None:
        """Close the connection (after which `hold` returns)."""

    async def close(self, grace: float) -> None:
        """Close the core and what the platform built around it, within `grace` seconds."""


class ProbeServer(Protocol):
    async def stop(self) -> None: ...


# The probes' server (adapters/health.py: the core serves no HTTP): None when no port is set.
ServeProbes = Callable[[Readiness, int | None], Awaitable[ProbeServer | None]]


async def serve_platform(
    settings: Settings,
    stop: asyncio.Event,
    make: Callable[[], Platform],
    serve_probes: ServeProbes,
    *,
    within: float = STOP_WITHIN,
) -> int:
    """The life of a connected process, from the database wait to the last close: the exit status
    `hold` gave (0 when it gave none), or BadConfig for a start-up problem."""
    await wait_for_database(settings.database_url, stop=stop)  # before any login or listening
    platform = make()
    readiness = Readiness(platform.ping, platform.connected)
    try:
        await platform.check()
        probes = await serve_probes(readiness, settings.health_port)
    except BadConfig:
        await platform.close(within)
        raise
    shell = Shell(Jobs(platform.ticker, tick_seconds=settings.tick_seconds), asyncio.Event())
    holding = asyncio.create_task(platform.hold(shell))
    told = asyncio.create_task(_first(stop, shell.stopping))
    try:
        await asyncio.wait({holding, told}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        readiness.draining = True  # not ready from now on, while the running work finishes
        shell.stopping.set()
        told.cancel()
        await _wind_down(platform, shell.jobs, holding, probes, within)
    if holding.cancelled():  # it did not end when its connection closed: not a clean stop
        return 1
    return holding.result() or 0


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _wind_down(
    platform: Platform,
    jobs: Jobs,
    holding: asyncio.Task[int | None],
    probes: ProbeServer | None,
    within: float,
) -> None:
    """One budget for the whole stop: the running tick and send first, then the work already
    accepted (answered while the connection is open), then the connection, then the database."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    try:
        await jobs.stop(within=within * 2 / 3)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(1.0, deadline - loop.time())):
                await platform.finish_work()
        await platform.disconnect()
        await asyncio.wait({holding}, timeout=max(1.0, deadline - loop.time()))
        if not holding.done():
            holding.cancel()
            await asyncio.wait({holding})
    finally:
        if probes is not None:
            await probes.stop()
        await platform.close(max(1.0, deadline - loop.time()))
