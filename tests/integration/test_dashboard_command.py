"""`/jembatan dashboard` (`dasbor`): the admin who asks gets the link, privately; others get the
usual one line; with no dashboard served, one line says so; the console points to the demo's."""

from __future__ import annotations

from bot import commands as c
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts
from tests.drive import Driver

URL = "https://jembatan.example.com"


async def test_an_admin_gets_the_link_a_member_the_usual_refusal(drive: Driver) -> None:
    await drive.setup()
    await drive.say("U1", c.Join("Sales"))
    drive.app.deps.dashboard_url = URL  # as the process serving the dashboard sets it
    reply = await drive.say("U-ADMIN", c.OpenDashboard(), admin=True)
    assert URL in reply.text
    refused = await drive.say("U1", c.OpenDashboard())
    assert refused.text == texts(Lang.EN, "slack")("error.admin_only")
    assert URL not in refused.text


async def test_an_admin_granted_in_chat_gets_it_in_the_programs_language(drive: Driver) -> None:
    await drive.setup(lang="id")
    await drive.say("U-ADMIN", c.GrantAdmin("U2"), admin=True)
    drive.app.deps.dashboard_url = URL
    reply = await drive.say("U2", c.OpenDashboard())
    assert reply.text == texts(Lang.ID, "slack")("open_dashboard.here", url=URL)


async def test_without_a_dashboard_one_line_says_so(drive: Driver) -> None:
    await drive.setup()
    reply = await drive.say("U-ADMIN", c.OpenDashboard(), admin=True)
    assert reply.text == texts(Lang.EN, "slack")("open_dashboard.none")


async def test_the_console_says_how_to_open_the_demos_dashboard(drive: Driver) -> None:
    console = TenantRef(Platform.CONSOLE, "demo")
    reply = await drive.say("U-ADMIN", c.OpenDashboard(), admin=True, tenant=console)
    assert "jembatan demo --serve" in reply.text
