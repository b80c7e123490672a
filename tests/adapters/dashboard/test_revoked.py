"""A dashboard session does not outlive its person's admin right: the right is asked again
(through the core) at most a minute after it was last asked, so whoever is demoted on the
platform, or removed from Jembatan's own admins, is refused on the next page and form after it."""

from __future__ import annotations

import re
import secrets

from aiohttp.test_utils import TestClient, TestServer

from adapters.dashboard.app import Setup, create_app
from adapters.dashboard.security import Sessions, SignInLinks
from bot import commands as c
from bot.domain.model import TenantRef
from bot.services.dashboard import REMEMBERED, Dashboard
from tests.drive import Driver


async def test_a_demoted_admin_is_refused_on_the_next_page_and_form_after_a_minute(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    await drive.say("U-ADMIN", c.GrantAdmin("U-LISTED"), admin=True)
    program = await drive.program()
    platform_admins = {(drive.tenant.external_id, "U-BOSS")}

    async def is_platform_admin(tenant: TenantRef, user_id: str) -> bool:
        return (tenant.external_id, user_id) in platform_admins

    setup = Setup(
        Dashboard(drive.app.store, drive.app.deps, is_platform_admin),
        Sessions(secrets.token_bytes(32)),
        SignInLinks(),
        {},
    )
    page = f"/w/{program.tenant_id}/p/{program.id}"
    server = TestServer(create_app(setup))
    browsers = {user: TestClient(server) for user in ("U-BOSS", "U-LISTED")}
    tokens: dict[str, str] = {}
    try:
        for user, browser in browsers.items():
            await browser.start_server()
            link = setup.links.issue(user, frozenset({program.tenant_id}))
            assert (await browser.get(f"/signin/{link}", allow_redirects=False)).status == 303
            shown = await browser.get(page + "/settings")
            assert shown.status == 200, user
            found = re.search(r'name="csrf" value="([^"]+)"', await shown.text())
            assert found is not None
            tokens[user] = found.group(1)

        platform_admins.clear()  # U-BOSS is no workspace admin any more
        await drive.say("U-ADMIN", c.GrantAdmin("U-LISTED", revoke=True), admin=True)
        drive.clock.advance(seconds=30)  # within the minute the last answer still holds
        assert (await browsers["U-BOSS"].get(page)).status == 200

        drive.clock.advance(seconds=31)
        for user, browser in browsers.items():
            for path in (page, page + "/people", page + "/settings", "/"):
                response = await browser.get(path)
                assert response.status == (200 if path == "/" else 403), (user, path)
                if path == "/":  # the list of programs is empty: nothing to open
                    assert page not in await response.text()
            form = {"csrf": tokens[user], "weekday": "friday", "time": "10:00", "timezone": "UTC"}
            assert (await browser.post(page + "/settings", data=form)).status == 403, user
        assert (await drive.program()).config.weekday == 0  # Monday still: the refused form changed nothing
    finally:
        for browser in browsers.values():
            await browser.close()


async def test_a_session_for_a_workspace_erased_since_is_refused_there_not_a_server_error(
    drive: Driver,
) -> None:
    # The app removed from the workspace erases it while someone's dashboard session lasts:
    # their next page is the refusal (and the list of programs is empty), never a 500.
    await drive.setup()
    program = await drive.program()

    async def is_platform_admin(tenant: TenantRef, user_id: str) -> bool:
        return True

    setup = Setup(
        Dashboard(drive.app.store, drive.app.deps, is_platform_admin),
        Sessions(secrets.token_bytes(32)),
        SignInLinks(),
        {},
    )
    page = f"/w/{program.tenant_id}/p/{program.id}"
    browser = TestClient(TestServer(create_app(setup)))
    await browser.start_server()
    try:
        link = setup.links.issue("U-BOSS", frozenset({program.tenant_id}))
        assert (await browser.get(f"/signin/{link}", allow_redirects=False)).status == 303
        async with drive.app.store.unit() as uow:
            await uow.tenants.erase(program.tenant_id)
            await uow.commit()
        drive.clock.advance(seconds=61)
        assert (await browser.get(page)).status == 403
        index = await browser.get("/")
        assert index.status == 200
        assert page not in await index.text()
    finally:
        await browser.close()


async def test_a_long_running_dashboard_forgets_answers_past_their_minute(drive: Driver) -> None:
    """Every sign-in leaves an answer behind; a process up for months must not hold them all."""
    await drive.setup()
    tenant_id = (await drive.program()).tenant_id

    async def is_platform_admin(tenant: TenantRef, user_id: str) -> bool:
        return True

    dashboard = Dashboard(drive.app.store, drive.app.deps, is_platform_admin)
    for hour in range(3):
        for person in range(REMEMBERED):
            assert await dashboard.still_admin(tenant_id, f"U{hour}-{person}")
        drive.clock.advance(seconds=61)
    assert await dashboard.still_admin(tenant_id, "U-LAST")
    assert len(dashboard._checked) <= 2 * REMEMBERED  # the first hours' answers are gone
    assert "U-LAST" in {user for _, user in dashboard._checked}
