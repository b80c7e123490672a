"""The command line: migrate, friendly one-line errors, and no secret ever printed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_migrate_creates_the_schema_at_database_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    done = _run("migrate", env={"DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"jembatan: the database {tmp_path / 'prod.db'} is at the latest schema\n"
    assert (tmp_path / "prod.db").stat().st_size > 0


def test_migrate_names_the_postgresql_database_without_its_password(postgres_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(password="hunter2")  # the test server trusts any password
    done = _run("migrate", env={"DATABASE_URL": url.render_as_string(hide_password=False)})
    assert done.returncode == 0, done.stderr
    masked = f"postgresql://{url.username}:***@{url.host}:{url.port}/{url.database}"
    assert done.stdout == f"jembatan: the database {masked} is at the latest schema\n"
    assert "hunter2" not in done.stdout + done.stderr


def test_a_bad_database_url_is_one_line_without_the_password() -> None:
    done = _run("migrate", env={"DATABASE_URL": "mysql://admin:hunter2@db/x"})
    assert done.returncode == 2
    assert done.stderr.strip() == "jembatan: DATABASE_URL must start with sqlite:/// or postgresql://"
    assert "hunter2" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql://postgres:hunter2@127.0.0.1:1/x", "cannot use the database: Connect call failed"),
        ("sqlite:////no/such/folder/x.db", "the folder /no/such/folder does not exist"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_without_the_password(url: str, says: str) -> None:
    done = _run("migrate", env={"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"jembatan: DATABASE_URL: {says}")
    assert "hunter2" not in done.stdout + done.stderr


def test_run_has_help_and_names_the_platforms() -> None:
    helped = _run("run", "--help")
    assert helped.returncode == 0 and "{slack,discord}" in helped.stdout
    wrong = _run("run", "teams")
    assert wrong.returncode == 2 and "invalid choice: 'teams'" in wrong.stderr
    discord = _run("run", "discord", "--help")
    assert discord.returncode == 0 and discord.stdout.startswith("usage: jembatan run discord")


def test_bad_settings_name_the_variable() -> None:
    done = _run("migrate", env={"JEMBATAN_TICK_SECONDS": "often"})
    assert done.returncode == 2 and "JEMBATAN_TICK_SECONDS" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args, env",
    [
        (("migrate",), {}),
        (("run", "slack"), {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_APP_TOKEN": "xapp-secret-2"}),
        (("run", "discord"), {"DISCORD_TOKEN": "secret.discord.token"}),
    ],
)
def test_a_misspelt_log_level_stops_every_command_with_one_line(
    args: tuple[str, ...], env: dict[str, str], tmp_path: Path
) -> None:
    done = _run(*args, env={**env, "LOG_LEVEL": "verbose", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert done.returncode == 2
    assert done.stderr.strip() == "jembatan: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    assert "secret" not in done.stdout + done.stderr


def test_settings_never_show_tokens_in_their_repr() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "DISCORD_TOKEN": "discord-secret",
            "SLACK_SIGNING_SECRET": "signing-secret",
            "JEMBATAN_SECRET_KEY": "k3y-4-long-enough-passphrase-0123456789",
        }
    )
    shown = repr(settings)
    for secret in ("xoxb-secret", "discord-secret", "signing-secret", "k3y-4"):
        assert secret not in shown


@pytest.mark.parametrize(
    "args, env",
    [
        (("run", "slack", "--mode", "http"), {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}),
        (("run", "discord"), {"DISCORD_TOKEN": "MTIz.abc.def"}),
    ],
)
def test_running_before_migrating_says_so_and_leaves_no_empty_file(
    args: tuple[str, ...], env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "jembatan.db"
    done = _run(*args, env={**env, "DATABASE_URL": f"sqlite:///{path}"})
    assert done.returncode == 2
    said = f"jembatan: DATABASE_URL: there is no database at {path} yet; run `jembatan migrate`"
    assert done.stderr.strip() == said
    assert not path.exists()


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    done = _run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"jembatan {version('jembatan')}"


@pytest.mark.parametrize(
    "url, driver_sees",
    [
        ("postgresql://u:p@db/x?sslmode=require", "postgresql+asyncpg://u:p@db/x?ssl=require"),
        ("postgres://u:p@db/x?sslmode=disable&application_name=j", "ssl=disable"),
        ("sqlite:///jembatan.db", "sqlite+aiosqlite:///jembatan.db"),
    ],
)
def test_database_urls_as_providers_write_them_reach_the_async_driver(url: str, driver_sees: str) -> None:
    # Managed PostgreSQL hands out libpq URLs with `sslmode`; asyncpg refuses that name.
    from bot.store.db import async_url

    assert driver_sees in async_url(url)
    assert "sslmode" not in async_url(url)
