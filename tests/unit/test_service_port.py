"""The use cases reach the store only through the port (bot/services/ports.py), so each of them
runs on the in-memory unit of work (tests/fake_unit_of_work.py) as well as on the database."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "bot" / "services"
# The dashboard's read-only pages hold no rule worth a fake; they read the store directly.
READS_THE_STORE = {"dashboard.py"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_services_depend_on_the_unit_of_work_port_not_the_database_one() -> None:
    concrete = {
        path.name
        for path in SERVICES.glob("*.py")
        if path.name not in READS_THE_STORE and "bot.store.unit_of_work" in _imports(path)
    }
    assert concrete == set()
