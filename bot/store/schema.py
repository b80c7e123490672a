"""Is the database ready for the bot? Asked before a platform adapter connects anywhere."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.store.db import create_engine, database_problem, sqlite_file


def _missing_sqlite_file(url: str) -> Path | None:
    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


class DatabaseNotReady(Exception):
    """One line saying what is wrong and what to do; never the password."""


async def check_schema(url: str, alembic: Config) -> None:
    """The database answers and is at the latest migration; raises DatabaseNotReady otherwise.

    A server that does not answer raises OSError/TimeoutError instead, so a caller can decide
    to wait for it. A SQLite file that does not exist is not created here (connecting would
    leave an empty one behind): it is a database nobody migrated yet."""
    missing = _missing_sqlite_file(url)
    if missing:
        raise DatabaseNotReady(f"DATABASE_URL: there is no database at {missing} yet; run `jembatan migrate`")
    heads = set(ScriptDirectory.from_config(alembic).get_heads())
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(
                lambda sync: set(MigrationContext.configure(sync).get_current_heads())
            )
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None)
        if isinstance(cause, OSError):
            raise cause from None  # not answering: the caller may wait for it
        raise DatabaseNotReady(f"DATABASE_URL: cannot use the database: {database_problem(error)}") from None
    finally:
        await engine.dispose()
    if current != heads:
        raise DatabaseNotReady("DATABASE_URL: the database schema is not up to date; run `jembatan migrate`")
