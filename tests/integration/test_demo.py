"""`jembatan demo` runs the whole loop; the README's first command must keep working."""

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from adapters.console.demo import run_demo


async def test_the_demo_shows_the_loop_end_to_end(tmp_path: Path) -> None:
    out = io.StringIO()
    result = await run_demo(members=14, rounds=3, console=Console(file=out, width=100), folder=tmp_path)
    text = out.getvalue()
    for expected in (
        "New Jembatan pairs",
        "Hello @",
        "Icebreaker",
        "check-in",
        "Jembatan milestones",
        "gives a shout-out",
        "Meetup rate",
        "Pause for a whole number of weeks",
    ):
        assert expected in text, expected
    assert result.chart.read_bytes().startswith(b"\x89PNG")
    assert result.groups == 3 * 7


async def test_the_demo_speaks_indonesian(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_demo(members=6, rounds=1, lang="id", console=Console(file=out, width=100), folder=tmp_path)
    assert "Pasangan Jembatan yang baru" in out.getvalue()


def test_the_console_script_runs_the_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "demo", "--members", "8", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Stats chart:" in done.stdout and "Traceback" not in done.stderr


def test_bad_demo_arguments_get_one_line_not_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "demo", "--members", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
