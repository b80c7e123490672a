"""The dashboard on a platform's own server: mounted beside /slack/events when configured."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.dashboard.platforms import mount_for_slack, public
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
