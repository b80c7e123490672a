"""The process shell: what every `jembatan run …` shares, whatever the platform.

- A problem with the configuration (a setting, the database URL, a port, a token the platform
  refuses, a database that is not migrated) is one line on stderr, naming the variable and never
  its value, and exit status 2: `BadConfig`, the one start-up error type.
- Logging is set up once (logs.py), before anything logs.
- SIGTERM and SIGINT set the `stop` event the platform's runner waits on: it then drains.
- The database is waited for, a bounded time, before any platform connection (Discord resets a
  token after 1,000 logins a day; a load balancer should not see a process that cannot work).
- One process per SQLite file (store/single_process.py).

The platform's `main.py` keeps only what differs: its options, its connection, its probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping

from bot.logs import configure as configure_logging
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
