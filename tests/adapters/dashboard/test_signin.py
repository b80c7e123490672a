"""Sign in with Slack (OpenID Connect) and with Discord (OAuth2), against the local fakes of both:
an admin by the admin commands' rule sees that workspace's programs; nobody else does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from adapters.dashboard.app import Setup, create_app
from adapters.dashboard.serve import setup_for
from adapters.dashboard.signin import MANAGE_GUILD, DiscordSignIn, SlackSignIn
from bot import commands as c
from bot.domain.model import Platform, TenantRef
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack
from tests.drive import ADMIN, Driver

GUILD = 900000000000000001
MOD, MEMBER = 1300000000000000001, 1300000000000000002


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    setup: Setup
    slack: FakeSlack
    discord: FakeDiscord
    slack_program: str  # the ACME program's overview path
    discord_program: str


@pytest.fixture
async def world(drive: Driver) -> AsyncIterator[World]:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    server = TenantRef(Platform.DISCORD, str(GUILD))
    await drive.say("D-ADMIN", c.SetupProgram("weekly", "monday", "09:00", "UTC"), admin=True, tenant=server)
    slack_program = await drive.program()
    async with drive.app.store.unit() as uow:
        discord_tenant = await uow.tenants.find(server)
        assert discord_tenant is not None
        discord_program = (await uow.scoped(discord_tenant).programs.all())[0]

    fake_slack = FakeSlack(team_id="T-ACME")
    fake_slack.add_user(ADMIN, "Ratna", admin=True)
    fake_slack.add_user("U1", "Ayu")
    slack_server = TestServer(fake_slack.app())
    await slack_server.start_server()
    fake_slack.base_url = str(slack_server.make_url("")).rstrip("/")
    fake_discord = FakeDiscord(guild_id=GUILD)
    await fake_discord.start()
    fake_discord.add_member(MOD, "moderator")
    fake_discord.add_user_guild(MOD, GUILD, "Acme", MANAGE_GUILD)
    fake_discord.add_user_guild(MOD, 42, "Elsewhere", MANAGE_GUILD)  # a server Jembatan is not in
    fake_discord.add_member(MEMBER, "member")
    fake_discord.add_user_guild(MEMBER, GUILD, "Acme", 1 << 10)

    setup = setup_for(drive.app.store, {})
    client = TestClient(TestServer(create_app(setup)))
    await client.start_server()
    here = str(client.make_url("")).rstrip("/")

    async def slack_admin(team: str, user: str) -> bool:  # as the Slack adapter's directory answers
        from slack_sdk.web.async_client import AsyncWebClient

        found = await AsyncWebClient(fake_slack.bot_token, base_url=fake_slack.base_url + "/api/").users_info(
            user=user
        )
        return bool(found["user"].get("is_admin") or found["user"].get("is_owner"))

    setup.slack = SlackSignIn(
        fake_slack.client_id,
        fake_slack.client_secret,
        here + "/auth/slack/callback",
        slack_admin,
        authorize_url=fake_slack.base_url + "/openid/connect/authorize",
        api_url=fake_slack.base_url + "/api/",
    )
    setup.discord = DiscordSignIn(
        fake_discord.client_id,
        fake_discord.client_secret,
        here + "/auth/discord/callback",
        authorize_url=fake_discord.base + "/oauth2/authorize",
        token_url=fake_discord.base + "/api/oauth2/token",
        api_url=fake_discord.api_url,
    )
    try:
        yield World(
            client,
            setup,
            fake_slack,
            fake_discord,
            f"/w/{slack_program.tenant_id}/p/{slack_program.id}",
            f"/w/{discord_tenant}/p/{discord_program.id}",
        )
    finally:
        await client.close()
        await slack_server.close()
        await fake_discord.close()


async def _sign_in(world: World, platform: str) -> web.StreamResponse:
    response = await world.client.get(f"/auth/{platform}")  # through the platform and back
    assert response.url.path == f"/auth/{platform}/callback"
    return response


async def test_a_slack_workspace_admin_signs_in_with_slack_and_sees_that_workspace_only(world: World) -> None:
    first = await world.client.get("/")
    assert first.status == 401 and "Sign in with Slack" in await first.text()
    world.slack.browser_user = ADMIN
    signed = await _sign_in(world, "slack")
    assert signed.status == 200 and 'http-equiv="refresh"' in await signed.text()
    home = await (await world.client.get("/")).text()
    assert "Signed in as Ratna" in home and "Program in C-PAIRS" in home
    assert (await world.client.get(world.slack_program)).status == 200
    assert (await world.client.get(world.discord_program)).status == 403
    assert [c.method for c in world.slack.calls][:2] == ["openid.connect.token", "openid.connect.userInfo"]
    assert not world.slack.violations


async def test_a_slack_member_who_is_no_admin_is_refused_unless_listed_as_one(
    world: World, drive: Driver
) -> None:
    world.slack.browser_user = "U1"
    await _sign_in(world, "slack")
    assert "No programs yet" in await (await world.client.get("/")).text()
    assert (await world.client.get(world.slack_program)).status == 403
    assert (await world.client.get(world.slack_program + "/settings")).status == 403
    await drive.say(ADMIN, c.GrantAdmin("U1"), admin=True)
    world.client.session.cookie_jar.clear()
    await _sign_in(world, "slack")
    assert (await world.client.get(world.slack_program + "/settings")).status == 200


async def test_a_discord_manager_signs_in_with_discord_and_a_plain_member_is_refused(world: World) -> None:
    world.discord.browser_user = MOD
    signed = await _sign_in(world, "discord")
    assert signed.status == 200
    assert (await world.client.get(world.discord_program)).status == 200
    assert (await world.client.get(world.slack_program)).status == 403
    assert "Moderator" in await (await world.client.get("/")).text()
    world.client.session.cookie_jar.clear()
    world.discord.browser_user = MEMBER
    await _sign_in(world, "discord")
    assert (await world.client.get(world.discord_program)).status == 403
    assert (await world.client.get(world.discord_program + "/people")).status == 403
    assert not world.discord.violations


async def test_a_callback_without_its_state_or_with_a_spent_code_signs_nobody_in(world: World) -> None:
    world.slack.browser_user = ADMIN
    start = await world.client.get("/auth/slack", allow_redirects=False)
    to_slack = start.headers["Location"]
    at_slack = await world.client.session.get(to_slack, allow_redirects=False)
    callback = URL(at_slack.headers["Location"]).path_qs
    forged = await world.client.get(callback.replace("state=", "state=x"), allow_redirects=False)
    assert forged.status == 403 and "did not complete" in await forged.text()
    assert (await world.client.get(world.slack_program)).status == 401
    good = await world.client.get(callback, allow_redirects=False)
    assert good.status == 200
    world.client.session.cookie_jar.clear()
    replayed = await world.client.get(callback, allow_redirects=False)
    assert replayed.status == 403  # the state cookie went with the browser that started it
    world.slack.browser_user = None  # the person declines on Slack's page
    declined = await world.client.get("/auth/slack")
    assert declined.status == 403
