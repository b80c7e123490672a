"""Foreseeable problems stop the real command with one line that names the fix, never a traceback.

A base install (`pip install -e .`, no extras) lacks the platform SDKs and asyncpg. Uninstalling
them for a test is not an option, so the command runs behind a wrapper that makes the named
modules unimportable, as they are on such an install (`None` in sys.modules is what the import
system reads as "not installed": imports raise ModuleNotFoundError and find_spec answers None).
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SLACK_EXTRA = ("slack_bolt", "slack_sdk", "aiohttp", "cryptography")
DISCORD_EXTRA = ("discord", "aiohttp")
BASE_INSTALL_LACKS = (*SLACK_EXTRA, "discord", "asyncpg")

_WITHOUT = (
    "import runpy, sys\n"
    "sys.modules.update(dict.fromkeys(sys.argv.pop(1).split(',')))\n"
    "sys.argv[0] = 'jembatan'\n"
    "runpy.run_module('adapters.cli', run_name='__main__', alter_sys=True)\n"
)


def jembatan_without(
    missing: tuple[str, ...], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`jembatan ARGS` as it runs where the modules `missing` are not installed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, ",".join(missing) or "_", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "LOG_LEVEL": "WARNING", **(env or {})},
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.returncode == 2, done.stderr
    return done.stderr.strip()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jembatan.db'}"


SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}


@pytest.mark.parametrize("missing", [SLACK_EXTRA, *((name,) for name in SLACK_EXTRA)])
def test_run_slack_without_the_slack_extra_says_how_to_install_it(
    missing: tuple[str, ...], tmp_path: Path
) -> None:
    done = jembatan_without(missing, "run", "slack", env={**SLACK_ENV, "DATABASE_URL": sqlite_url(tmp_path)})
    assert one_line(done) == "jembatan: install the slack extra first: pip install 'jembatan[slack]'"


@pytest.mark.parametrize("args", [("run", "discord"), ("discord", "sync"), ("discord", "invite")])
@pytest.mark.parametrize("missing", [DISCORD_EXTRA, ("discord",), ("aiohttp",)])
def test_discord_commands_without_the_discord_extra_say_how_to_install_it(
    args: tuple[str, ...], missing: tuple[str, ...], tmp_path: Path
) -> None:
    env = {"DISCORD_TOKEN": "MTIz.abc.def", "DATABASE_URL": sqlite_url(tmp_path)}
    done = jembatan_without(missing, *args, env=env)
    assert one_line(done) == "jembatan: install the discord extra first: pip install 'jembatan[discord]'"


POSTGRES_FIX = "jembatan: DATABASE_URL is PostgreSQL, which needs asyncpg: pip install 'jembatan[postgres]'"


def test_migrate_to_postgresql_without_asyncpg_says_how_to_install_it() -> None:
    url = "postgresql://jembatan:hunter2@127.0.0.1:5432/jembatan"
    done = jembatan_without(BASE_INSTALL_LACKS, "migrate", env={"DATABASE_URL": url})
    assert one_line(done) == POSTGRES_FIX


@pytest.mark.parametrize(
    "args, env",
    [
        (("run", "slack"), SLACK_ENV),
        (("run", "slack", "--mode", "http"), {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}),
        (("run", "discord"), {"DISCORD_TOKEN": "MTIz.abc.def"}),
    ],
)
def test_running_on_postgresql_without_asyncpg_says_how_to_install_it(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    url = "postgresql://jembatan:hunter2@127.0.0.1:5432/jembatan"
    done = jembatan_without(("asyncpg",), *args, env={**env, "DATABASE_URL": url})
    assert one_line(done) == POSTGRES_FIX


@pytest.mark.parametrize("where", ["http://127.0.0.1:{port}", "http://discord.invalid"])
def test_discord_sync_with_discord_unreachable_is_one_line(where: str) -> None:
    api = where.format(port=closed_port())
    env = {"DISCORD_TOKEN": "MTIz.abc.def", "DISCORD_API_URL": api, "LOG_LEVEL": "INFO"}  # the default
    done = jembatan_without((), "discord", "sync", env=env)
    said = one_line(done)
    assert said.startswith("jembatan: cannot reach Discord (")
    assert said.endswith("); check the network, or DISCORD_API_URL if it is set")
    assert "MTIz" not in done.stdout + done.stderr


def test_discord_sync_against_something_that_is_not_discord_is_one_line(tmp_path: Path) -> None:
    # A DISCORD_API_URL with a typo that reaches some other web server: 404 and an HTML page.
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api = f"http://127.0.0.1:{server.server_address[1]}/api/v10"
        env = {"DISCORD_TOKEN": "MTIz.abc.def", "DISCORD_API_URL": api, "LOG_LEVEL": "INFO"}
        done = jembatan_without((), "discord", "sync", env=env)
        server.shutdown()
    said = "jembatan: Discord answered the login with 404; check DISCORD_API_URL if it is set"
    assert one_line(done) == said


def test_ctrl_c_stops_the_demo_with_one_line() -> None:
    demo = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "demo", "--members", "400", "--rounds", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Started from a background job, SIGINT may be ignored; a terminal's Ctrl-C is not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert demo.stdout is not None
    demo.stdout.readline()  # it has started
    demo.send_signal(signal.SIGINT)
    _, err = demo.communicate(timeout=120)
    assert err == "jembatan: interrupted\n" and demo.returncode == 130


@pytest.mark.parametrize(
    "args, env",
    [
        (("migrate",), {}),
        (("run", "slack", "--mode", "http"), {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}),
        (("run", "discord"), {"DISCORD_TOKEN": "MTIz.abc.def"}),
    ],
)
def test_a_database_that_refuses_the_login_is_one_line_without_the_password(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    server = os.environ.get("JEMBATAN_TEST_POSTGRES")
    if not server:
        pytest.skip("JEMBATAN_TEST_POSTGRES is not set")
    from sqlalchemy.engine import make_url

    url = make_url(server).set(username="no_such_role", password="hunter2", database="no_such_db")
    done = jembatan_without((), *args, env={**env, "DATABASE_URL": url.render_as_string(hide_password=False)})
    said = one_line(done)
    assert said == 'jembatan: DATABASE_URL: cannot use the database: role "no_such_role" does not exist'
    assert "hunter2" not in done.stdout + done.stderr
