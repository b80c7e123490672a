"""Every environment variable the code reads is documented and passed through by the deployment,
so an operator never has to read the source to configure Jembatan."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READ_BY_CODE = re.compile(r"""["']((?:SLACK|DISCORD|JEMBATAN|DATABASE|LOG)_[A-Z_]+|PORT)["']""")
# Read by the test suite and CI only, or set by the compose file itself.
NOT_FOR_OPERATORS = {"JEMBATAN_TEST_POSTGRES", "JEMBATAN_PLATFORM"}


def _variables_read() -> set[str]:
    names: set[str] = set()
    for folder in ("bot", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(READ_BY_CODE.findall(path.read_text(encoding="utf-8")))
    return names - NOT_FOR_OPERATORS


def test_the_code_reads_the_variables_we_expect() -> None:
    # Guards the regular expression: if it found nothing, the tests below could not fail.
    assert {"DATABASE_URL", "SLACK_BOT_TOKEN", "DISCORD_TOKEN", "JEMBATAN_SECRET_KEY"} <= _variables_read()


@pytest.mark.parametrize("document", ["README.md", "deploy/compose.yml"])
def test_every_variable_is_in(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    missing = sorted(name for name in _variables_read() if name not in text)
    assert missing == [], f"{document} does not mention {missing}"
