"""Engines from DATABASE_URL: the right async driver, and SQLite set up for a small bot's needs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}


class DatabaseUrlError(ValueError):
    pass


def async_url(url: str) -> str:
    """`sqlite:///x.db` and `postgresql://…` as people write them, with the async driver filled in."""
    try:
        parsed = make_url(url)
    except Exception as error:  # SQLAlchemy raises ArgumentError with the URL (and password) in it
        raise DatabaseUrlError("DATABASE_URL is not a database URL") from error
    driver = _DRIVERS.get(parsed.drivername, parsed.drivername)
    if not driver.startswith(("sqlite+aiosqlite", "postgresql+asyncpg")):
        raise DatabaseUrlError("DATABASE_URL must start with sqlite:/// or postgresql://")
    if driver.startswith("postgresql") and "sslmode" in parsed.query:
        # Managed databases hand out libpq URLs (`?sslmode=require`); asyncpg calls it `ssl`.
        query = dict(parsed.query)
        query.setdefault("ssl", query.pop("sslmode"))
        parsed = parsed.set(query=query)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def database_problem(error: BaseException) -> str:
    """One line on why the database cannot be used: the driver's or the OS's words, which name
    the host, user or database but never the password."""
    if isinstance(error, OSError) and not isinstance(error, TimeoutError):
        return (error.strerror or str(error) or type(error).__name__)[:200]
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]


def is_database_error(error: BaseException) -> bool:
    """Whether a failure came from the database (for the operator's error count), whatever the
    driver: SQLAlchemy wraps asyncpg's and sqlite3's errors in its own."""
    return isinstance(error, SQLAlchemyError)


AT_COMMIT = "jembatan_at_commit"  # set on an error raised by COMMIT itself (unit_of_work.py)


def connection_lost(error: BaseException) -> bool:
    """The database connection broke under this work (the server process was ended or
    restarted, the network dropped it). SQLAlchemy has already thrown the connection away."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def lost_before_commit(error: BaseException) -> bool:
    """The connection broke before COMMIT was asked for: the server rolled the transaction
    back, so nothing of it happened and running the work again does it once."""
    return connection_lost(error) and not getattr(error, AT_COMMIT, False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def pool_for(url: str, connections: int) -> dict[str, Any]:
    """Pool settings for `connections` at once (plus a few spare). In-memory SQLite keeps its
    single-connection pool, which takes no size."""
    backend = make_url(async_url(url)).get_backend_name()
    if backend == "sqlite" and sqlite_file(url) is None:
        return {}
    sized: dict[str, Any] = {"pool_size": connections, "max_overflow": 4, "pool_timeout": 10}
    if backend == "postgresql":
        # A pooled connection whose server process went away (a restart, a failover,
        # pg_terminate_backend) is found out at checkout and replaced, instead of failing the
        # command or send that drew it (bench/db_faults.py). Only one that sat idle for a while
        # is pinged: asyncpg's ping is three round trips (BEGIN, ";", ROLLBACK), which under a
        # burst were a quarter of a command's and slowed every acknowledgement on the machine
        # (bench/ack_load.py). One used a moment ago is alive; if not, the work's own retry
        # (bot/services/dispatch.py, the relay's next pass) meets it.
        sized[PING_AFTER_IDLE] = IDLE_BEFORE_PING
    return sized


PING_AFTER_IDLE = "jembatan_ping_after_idle"  # create_engine's own option, not SQLAlchemy's
IDLE_BEFORE_PING = 1.0  # seconds


def _ping_after_idle(engine: AsyncEngine, idle: float) -> None:
    """Pessimistic disconnect handling as SQLAlchemy's pool_pre_ping, for connections that
    were checked in more than `idle` seconds ago."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception:
            # The pool throws this connection away and draws another (as pool_pre_ping does).
            raise DisconnectionError() from None


def shown(url: str) -> str:
    """Which database a URL names, fit to print: a SQLite file's path, or the URL with its
    password masked."""
    path = sqlite_file(url)
    if path is not None:
        return str(path.absolute())
    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # A database error's message would otherwise carry the statement's parameters (people's
    # words, message bodies) into the traceback an operator's log receives.
    kwargs.setdefault("hide_parameters", True)
    idle: float | None = kwargs.pop(PING_AFTER_IDLE, None)
    try:
        engine = create_async_engine(async_url(url), **kwargs)
    except ModuleNotFoundError as error:
        # The driver is imported here; a base install has only SQLite's (asyncpg is an extra).
        if error.name != "asyncpg":
            raise
        raise DatabaseUrlError(
            "DATABASE_URL is PostgreSQL, which needs asyncpg: pip install 'jembatan[postgres]'"
        ) from None
    if is_sqlite(engine):
        _check_folder(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    else:
        event.listen(engine.sync_engine, "connect", _postgres_session)
    if idle is not None:
        _ping_after_idle(engine, idle)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite DATABASE_URL names; None for PostgreSQL, in-memory and `file:` URIs.
    SQLite does not expand ~, so neither does this."""
    parsed = make_url(async_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def _check_folder(url: str) -> None:
    # SQLite creates the file but not its folder; said here, it is one clear line instead of a
    # driver error (and, from aiosqlite's worker thread, a traceback printed at exit).
    path = sqlite_file(url)
    if path is None:
        return
    folder = path.absolute().parent
    if not folder.is_dir():
        raise DatabaseUrlError(f"DATABASE_URL: the folder {folder} does not exist")


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock up front: a deferred transaction that reads and then writes fails at
    # once with "database is locked" instead of waiting its turn behind another writer.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    # PostgreSQL compiles a plan to machine code once its estimated cost passes jit_above_cost.
    # Our statements are short, but a self-join's estimate can run high: the dashboard's
    # overview spent 730 ms of its 860 ms compiling (bench/dashboard.py, PostgreSQL 15, JIT on
    # by default). A SET rather than a startup parameter, which PgBouncer would refuse.
    dbapi_connection.run_async(lambda connection: connection.execute("SET jit = off"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, say when transactions begin (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
