"""JEMBATAN_SECRET_KEY: a weak key is refused at start, with how to make a good one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings

GOOD = "0hM3vWkqk7XyTBn3mJ7c1yq0z9dGm4rQ2sVbLfPaE8w"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("weak", ["short", "k3y", "a" * 40, "operator passphrase"])
def test_a_weak_secret_key_is_refused(weak: str) -> None:
    with pytest.raises(ConfigError, match="JEMBATAN_SECRET_KEY"):
        Settings.from_env({"JEMBATAN_SECRET_KEY": weak})


def test_a_generated_key_and_a_long_passphrase_are_accepted() -> None:
    assert Settings.from_env({"JEMBATAN_SECRET_KEY": GOOD}).secret_key == GOOD
    passphrase = "correct horse battery staple, twice over"
    assert Settings.from_env({"JEMBATAN_SECRET_KEY": passphrase}).secret_key == passphrase


def test_starting_with_a_weak_key_is_one_line_saying_how_to_make_a_good_one(tmp_path: Path) -> None:
    env = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "JEMBATAN_SECRET_KEY": "short",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}",
    }
    done = _run("run", "slack", "--mode", "http", env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "JEMBATAN_SECRET_KEY" in lines[0]
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in lines[0]
    assert "short" not in lines[0]  # the key itself is never shown
