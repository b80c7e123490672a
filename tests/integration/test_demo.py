"""`jembatan demo` runs the whole loop; the README's first command must keep working."""

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from adapters.console.demo import run_demo
from bot.app import person_name


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


def test_demo_names_are_unique_at_any_size() -> None:
    # They repeated every 120 members: "@Sari Kusuma × @Sari Kusuma" looks like a pairing bug.
    names = [person_name(i) for i in range(1, 1001)]
    assert len(set(names)) == 1000
    assert len({person_name(i) for i in range(1, 20_001)}) == 20_000


async def test_two_hundred_members_never_show_one_name_in_two_places(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_demo(members=200, rounds=1, console=Console(file=out, width=200), folder=tmp_path)
    pairs = [line for line in out.getvalue().splitlines() if "•" in line and "×" in line]
    assert len(pairs) == 30 and "and 70 more" in out.getvalue()  # the post lists 30 of 100 groups
    shown = [name.strip(" │•") for line in pairs for name in line.split("×")]
    assert len(set(shown)) == len(shown) == 60, "one name in two places reads as one person paired twice"


async def test_the_deliberate_mistake_is_announced_as_one(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_demo(members=4, rounds=1, console=Console(file=out, width=100), folder=tmp_path)
    text = out.getvalue()
    warning, mistake = text.index("A deliberate mistake"), text.index("/jembatan pause 20")
    assert warning < mistake


def test_demo_help_explains_every_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "demo", "--help"], capture_output=True, text=True, timeout=60
    )
    options = done.stdout[done.stdout.index("options:") :]
    for option in ("--members", "--rounds", "--lang", "--seed"):
        described = options[options.index(option) :].split("\n  -")[0]
        assert len(described.split()) > 4, f"{option} has no explanation: {described!r}"


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


def _readme_excerpt() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What people see") :]
    return section[section.index("```text\n") + 8 : section.index("\n```", section.index("```text"))]


async def test_the_readme_excerpt_is_what_the_demo_prints(tmp_path: Path) -> None:
    # The README shows an excerpt of `jembatan demo --members 24 --rounds 2`: every line it
    # quotes must be one the demo prints (at 85 columns), so the figures there stay true.
    excerpt = _readme_excerpt()
    out = io.StringIO()
    await run_demo(members=24, rounds=2, console=Console(file=out, width=85), folder=tmp_path)
    printed = {line.rstrip() for line in out.getvalue().splitlines()}
    quoted = [
        line.rstrip()
        for line in excerpt.splitlines()
        if "…" not in line and "(a group DM on Slack" not in line and " groups in " not in line
    ]
    assert len(quoted) > 40
    missing = [line for line in quoted if line not in printed]
    assert not missing, missing
