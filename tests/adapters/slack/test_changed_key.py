"""A changed JEMBATAN_SECRET_KEY is the operator's mistake, not an uninstall: messages wait,
nothing is erased, nobody is told to reinstall, and all resumes once the right key is back.
Keys rotate with the old key beside the new one and `jembatan rotate-key`."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from adapters.slack.server import web_app
from adapters.slack.wiring import Slack, assemble
from bot.domain.model import Platform, TenantRef
from bot.installations import fernet, unreadable_line
from bot.messages import Notice, ToUser
from bot.settings import Settings
from bot.store.tables import outbox, slack_installations, tenants
from tests.adapters.slack.conftest import SECRET, Harness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_oauth import install
from tests.fakes import FakeClock

OLD_KEY = "the key the tokens were stored with in 2025"
NEW_KEY = "a brand new key for the same deployment in 2026"


@pytest.fixture
def settings(fake: FakeSlack, tmp_path: Path, sqlite_template: Path) -> Settings:
    path = tmp_path / "oauth.db"
    shutil.copy(sqlite_template, path)
    return Settings(
        database_url=f"sqlite:///{path}",
        slack_signing_secret=SECRET,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        secret_key=OLD_KEY,
        slack_api_url=fake.base_url + "/api/",
    )


async def started(settings: Settings, clock: FakeClock) -> Slack:
    slack = assemble(settings, clock=clock, process_before_response=True)
    assert slack.installations is not None
    await slack.installations.check_keys()  # what `jembatan run slack` does at start
    return slack


@pytest.fixture
async def installed(fake: FakeSlack, settings: Settings, clock: FakeClock) -> AsyncIterator[TenantRef]:
    """A workspace installed under OLD_KEY, with one message waiting to be sent to it."""
    slack = await started(settings, clock)
    server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        team = await install(
            Harness(fake, slack, str(server.make_url("")).rstrip("/"), http, clock), "globex"
        )
    tenant = TenantRef(Platform.SLACK, team)
    async with slack.jembatan.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(tenant, clock())
        await uow.scoped(tenant_id).outbox.add("hello", ToUser("U1"), Notice("Hello there"), clock())
        await uow.commit()
    await server.close()
    await slack.close()
    yield tenant


async def _state(slack: Slack) -> tuple[list[str], bool, int]:
    async with slack.jembatan.store.engine.connect() as conn:
        statuses = [r.status for r in await conn.execute(select(outbox.c.status))]
        active = bool((await conn.execute(select(tenants.c.active))).scalar_one())
        installs = len((await conn.execute(select(slack_installations))).all())
    return statuses, active, installs


async def test_a_changed_key_holds_messages_and_they_go_once_the_key_is_back(
    fake: FakeSlack, settings: Settings, clock: FakeClock, installed: TenantRef
) -> None:
    wrong = await started(replace(settings, secret_key=NEW_KEY), clock)
    try:
        assert wrong.installations is not None and installed in wrong.installations.unreadable
        for _ in range(8):  # many passes of the relay: nothing may fail meanwhile
            clock.advance(minutes=30)
            await wrong.jembatan.relay.drain()
        assert await _state(wrong) == (["pending"], True, 1)  # waiting; on; installation kept
        assert fake.called("chat.postMessage") == []
    finally:
        await wrong.close()
    # The operator puts the old key back beside the new one: the message goes by itself.
    rotated = await started(replace(settings, secret_key=NEW_KEY, old_secret_keys=(OLD_KEY,)), clock)
    try:
        await rotated.jembatan.relay.drain()
        assert await _state(rotated) == (["sent"], True, 1)
        assert len(fake.called("chat.postMessage")) == 1
    finally:
        await rotated.close()


async def test_a_command_under_a_changed_key_is_not_told_to_reinstall(
    fake: FakeSlack, settings: Settings, clock: FakeClock, installed: TenantRef
) -> None:
    wrong = await started(replace(settings, secret_key=NEW_KEY), clock)
    server = TestServer(web_app(wrong.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            h = Harness(fake, wrong, str(server.make_url("")).rstrip("/"), http, clock)
            response = await h.form(
                {
                    "team_id": installed.external_id,
                    "channel_id": "C0PAIRS",
                    "user_id": "U1",
                    "command": "/jembatan",
                    "text": "status",
                    "api_app_id": "A0JEMBATAN",
                    "response_url": fake.response_url("status"),
                    "trigger_id": "trig-1",
                }
            )
            shown = await response.text()
        said = shown + "".join(str(r) for r in fake.responses)
        assert "reinstall" not in said.lower()
        assert "setting on its server" in said
    finally:
        await server.close()
        await wrong.close()


def test_the_start_up_check_names_the_workspaces_in_one_line() -> None:
    line = unreadable_line([TenantRef(Platform.SLACK, "T0GLOBEX"), TenantRef(Platform.SLACK, "T0ACME")])
    assert "\n" not in line
    assert "T0GLOBEX" in line and "T0ACME" in line and "JEMBATAN_SECRET_KEY" in line


async def test_rotate_key_re_encrypts_every_token_with_the_new_key(
    settings: Settings, installed: TenantRef
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "JEMBATAN_SECRET_KEY": NEW_KEY,
        "JEMBATAN_OLD_SECRET_KEYS": OLD_KEY,
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "adapters.cli", "rotate-key"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 1 stored token(s)" in done.stdout
    slack = assemble(replace(settings, secret_key=NEW_KEY), process_before_response=True)
    try:
        async with slack.jembatan.store.engine.connect() as conn:
            [stored] = (await conn.execute(select(slack_installations.c.bot_token))).scalars().all()
        assert fernet(NEW_KEY).decrypt(stored.encode()).decode().startswith("xoxb-")  # the new key alone
    finally:
        await slack.close()


async def test_starting_with_a_changed_key_says_which_workspaces_in_one_line_and_erases_nothing(
    fake: FakeSlack, tmp_path: Path, sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from slack_sdk.oauth.installation_store.models.bot import Bot

    from adapters.slack.installations import SqlInstallationStore
    from adapters.slack.main import load_config, run
    from bot.app import Installs, open_store
    from tests.adapters.slack.test_main import free_port

    db = tmp_path / "run.db"
    shutil.copy(sqlite_template, db)
    database = open_store(f"sqlite:///{db}", slack_client_id="1.2")
    store = SqlInstallationStore(Installs(database, fernet(OLD_KEY)))
    for team in ("T0GLOBEX", "T0INITECH"):
        await store.async_save_bot(
            Bot(
                app_id="A0",
                team_id=team,
                bot_token=f"xoxb-{team}",
                bot_id="B0",
                bot_user_id="UB",
                installed_at=1.0,
            )
        )
    env = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "client-secret",
        "JEMBATAN_SECRET_KEY": NEW_KEY,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url + "/api",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    stop = asyncio.Event()
    with caplog.at_level("INFO"):
        task = asyncio.create_task(
            run(load_config(["--mode", "http", "--port", str(free_port())], env), stop)
        )
        for _ in range(100):
            if any("does not decrypt" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the check for removed workspaces runs meanwhile: it must erase nothing
        stop.set()
        await asyncio.wait_for(task, 10)
    told = [r.getMessage() for r in caplog.records if "does not decrypt" in r.getMessage()]
    assert len(told) == 1 and "T0GLOBEX" in told[0] and "T0INITECH" in told[0] and "\n" not in told[0]
    async with database.engine.connect() as conn:
        assert len((await conn.execute(select(slack_installations))).all()) == 2
    await database.dispose()


async def test_a_removal_is_honoured_while_the_key_is_wrong(
    fake: FakeSlack, settings: Settings, clock: FakeClock, installed: TenantRef
) -> None:
    import json
    import time

    wrong = await started(replace(settings, secret_key=NEW_KEY), clock)
    server = TestServer(web_app(wrong.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            h = Harness(fake, wrong, str(server.make_url("")).rstrip("/"), http, clock)
            body = {
                "token": "legacy",
                "team_id": installed.external_id,
                "api_app_id": "A0JEMBATAN",
                "event": {"type": "app_uninstalled", "event_ts": "1.0"},
                "type": "event_callback",
                "event_id": "Ev0GONE",
                "event_time": int(time.time()),
            }
            response = await h.send(json.dumps(body).encode(), "application/json")
            assert response.status == 200
        async with wrong.jembatan.store.unit() as uow:
            assert await uow.tenants.find(installed) is None  # erased, token unread
        async with wrong.jembatan.store.engine.connect() as conn:
            assert (await conn.execute(select(slack_installations))).all() == []  # token forgotten too
    finally:
        await server.close()
        await wrong.close()
