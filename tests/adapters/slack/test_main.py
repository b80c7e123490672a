"""`jembatan run slack`: one-line configuration errors, and both modes started for real."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.oauth.installation_store.models.bot import Bot

from adapters.cli import main as cli
from adapters.slack.installations import SqlInstallationStore
from adapters.slack.main import BadConfig, Config, load_config, run
from bot.app import Installs, open_store
from bot.installations import fernet
from tests.adapters.slack.conftest import SECRET, sign
from tests.adapters.slack.fake_slack import FakeSlack

TOKEN = "xoxb-secret-bot-token-123"
APP_TOKEN = "xapp-secret-app-token-456"
CLIENT_SECRET = "client-secret-789"
SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "JEMBATAN_SECRET_KEY",
    "JEMBATAN_TICK_SECONDS",
    "PORT",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("env", "argv", "names"),
    [
        ({}, [], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SECRET}, [], "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": TOKEN}, [], "--mode http (or set SLACK_APP_TOKEN"),
        (
            {
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "DATABASE_URL": "sqlite:////no/such/j.db",
            },
            ["--mode", "http"],
            "DATABASE_URL: there is no database at /no/such/j.db yet; run `jembatan migrate`",
        ),
        ({"SLACK_BOT_TOKEN": TOKEN}, ["--mode", "socket"], "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": TOKEN}, [], "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "DATABASE_URL": "mysql://x"},
            [],
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "ftp://x"},
            [],
            "SLACK_API_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "JEMBATAN_TICK_SECONDS": "1"},
            [],
            "JEMBATAN_TICK_SECONDS",
        ),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_SIGNING_SECRET": SECRET},
            [],
            "JEMBATAN_SECRET_KEY",
        ),
        (
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_SIGNING_SECRET": SECRET,
                "JEMBATAN_SECRET_KEY": "k" * 8 + "abcdefghij0123456789xyzABCDEFGHIJ",
            },
            [],
            "SLACK_CLIENT_SECRET",
        ),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}, ["--port", "99999"], "--port"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "http"}, [], "PORT"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}, ["--mode", "carrier-pigeon"], "--mode"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    argv: list[str],
    names: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli(["run", "slack", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("jembatan: ") and names in err
    for secret in (TOKEN, APP_TOKEN, CLIENT_SECRET, SECRET):
        assert secret not in err


def test_the_mode_defaults_to_socket_when_an_app_token_is_set() -> None:
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    assert load_config([], env).mode == "socket"
    assert load_config(["--mode", "http"], env | {"SLACK_SIGNING_SECRET": SECRET}).mode == "http"
    assert load_config([], {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}).mode == "http"


HTTP_ENV = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}


def test_the_port_comes_from_port_unless_given_on_the_command_line() -> None:
    assert load_config([], HTTP_ENV).port == 3000
    assert load_config([], HTTP_ENV | {"PORT": ""}).port == 3000  # compose's `${PORT:-}`
    assert load_config([], HTTP_ENV | {"PORT": "8080"}).port == 8080
    assert load_config(["--port", "9000"], HTTP_ENV | {"PORT": "8080"}).port == 9000


@pytest.mark.parametrize("value", ["http", "0", "65536", "-1", "30.5", "٣٠٠٠", "3000x"])
def test_a_port_that_is_not_a_port_names_port(value: str) -> None:
    with pytest.raises(BadConfig, match=r"^PORT must be a number from 1 to 65535$"):
        load_config([], HTTP_ENV | {"PORT": value})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config_for(fake: FakeSlack, db: Path, argv: list[str], **extra: str) -> Config:
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_API_URL": fake.base_url + "/api",
        "DATABASE_URL": f"sqlite:///{db}",
        **extra,
    }
    return load_config(argv, env)


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "run.db"
    shutil.copy(sqlite_template, path)
    return path


async def test_http_mode_serves_events_and_healthz_until_stopped(
    fake: FakeSlack, db: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)  # as in production, where Bolt finds it too
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(run(config_for(fake, db, ["--mode", "http", "--port", str(port)]), stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(base + "/healthz") as response:
                    assert response.status == 200
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        body = urlencode(
            {
                "team_id": fake.team_id,
                "user_id": "U0ADMIN",
                "channel_id": "C0PAIRS",
                "command": "/jembatan",
                "text": "setup",
                "trigger_id": "t-run",
                "response_url": fake.response_url("run"),
            }
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(body, stamp),
        }
        async with http.post(base + "/slack/events", data=body, headers=headers) as response:
            assert response.status == 200
    for _ in range(100):
        if fake.responses:
            break
        await asyncio.sleep(0.05)
    assert "set up" in fake.responses[0]["text"]
    assert fake.called("auth.test")  # the token was checked at start
    stop.set()
    await asyncio.wait_for(task, 10)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_socket_mode_connects_with_the_app_token(fake: FakeSlack, db: Path) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run(config_for(fake, db, []), stop))
    await fake.connected()
    assert fake.called("apps.connections.open")[0].token == fake.app_token
    payload = {
        "team_id": fake.team_id,
        "user_id": "U1",
        "channel_id": "C0PAIRS",
        "command": "/jembatan",
        "text": "help",
        "trigger_id": "t-sock",
        "response_url": fake.response_url("sock"),
    }
    assert await fake.envelope("slash_commands", payload, "E-run") == {"envelope_id": "E-run"}
    for _ in range(100):
        if fake.responses:
            break
        await asyncio.sleep(0.05)
    assert "join [division]" in fake.responses[0]["text"]
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_a_refused_token_stops_the_start_with_one_line(fake: FakeSlack, db: Path) -> None:
    config = config_for(
        fake, db, ["--mode", "http", "--port", str(free_port())], SLACK_BOT_TOKEN="xoxb-wrong"
    )
    with pytest.raises(BadConfig, match=r"^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)$"):
        await run(config, asyncio.Event())


async def test_a_refused_app_token_stops_the_socket_mode_start_with_one_line(
    fake: FakeSlack, db: Path
) -> None:
    config = config_for(fake, db, [], SLACK_APP_TOKEN=APP_TOKEN)
    # Without the check, the Socket Mode client retries the refused token forever.
    with pytest.raises(BadConfig) as refused:
        await asyncio.wait_for(run(config, asyncio.Event()), 10)
    assert str(refused.value) == "SLACK_APP_TOKEN was refused by Slack (invalid_auth)"
    assert APP_TOKEN not in str(refused.value)
    [asked] = fake.called("apps.connections.open")
    assert asked.token == APP_TOKEN


async def test_a_port_in_use_stops_the_http_start_with_one_line(
    fake: FakeSlack, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url + "/api",
            "DATABASE_URL": f"sqlite:///{db}",
            "PORT": str(port),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        # The command runs its own event loop; this test's loop serves the fake Slack meanwhile.
        status = await asyncio.to_thread(cli, ["run", "slack", "--mode", "http"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("jembatan: --port/PORT ") and "in use" in err


async def test_an_unmigrated_database_asks_for_jembatan_migrate(fake: FakeSlack, tmp_path: Path) -> None:
    config = config_for(fake, tmp_path / "empty.db", ["--mode", "http"])
    with pytest.raises(BadConfig, match="run `jembatan migrate`"):
        await run(config, asyncio.Event())


async def test_an_oauth_start_erases_workspaces_that_left_while_offline(fake: FakeSlack, db: Path) -> None:
    key, client_id = "an operator passphrase, long enough", "1.2"
    database = open_store(f"sqlite:///{db}", slack_client_id=client_id)
    store = SqlInstallationStore(Installs(database, fernet(key)))
    for team, token in {"T0GONE": "xoxb-gone", "T0STAYS": "xoxb-stays"}.items():
        await store.async_save_bot(
            Bot(app_id="A0", team_id=team, bot_token=token, bot_id="B0", bot_user_id="UBOT", installed_at=1.0)
        )
    fake.tokens["xoxb-stays"] = "T0STAYS"
    fake.revoked.add("xoxb-gone")  # removed while Jembatan was down
    env = {
        "SLACK_CLIENT_ID": client_id,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "JEMBATAN_SECRET_KEY": key,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url + "/api",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    stop = asyncio.Event()
    task = asyncio.create_task(run(load_config(["--mode", "http", "--port", str(free_port())], env), stop))
    try:
        for _ in range(200):
            if await store.async_find_bot(enterprise_id=None, team_id="T0GONE") is None:
                break
            await asyncio.sleep(0.05)
        assert await store.async_find_bot(enterprise_id=None, team_id="T0GONE") is None
        assert await store.async_find_bot(enterprise_id=None, team_id="T0STAYS") is not None
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await database.dispose()
