"""OAuth installs into many workspaces: the install flow, encrypted tokens, per-workspace sends."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from adapters.slack.installations import SignedState
from adapters.slack.removals import erase_removed
from adapters.slack.server import web_app
from adapters.slack.wiring import assemble
from bot.domain.model import Platform, TenantRef
from bot.installations import fernet
from bot.settings import Settings
from bot.store.tables import slack_installations
from tests.adapters.slack.conftest import SECRET, Harness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.fakes import FakeClock

SECRET_KEY = "a passphrase only the operator knows"


@pytest.fixture
async def multi(
    fake: FakeSlack, tmp_path: Path, sqlite_template: Path, clock: FakeClock
) -> AsyncIterator[Harness]:
    path = tmp_path / "oauth.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        slack_signing_secret=SECRET,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        secret_key=SECRET_KEY,
        slack_api_url=fake.base_url + "/api/",
    )
    slack = assemble(settings, clock=clock, process_before_response=True)
    server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield Harness(fake, slack, str(server.make_url("")).rstrip("/"), http, clock)
    await server.close()
    await slack.close()


async def install(h: Harness, code: str) -> str:
    """A workspace admin clicks "Add to Slack" and Slack sends them back with a code."""
    async with h.http.get(h.url + "/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        # The state cookie is Secure (HTTPS in production); the test's plain HTTP carries it by hand.
        cookie = "; ".join(f"{k}={v.value}" for k, v in response.cookies.items())
    link = unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page).group(1))  # type: ignore[union-attr]
    query = parse_qs(urlparse(link).query)
    assert query["scope"] == ["commands,chat:write,im:write,mpim:write,users:read,files:write"]
    async with h.http.get(
        h.url + "/slack/oauth_redirect",
        params={"code": code, "state": query["state"][0]},
        headers={"Cookie": cookie},
    ) as response:
        assert response.status == 200, await response.text()
    return f"T0{code.upper()}"


async def test_installing_stores_the_token_encrypted_and_commands_work_there(multi: Harness) -> None:
    h = multi
    team = await install(h, "globex")
    assert h.fake.called("oauth.v2.access")[0].args["code"] == "globex"
    async with h.slack.jembatan.store.engine.connect() as conn:
        [row] = (await conn.execute(select(slack_installations))).mappings().all()
    assert row["team_id"] == team and "xoxb" not in row["bot_token"]
    assert fernet(SECRET_KEY).decrypt(row["bot_token"].encode()).decode() == "xoxb-t0globex-issued"
    h.fake.team_id = team
    h.fake.add_user("U0BOSS", admin=True)
    h.fake.add_user("U1")
    answer = await h.slash("U0BOSS", "setup weekly")
    assert "set up" in answer["text"]
    await h.slash("U1", "join Finance")
    await h.slash("U0BOSS", "shoutout <@U1|u> thanks")
    await h.deliver()
    [post] = h.fake.posts("C0PAIRS")
    assert post.token == "xoxb-t0globex-issued"  # this workspace's own token


async def test_a_workspace_without_an_installation_is_turned_away(multi: Harness) -> None:
    h = multi
    h.fake.add_user("U1")
    answer = await h.slash("U1", "join")
    assert "reinstall this app" in answer["text"]  # Bolt's own answer: nothing reached the core
    async with h.slack.jembatan.store.unit() as uow:
        assert await uow.tenants.find(TenantRef(Platform.SLACK, h.team)) is None


async def test_uninstalling_removes_the_installation_and_the_data(multi: Harness) -> None:
    h = multi
    team = await install(h, "initech")
    h.fake.team_id = team
    await h.slash("U0ADMIN", "setup")
    await h.event({"type": "app_uninstalled", "event_ts": "1"})
    async with h.slack.jembatan.store.engine.connect() as conn:
        assert (await conn.execute(select(slack_installations))).first() is None
    async with h.slack.jembatan.store.unit() as uow:
        assert await uow.tenants.find(TenantRef(Platform.SLACK, team)) is None
    # Nothing can be sent there any more: there is no token to send with.
    assert await h.slack.installations.find(None, team, False) is None  # type: ignore[union-attr]


async def test_a_forged_or_expired_state_is_refused() -> None:
    now = [1_000_000.0]
    state = SignedState(b"k" * 32, clock=lambda: now[0])
    issued = await state.async_issue()
    assert await state.async_consume(issued)
    assert not await state.async_consume(issued[:-1] + ("0" if issued[-1] != "0" else "1"))
    assert not await SignedState(b"x" * 32).async_consume(issued)
    now[0] += 601
    assert not await state.async_consume(issued)


@pytest.mark.parametrize("tail", ["é", "\ud800", "\x00"])
async def test_a_state_with_characters_no_signature_has_is_refused_not_a_crash(tail: str) -> None:
    # The state comes back in the callback's query string, so anyone can put anything there.
    state = SignedState(b"k" * 32, clock=lambda: 1_000_000.0)
    issued = await state.async_issue()
    assert not await state.async_consume(issued[:-1] + tail)
    assert not await state.async_consume(tail + issued)


async def installed_in(h: Harness, team: str) -> tuple[bool, bool]:
    """Whether the workspace still has its installation (token), and its data."""
    found = await h.slack.installations.find(None, team, False)  # type: ignore[union-attr]
    async with h.slack.jembatan.store.unit() as uow:
        has_data = await uow.tenants.find(TenantRef(Platform.SLACK, team)) is not None
    return found is not None, has_data


async def test_a_workspace_that_removed_the_app_while_offline_is_erased_at_start(multi: Harness) -> None:
    h = multi
    teams = [await install(h, code) for code in ("initech", "globex", "hooli")]
    for team in teams:
        await h.slash("U0ADMIN", "setup", team=team)
    h.fake.revoked.add("xoxb-t0initech-issued")  # initech removed the app; the event went unheard
    h.fake.fail("auth.test", status=200, error="fatal_error", times=1)  # Slack trouble for one ask
    h.fake.fail("auth.test", status=200, error="invalid_auth", times=1)  # or an IP allowlist: not a removal
    h.clock.now = datetime.now(UTC) + timedelta(minutes=1)  # the next start, after those installs
    erased = await erase_removed(h.slack, h.clock())
    assert erased == [TenantRef(Platform.SLACK, "T0INITECH")]
    assert await installed_in(h, "T0INITECH") == (False, False)
    still = {team: await installed_in(h, team) for team in teams[1:]}
    assert still == {"T0GLOBEX": (True, True), "T0HOOLI": (True, True)}  # fatal_error, invalid_auth


async def test_slack_unreachable_at_start_erases_nothing(multi: Harness) -> None:
    h = multi
    team = await install(h, "initech")  # installed, not used yet: no client made for it so far
    h.fake.revoked.add("xoxb-t0initech-issued")
    h.slack.workspaces.base_url = "http://127.0.0.1:9/api/"  # nothing listens there
    assert await erase_removed(h.slack, h.clock()) == []
    assert await h.slack.installations.find(None, team, False)  # type: ignore[union-attr]
