"""The dashboard in a real browser: Debian's headless Chromium, driven by Playwright, over a demo.

Screenshots of each page land in the test's tmp dir (printed at the end; `pytest -s` shows it)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from adapters.console.demo import DemoResult, run_demo
from adapters.dashboard.app import Setup
from adapters.dashboard.serve import Running, setup_for, start
from bot import commands as c
from bot.app import open_store
from bot.services.base import Deps
from bot.services.dispatch import handle
from bot.store.unit_of_work import Store
from tests.fakes import FakeDirectory

DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"

CHROMIUM = Path(os.environ.get("JEMBATAN_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)"
)


@dataclass
class Served:
    running: Running
    sign_in: str
    tenant_id: int
    setup: Setup
    demo: DemoResult
    store: Store


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    quiet = Console(file=io.StringIO(), width=100)
    (tmp_path / "demo").mkdir()
    demo = await run_demo(members=30, rounds=3, lang="en", seed=7, console=quiet, folder=tmp_path / "demo")
    store = open_store(f"sqlite:///{demo.folder / 'jembatan.db'}")
    async with store.unit() as uow:
        tenant_id = await uow.tenants.find(demo.tenant)
    assert tenant_id is not None
    setup = setup_for(store, demo.names)
    running = await start(setup)
    token = setup.links.issue(demo.admin, frozenset({tenant_id}))
    try:
        yield Served(running, running.url(f"/signin/{token}"), tenant_id, setup, demo, store)
    finally:
        await running.stop()
        await store.dispose()


async def test_an_admin_signs_in_reads_the_overview_a_round_and_the_people(
    served: Served, tmp_path: Path
) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await page.goto(served.sign_in)
            await page.get_by_role("link", name="Program in jembatan-pairs").click()
            await page.wait_for_load_state()
            assert await page.get_by_role("heading", level=1).inner_text() == "Program in jembatan-pairs"
            glance = await page.locator("dl.kpis").inner_text()
            assert re.search(r"Participants\s+\d+ active · \d+ paused · \d+ left", glance)
            assert re.search(r"Rounds\s+3\b", glance)
            assert re.search(r"Meetup rate\s+\d+%", glance)
            assert await page.locator("svg.chart").count() == 5
            await page.screenshot(path=str(shots / "overview.png"), full_page=True)

            await page.get_by_role("link", name="Rounds", exact=True).click()
            await page.get_by_role("row").nth(1).get_by_role("link").click()
            await page.wait_for_load_state()
            assert (await page.get_by_role("heading", level=1).inner_text()).startswith("Round of")
            assert await page.locator("li.group").count() > 5
            await page.screenshot(path=str(shots / "round.png"), full_page=True)

            await page.get_by_role("link", name="People", exact=True).click()
            await page.wait_for_load_state()
            table = await page.locator("table").inner_text()
            assert "Admin Ratna" not in table  # the admin set it up but did not join
            assert re.search(r"\w+ \w+\s+(taking part|paused|left)\s+\w+", table)
            await page.screenshot(path=str(shots / "people.png"), full_page=True)

            phone = await browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            await phone.context.add_cookies(await page.context.cookies())
            await phone.goto(page.url.rsplit("/people", 1)[0])
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, "the overview scrolls sideways on a phone"
            await phone.screenshot(path=str(shots / "overview-phone.png"), full_page=True)
            assert not errors, errors  # e.g. a stylesheet the policy blocked
        finally:
            await browser.close()
    print(f"\nscreenshots: {shots}")


async def _status(served: Served, user: str) -> str:
    """What `/jembatan status` answers `user` in chat, right now."""
    actor = c.Actor(served.demo.tenant, user, "jembatan-pairs")
    return (await handle(Deps(served.store, FakeDirectory()), actor, c.Status())).text


async def test_an_admin_changes_the_schedule_renames_divisions_and_exports_a_stranger_gets_nothing(
    served: Served, tmp_path: Path
) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    member = next(user for user in served.demo.names if user != served.demo.admin)
    assert "Monday" in await _status(served, member)
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900}, accept_downloads=True)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await page.goto(served.sign_in)
            await page.get_by_role("link", name="Program in jembatan-pairs").click()
            overview = page.url

            # Settings: the schedule moves to Friday 10:30; chat's `status` says so at once.
            await page.get_by_role("link", name="Settings", exact=True).click()
            await page.get_by_label("Day").select_option("friday")
            await page.get_by_label("Time", exact=True).fill("10:30")
            await page.get_by_label("Group size").fill("3")
            await page.get_by_role("button", name="Save settings").click()
            await page.wait_for_load_state()
            notice = await page.get_by_role("status").inner_text()
            assert "Friday at 10:30" in notice and "groups of 3" in notice
            audit = await page.locator("table.audit").inner_text()
            assert re.search(
                r"Admin Ratna\s+changed settings: Day: Monday → Friday; Time: 09:00 → 10:30", audit
            )
            assert "Friday" in await _status(served, member) and "10:30" in await _status(served, member)
            await page.screenshot(path=str(shots / "settings.png"), full_page=True)

            # People: "Finance" and "Legal" become one division.
            await page.get_by_role("link", name="People", exact=True).click()
            await page.get_by_label("Finance", exact=True).check()
            await page.get_by_label("Legal", exact=True).check()
            await page.get_by_label("New name").fill("Finance & Legal")
            await page.get_by_role("button", name="Rename").click()
            await page.wait_for_load_state()
            assert (
                "Renamed Finance, Legal to Finance & Legal" in await page.get_by_role("status").inner_text()
            )
            table = await page.locator("table.people").inner_text()
            assert "Finance & Legal" in table and "\tLegal\t" not in table
            await page.screenshot(path=str(shots / "people.png"), full_page=True)

            # Rounds: the preview of the next round, in groups of three now.
            await page.get_by_role("link", name="Rounds", exact=True).click()
            await page.get_by_role("link", name="Draw the preview").click()
            await page.wait_for_load_state()
            preview = page.locator("section", has=page.get_by_role("heading", name=re.compile("Preview")))
            assert await preview.locator("li.group").count() >= 5
            await page.screenshot(path=str(shots / "rounds.png"), full_page=True)

            # Exports: the CSV downloads, and the export is in the audit list.
            await page.goto(overview)
            async with page.expect_download() as waiting:
                await page.get_by_role("button", name="CSV: rounds").click()
            download = await waiting.value
            assert download.suggested_filename == "jembatan-rounds.csv"
            saved = tmp_path / "rounds.csv"
            await download.save_as(saved)
            assert saved.read_text().startswith("round,")
            await page.screenshot(path=str(shots / "overview.png"), full_page=True)
            await page.get_by_role("link", name="Settings", exact=True).click()
            assert "exported the CSV" in await page.locator("table.audit").inner_text()
            assert not errors, errors

            # A person who administers another workspace: every page and every form says no.
            stranger = await browser.new_context()
            other = await stranger.new_page()
            token = served.setup.links.issue("U-STRANGER", frozenset({served.tenant_id + 1000}))
            await other.goto(served.running.url(f"/signin/{token}"))
            csrf = await other.locator('input[name="csrf"]').first.get_attribute("value")
            base = overview.removeprefix(served.running.url(""))
            for path in ["", "/rounds", "/people", "/settings"]:
                response = await other.goto(served.running.url(base + path))
                assert response is not None and response.status == 403, path
                assert await other.get_by_role("heading", level=1).inner_text() == "Not allowed"
            forms = {
                "/settings": {"weekday": "sunday", "time": "07:00", "timezone": "UTC"},
                "/people": {"old": "Sales", "new": "Stolen"},
                "/download": {"file": "jembatan-rounds.csv"},
            }
            for path, fields in forms.items():
                posted = await other.request.post(
                    served.running.url(base + path), form={"csrf": csrf or "", **fields}
                )
                assert posted.status == 403, path
            await other.screenshot(path=str(shots / "refused.png"), full_page=True)
            await stranger.close()
            assert "Friday" in await _status(served, member)  # nothing the stranger sent took effect
        finally:
            await browser.close()
    print(f"\nscreenshots: {shots}")
