"""`jembatan --help` and `jembatan pair` start quickly because they import only what they use.

Timing a start would be flaky on a busy machine; what makes a start slow is importing the
database, chart and platform libraries, so this checks which modules a real process loaded.
bench/startup.py prints the times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "sqlalchemy",
    "alembic",
    "apscheduler",
    "matplotlib",
    "rich",
    "aiohttp",
    "slack_bolt",
    "discord",
    "numpy",
)

# Runs the command in-process, then reports which of HEAVY it loaded on stderr's last line.
_PROBE = (
    "import json, runpy, sys\n"
    "heavy = json.loads(sys.argv.pop(1))\n"
    "sys.argv[0] = 'jembatan'\n"
    "try:\n"
    "    runpy.run_module('adapters.cli', run_name='__main__', alter_sys=True)\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "loaded = sorted({name.split('.')[0] for name in sys.modules} & set(heavy))\n"
    "print(json.dumps(loaded), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def loaded_by(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stderr.splitlines()[-1]))


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.json"
    divisions = ("Sales", "Finance", "Legal")
    path.write_text(
        json.dumps({"members": [{"id": f"U{i}", "division": divisions[i % 3]} for i in range(10)]})
    )
    return path


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("run", "--help"), ("pair", "--help")])
def test_help_loads_no_database_chart_or_platform_library(args: tuple[str, ...]) -> None:
    assert loaded_by(*args) == []


def test_pair_loads_no_database_chart_or_platform_library(roster: Path, tmp_path: Path) -> None:
    assert loaded_by("pair", str(roster), "--out", str(tmp_path / "out.json")) == []
    assert len(json.loads((tmp_path / "out.json").read_text())["groups"]) == 5
