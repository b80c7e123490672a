"""The shape of the code, enforced: imports flow adapters → bot, services → ports, domain → nothing."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(folder: str, banned: tuple[str, ...]) -> dict[str, set[str]]:
    return {
        path: {n for n in names if n.split(".")[0] in banned or n.startswith(banned)}
        for path, names in _imports(folder).items()
        if any(n.split(".")[0] in banned or n.startswith(banned) for n in names)
    }


@pytest.mark.parametrize(
    ("folder", "banned"),
    [
        ("bot", ("slack_bolt", "slack_sdk", "discord", "adapters", "aiohttp")),
        (
            "bot/domain",
            ("sqlalchemy", "alembic", "apscheduler", "bot.store", "bot.services", "matplotlib", "rich"),
        ),
        ("bot/services", ("sqlalchemy", "apscheduler")),
        ("adapters/slack", ("discord", "adapters.discord", "adapters.console")),
        ("adapters/discord", ("slack_bolt", "slack_sdk", "adapters.slack", "adapters.console")),
    ],
)
def test_layers_only_import_downwards(folder: str, banned: tuple[str, ...]) -> None:
    assert _offenders(folder, banned) == {}


def test_apscheduler_lives_only_in_the_runtime() -> None:
    users = {p for p, names in _imports("bot").items() if any(n.startswith("apscheduler") for n in names)}
    assert users <= {"bot/runtime/ticker.py"}
