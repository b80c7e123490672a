"""The door holds: an adapter that reaches past bot/app.py into the store, or imports SQLAlchemy
itself, breaks the build (`lint-imports`, run in CI, reads the contracts in pyproject.toml).

Each case copies the code to a scratch folder, adds one import to an adapter there, and runs
the real linter on the copy, so the test checks the contracts as CI runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[2]
DOOR = "Adapters go through the door: they import only bot.app and the shared vocabulary"
SQL = "Only the store imports SQLAlchemy and Alembic"


def _copy(tmp_path: Path) -> Path:
    for package in ("bot", "adapters"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    linter = Path(sys.executable).parent / "lint-imports"
    command = [str(linter)] if linter.exists() else ["lint-imports"]
    return subprocess.run(
        [*command, "--no-cache"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_code_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("adapter", "line", "broken"),
    [
        ("adapters/slack/render.py", "import bot.store.db", DOOR),
        ("adapters/discord/render.py", "from bot.store.unit_of_work import Store", DOOR),
        ("adapters/slack/render.py", "import sqlalchemy", DOOR),
        ("adapters/discord/messenger.py", "from sqlalchemy import select", SQL),
        ("adapters/dashboard/app.py", "from bot.services import dispatch", DOOR),
    ],
)
def test_an_adapter_that_reaches_past_the_door_breaks_the_build(
    tmp_path: Path, adapter: str, line: str, broken: str
) -> None:
    folder = _copy(tmp_path)
    with (folder / adapter).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}  # reaching past the door\n")
    done = _lint(folder)
    said = "".join((done.stdout + done.stderr).split())  # the report wraps long names anywhere
    assert done.returncode != 0
    assert "".join(f"{broken} BROKEN".split()) in said


def test_an_import_circle_in_the_store_breaks_the_build(tmp_path: Path) -> None:
    # The circle issue 12 removed: the schema importing a repository that imports the schema.
    folder = _copy(tmp_path)
    with (folder / "bot/store/tables.py").open("a", encoding="utf-8") as source:
        source.write("\nfrom bot.store import installations as _installations  # noqa: E402, F401\n")
    done = _lint(folder)
    assert done.returncode != 0
    assert "NoimportcirclesinsidethestoreBROKEN" in "".join((done.stdout + done.stderr).split())


# What an adapter may import of the core: the door and the shared vocabulary, nothing else.
VOCABULARY = {
    "bot",
    "bot.app",
    "bot.commands",
    "bot.messages",
    "bot.actions",
    "bot.ports",
    "bot.settings",
    "bot.i18n",
    "bot.grammar",
    "bot.forms",
    "bot.catalog",
    "bot.shapes",
    "bot.home",
    "bot.domain",
    "bot.domain.model",
    "bot.domain.lengths",
    "bot.domain.markup",
}


def test_every_module_of_the_core_is_either_vocabulary_or_behind_the_door() -> None:
    """The door's contract lists what adapters may NOT import; a module added to the core later
    must be classified too, or an adapter could reach it unseen."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    door = next(c for c in contracts if c["name"] == DOOR)
    forbidden = [m for m in door["forbidden_modules"] if m.startswith("bot.")]
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "bot").rglob("*.py")
    }
    unclassified = sorted(
        m for m in modules - VOCABULARY if not any(m == f or m.startswith(f + ".") for f in forbidden)
    )
    assert not unclassified, f"add these to the door's contract or to the vocabulary: {unclassified}"
    wrongly_forbidden = sorted(
        m for m in VOCABULARY if any(m == f or m.startswith(f + ".") for f in forbidden)
    )
    assert not wrongly_forbidden
