"""The dashboard on a platform's own server: mounted beside /slack/events when configured."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.dashboard.platforms import discord_admin_check, mount_for_slack, public
from bot import commands as c
from bot.domain.model import TenantRef
from tests.drive import Driver

ENV = {
    "JEMBATAN_DASHBOARD_URL": "https://jembatan.example.com/",
    "SLACK_CLIENT_ID": "1100.2200",
    "SLACK_CLIENT_SECRET": "s3cret",
}


async def _nobody(tenant: TenantRef, user: str) -> bool:
    return False


def test_the_session_key_is_shared_by_replicas_and_absent_without_an_address() -> None:
    assert public({}, "secret") is None
    one, two = public(ENV, "signing-secret"), public(ENV, "signing-secret")
    assert one is not None and two is not None and one.key == two.key and len(one.key) == 32
    assert one.url == "https://jembatan.example.com"
    assert public(ENV, "other-secret") != one


async def test_slack_serves_the_dashboard_beside_its_events(drive: Driver) -> None:
    app = web.Application()

    async def events(request: web.Request) -> web.Response:
        return web.Response(text="events")

    app.router.add_post("/slack/events", events)
    assert not mount_for_slack(
        app, drive.app, {}, signing_secret="x", api_url="http://x/", platform_admin=_nobody
    )
    await drive.setup()
    asked = await drive.say("U-ADMIN", c.OpenDashboard(), admin=True)
    assert "jembatan.example.com" not in asked.text  # not served: the answer says there is none
    assert mount_for_slack(
        app, drive.app, ENV, signing_secret="x", api_url="http://x/", platform_admin=_nobody
    )
    asked = await drive.say("U-ADMIN", c.OpenDashboard(), admin=True)
    assert "https://jembatan.example.com " in asked.text  # `/jembatan dashboard` now links to it
    async with TestClient(TestServer(app)) as client:
        assert await (await client.post("/slack/events")).text() == "events"
        home = await client.get("/")
        assert home.status == 401 and "Sign in with Slack" in await home.text()
        assert "script-src 'none'" in home.headers["Content-Security-Policy"]
        start = await client.get("/auth/slack", allow_redirects=False)
        location = start.headers["Location"]
        assert location.startswith("https://slack.com/openid/connect/authorize?response_type=code")
        assert "redirect_uri=https://jembatan.example.com/auth/slack/callback" in location
        assert "Secure" in start.headers["Set-Cookie"] and "SameSite=Lax" in start.headers["Set-Cookie"]


class _Allowed:
    def __init__(self, manage: bool) -> None:
        self.manage_guild, self.administrator = manage, False


class _Member:
    def __init__(self, manage: bool = False, roles: tuple[int, ...] = ()) -> None:
        self.guild_permissions, self._roles = _Allowed(manage), roles

    def get_role(self, role_id: int) -> object | None:
        return object() if role_id in self._roles else None


class _Guild:
    owner_id = 1

    def __init__(self, members: dict[int, _Member]) -> None:
        self.members = members

    def get_member(self, user_id: int) -> _Member | None:
        return None  # not cached: the check asks Discord for the member

    async def fetch_member(self, user_id: int) -> _Member:
        return self.members[user_id]  # KeyError: gone from the server


class _Client:
    def __init__(self, guild: _Guild) -> None:
        self.guild = guild

    def get_guild(self, guild_id: int) -> _Guild | None:
        return self.guild if guild_id == 10 else None


async def test_discord_asks_again_as_the_bot_sees_the_member_now() -> None:
    guild = _Guild({2: _Member(manage=True), 3: _Member(roles=(77,)), 4: _Member()})
    check = discord_admin_check(_Client(guild), 77)
    assert await check("10", "1")  # the owner
    assert await check("10", "2") and await check("10", "3")  # Manage Server; the admin role
    assert not await check("10", "4")  # a member only
    assert not await check("10", "5")  # gone from the server
    assert not await check("11", "2")  # a server the bot is not in
    guild.members[2] = _Member()  # Manage Server taken away
    assert not await check("10", "2")
