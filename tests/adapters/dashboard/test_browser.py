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

from adapters.console.demo import run_demo
from adapters.dashboard.serve import Running, setup_for, start
from bot.app import open_store

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
        yield Served(running, running.url(f"/signin/{token}"), tenant_id)
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
