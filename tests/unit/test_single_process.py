"""A second bot process on one SQLite file is refused with one line; PostgreSQL is not limited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.single_process import AlreadyRunning, OneProcessPerSqliteFile

HOLD = """
import sys, time
from bot.store.single_process import OneProcessPerSqliteFile
with OneProcessPerSqliteFile(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def url(tmp_path: Path) -> str:
    (tmp_path / "jembatan.db").touch()
    return f"sqlite:///{tmp_path / 'jembatan.db'}"


def test_a_second_holder_of_the_same_file_is_refused(url: str) -> None:
    with OneProcessPerSqliteFile(url), pytest.raises(AlreadyRunning) as refused:
        OneProcessPerSqliteFile(url).__enter__()
    message = str(refused.value)
    assert "another jembatan process" in message and "PostgreSQL" in message and "\n" not in message
    with OneProcessPerSqliteFile(url):  # released on exit: the next start is fine
        pass


def test_the_lock_dies_with_a_killed_process(url: str) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(AlreadyRunning):
            OneProcessPerSqliteFile(url).__enter__()
    finally:
        holder.kill()
        holder.wait()
    with OneProcessPerSqliteFile(url):  # kill -9 left no stale lock behind
        pass


@pytest.mark.parametrize("other", ["postgresql://u@h/db", "sqlite:///:memory:", "sqlite:////no/such/j.db"])
def test_databases_without_a_file_take_no_lock(other: str) -> None:
    with OneProcessPerSqliteFile(other), OneProcessPerSqliteFile(other):
        pass
