"""SQLite serves one bot process: a second `jembatan run` on the same file is refused at start.

Two processes on one SQLite file would each tick and each deliver, and the outbox takes rows
back from a process that is gone on the promise that no other process exists (PostgreSQL has
holders and row locks for that). An exclusive lock on a file beside the database, held for the
process's life and released by the kernel when the process dies (even by kill -9), keeps the
promise true. PostgreSQL URLs need no lock: several processes are what it is for.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.store.db import sqlite_file


class AlreadyRunning(RuntimeError):
    """Another process serves this SQLite file; the message says what to do instead."""


class OneProcessPerSqliteFile:
    def __init__(self, database_url: str) -> None:
        database = sqlite_file(database_url)
        # No file yet: the start is refused anyway ("run jembatan migrate"), so leave no lock file.
        self.path: Path | None = None
        if database is not None and database.is_file():
            self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> OneProcessPerSqliteFile:
        if self.path is None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(
                f"DATABASE_URL: another jembatan process is already running on {self.path.with_suffix('')}; "
                "SQLite serves one process (use PostgreSQL to run more than one)"
            ) from None
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock; the file stays for the next start
            self._fd = None
