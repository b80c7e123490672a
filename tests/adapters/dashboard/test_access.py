"""Who gets into the dashboard: a one-time link signs an admin in once; nobody else sees a page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.dashboard.app import Setup, create_app
from adapters.dashboard.security import COOKIE, Sessions
from adapters.dashboard.serve import setup_for
from bot import commands as c
from bot.domain.model import Platform, TenantRef
from tests.drive import Driver

OTHER = TenantRef(Platform.SLACK, "T-OTHER")


@dataclass
class Site:
    client: TestClient  # type: ignore[type-arg]
    setup: Setup
    tenant_id: int
    other_id: int
    pages: list[str]  # every page of the ACME program


@pytest.fixture
async def site(drive: Driver) -> AsyncIterator[Site]:
    await drive.setup()
    await drive.join_many({"U1": "Sales", "U2": "Finance", "U3": "Legal"})
    await drive.run_round()
    await drive.say("U-ADMIN", c.SetupProgram("weekly", "monday", "09:00", "UTC"), admin=True, tenant=OTHER)
    program = await drive.program()
    async with drive.app.store.unit() as uow:
        other_id = await uow.tenants.find(OTHER)
        round_id = (await uow.scoped(program.tenant_id).rounds.of_program(program.id))[0].id
    assert other_id is not None
    setup = setup_for(drive.app.store, {"U1": "Ayu Santoso"})
    base = f"/w/{program.tenant_id}/p/{program.id}"
    client = TestClient(TestServer(create_app(setup)))
    await client.start_server()
    try:
        yield Site(
            client,
            setup,
            program.tenant_id,
            other_id,
            [
                "/",
                base,
                f"{base}/rounds",
                f"{base}/rounds/{round_id}",
                f"{base}/people",
                f"{base}/settings",
                f"{base}/rounds?preview=1",
            ],
        )
    finally:
        await client.close()


async def _sign_in(site: Site, tenant_ids: set[int], user: str = "U-ADMIN") -> None:
    token = site.setup.links.issue(user, frozenset(tenant_ids))
    response = await site.client.get(f"/signin/{token}", allow_redirects=False)
    assert response.status == 303


async def test_without_a_session_every_page_is_refused(site: Site) -> None:
    for page in site.pages:
        response = await site.client.get(page)
        assert response.status == 401, page
        assert "Sign in first" in await response.text()
        assert "Ayu Santoso" not in await response.text()


async def test_the_sign_in_link_works_once_and_opens_every_page(site: Site) -> None:
    token = site.setup.links.issue("U-ADMIN", frozenset({site.tenant_id}))
    first = await site.client.get(f"/signin/{token}", allow_redirects=False)
    assert first.status == 303 and first.headers["Location"] == "/"
    for page in site.pages:
        response = await site.client.get(page)
        assert response.status == 200, page
    people = await (await site.client.get(site.pages[4])).text()
    assert "Ayu Santoso" in people and "Sales" in people
    site.client.session.cookie_jar.clear()
    again = await site.client.get(f"/signin/{token}", allow_redirects=False)
    assert again.status == 403
    assert COOKIE not in again.cookies
    assert (await site.client.get(site.pages[1])).status == 401


async def test_an_admin_of_another_workspace_is_refused_on_every_page_of_this_one(site: Site) -> None:
    await _sign_in(site, {site.other_id})
    home = await site.client.get("/")
    assert home.status == 200 and "jembatan-pairs" not in (await home.text()).lower()
    for page in site.pages[1:]:
        response = await site.client.get(page)
        assert response.status == 403, page
        body = await response.text()
        assert "You do not administer this workspace" in body and "Ayu Santoso" not in body
    # The other workspace's own program id, under this tenant's path: still nothing.
    assert (await site.client.get(f"/w/{site.other_id}/p/1/people")).status in {404}


async def test_a_forged_or_altered_cookie_is_no_session(site: Site) -> None:
    other_key = Sessions(b"k" * 32)
    forged = other_key.seal(other_key.new("U-ADMIN", frozenset({site.tenant_id})))
    site.client.session.cookie_jar.update_cookies({COOKIE: forged})
    assert (await site.client.get(site.pages[1])).status == 401
    genuine = site.setup.sessions.seal(site.setup.sessions.new("U-ADMIN", frozenset({site.other_id})))
    body, mac = genuine.split(".")
    widened = site.setup.sessions.seal(site.setup.sessions.new("U-ADMIN", frozenset({site.tenant_id})))
    site.client.session.cookie_jar.update_cookies({COOKIE: f"{widened.split('.')[0]}.{mac}"})
    assert (await site.client.get(site.pages[1])).status == 401
    assert body  # the genuine cookie was well-formed; only the swap broke it


async def test_pages_carry_a_strict_policy_and_the_cookie_its_flags(site: Site) -> None:
    token = site.setup.links.issue("U-ADMIN", frozenset({site.tenant_id}))
    signed_in = await site.client.get(f"/signin/{token}", allow_redirects=False)
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    for page in [*site.pages, "/no-such-page", "/static/dashboard.css"]:
        response = await site.client.get(page)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'none'" in policy, page
        assert "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    html = await (await site.client.get(site.pages[1])).text()
    assert "<script" not in html and " style=" not in html


async def test_forms_need_this_sessions_token(site: Site) -> None:
    await _sign_in(site, {site.tenant_id})
    page = await (await site.client.get(site.pages[1])).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    refused = await site.client.post(
        "/lang", data={"lang": "id", "next": site.pages[1]}, allow_redirects=False
    )
    assert refused.status == 403
    wrong = await site.client.post(
        "/lang", data={"lang": "id", "next": site.pages[1], "csrf": "guess"}, allow_redirects=False
    )
    assert wrong.status == 403
    assert "Program in" in await (await site.client.get(site.pages[1])).text()  # still English
    switched = await site.client.post(
        "/lang", data={"lang": "id", "next": site.pages[1], "csrf": token.group(1)}, allow_redirects=False
    )
    assert switched.status == 303 and switched.headers["Location"] == site.pages[1]
    assert "Program di" in await (await site.client.get(site.pages[1])).text()
    away = await site.client.post(
        "/lang", data={"lang": "en", "next": "//evil.example/", "csrf": token.group(1)}, allow_redirects=False
    )
    assert away.headers["Location"] == "/"  # never an open redirect
    out = await site.client.post("/signout", data={"csrf": token.group(1)}, allow_redirects=False)
    assert out.status == 303
    assert (await site.client.get(site.pages[1])).status == 401


def _forms(site: Site, csrf: str) -> list[tuple[str, dict[str, str]]]:
    """Every admin form post of the program, filled in as the page would send it."""
    base = site.pages[1]
    return [
        (f"{base}/settings", {"csrf": csrf, "weekday": "friday", "time": "10:00", "timezone": "UTC"}),
        (f"{base}/people", {"csrf": csrf, "old": "Sales", "new": "Revenue"}),
        (f"{base}/download", {"csrf": csrf, "file": "jembatan-rounds.csv"}),
    ]


async def _csrf(site: Site) -> str:
    page = await (await site.client.get("/")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_every_admin_form_is_refused_to_strangers_other_admins_and_forged_posts(
    site: Site, drive: Driver
) -> None:
    for path, fields in _forms(site, "x"):
        assert (await site.client.post(path, data=fields)).status == 401, path
    await _sign_in(site, {site.other_id})
    other_csrf = await _csrf(site)
    for path, fields in _forms(site, other_csrf):
        response = await site.client.post(path, data=fields)
        assert response.status == 403, path
        assert "You do not administer this workspace" in await response.text()
    site.client.session.cookie_jar.clear()
    await _sign_in(site, {site.tenant_id})
    for path, fields in _forms(site, "guess"):
        assert (await site.client.post(path, data=fields)).status == 403, path
    status = await drive.say("U1", c.Status())
    assert "Monday" in status.text and "Sales" in status.text  # nothing changed
    page = await (await site.client.get(site.pages[5])).text()
    assert "No changes recorded yet" in page or "set up the program" in page
    assert "changed settings" not in page and "renamed" not in page and "exported" not in page


async def test_an_admin_changes_settings_renames_a_division_and_downloads_through_the_core(
    site: Site, drive: Driver
) -> None:
    await _sign_in(site, {site.tenant_id})
    csrf = await _csrf(site)
    settings, rename, export = _forms(site, csrf)
    changed = await site.client.post(settings[0], data=settings[1] | {"group_size": "3", "lang": "en"})
    body = await changed.text()
    assert changed.status == 200 and "Updated #C-PAIRS" in body and "groups of 3" in body
    assert "Friday" in (await drive.say("U1", c.Status())).text  # chat sees the same change
    assert re.search(r"U-ADMIN</th><td>changed settings: Day: Monday → Friday; Time: 09:00 → 10:00", body)
    renamed = await site.client.post(rename[0], data=rename[1])
    assert "Renamed Sales to Revenue" in await renamed.text()
    assert "Revenue" in (await drive.say("U1", c.Status())).text
    bad = await site.client.post(settings[0], data=settings[1] | {"group_size": "9"})
    assert "group" in (await bad.text()).lower() and bad.status == 200
    csv = await site.client.post(export[0], data=export[1])
    assert csv.status == 200 and csv.headers["Content-Disposition"].endswith('filename="jembatan-rounds.csv"')
    assert (await csv.text()).startswith("round,")
    chart = await site.client.post(export[0], data=export[1] | {"file": "jembatan-stats.png"})
    assert (await chart.read())[:4] == b"\x89PNG"
    nothing = await site.client.post(export[0], data=export[1] | {"file": "../../etc/passwd"})
    assert nothing.status == 404
    audit = await (await site.client.get(site.pages[5])).text()
    assert "renamed Sales to Revenue" in audit and "exported the CSV" in audit
