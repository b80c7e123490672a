"""How long does the dashboard take to render a big program's pages, server-side?

    python bench/dashboard.py [--members 5000] [--rounds 8] [--postgres postgresql://…/db]

Seeds a program straight through the repositories, runs real rounds through the service (the
engine pairs everyone), records "we met" for about half the groups, then asks the running
dashboard for the overview (and the rounds and people pages) over HTTP on 127.0.0.1, several
times, and prints the median: the time from request to the last byte (the server's work plus
a loopback round trip), and this process's CPU time for it (steadier on a busy machine; on
PostgreSQL the database's own CPU is not in it). The read model alone (no HTML) is timed too,
and so, as a baseline in the same run, what the `stats` command reads and computes. Goal: the
overview in under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from adapters.dashboard.serve import setup_for, start
from bench.round_service import DIVISIONS, CountingMessenger, Everyone
from bot.app import build, upgrade
from bot.domain import schedule
from bot.domain.model import Outcome, Platform, ProgramConfig, TenantRef
from bot.domain.stats import compute
from bot.services.rounds import start_round
from bot.settings import Settings
from tests.databases import admin_execute

REPEATS = 7


async def _seed(url: str, members: int, rounds: int) -> tuple[object, int, int]:
    await upgrade(url)
    now = datetime(2026, 1, 2, tzinfo=UTC)
    app = build(Settings(database_url=url), CountingMessenger(), Everyone(), lambda: now)
    rng = random.Random(1)
    async with app.store.unit() as uow:
        tenant_ref = TenantRef(Platform.CONSOLE, f"bench-dash-{secrets.token_hex(4)}")
        tenant_id = await uow.tenants.ensure(tenant_ref, now)
        scope = uow.scoped(tenant_id)
        config = ProgramConfig(timezone="Asia/Jakarta")
        program = await scope.programs.create("C-BENCH", config, now, "U-ADMIN")
        for i in range(members):
            person = await scope.people.ensure(f"U{i}", now)
            await scope.people.update_profile(
                person.id, division=rng.choice(DIVISIONS), timezone="Asia/Jakarta"
            )
            await scope.memberships.join(program.id, person.id, now)
        await uow.commit()
    moment = now
    for _ in range(rounds):
        due = schedule.next_after(config, moment)
        await start_round(app.deps, tenant_id, program.id, due.period, due.due)
        moment = due.due + timedelta(minutes=1)
        async with app.store.unit() as uow:
            scope = uow.scoped(tenant_id)
            latest = (await scope.rounds.of_program(program.id, limit=1))[0]
            for group in await scope.groups.of_round(latest.id):
                if rng.random() < 0.5:
                    await scope.groups.set_outcome(group.id, Outcome.MET, "bench", moment)
            await uow.commit()
    if url.startswith("postgresql"):
        # What autovacuum does soon after a bulk load: without fresh statistics the planner
        # takes the just-seeded tables for empty and joins them row by row (seconds, not ms).
        async with app.store.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("ANALYZE"))
    return app, tenant_id, program.id


@dataclass(frozen=True)
class Timing:
    wall: float  # ms, median
    cpu: float  # ms of this process's CPU (every thread: SQLite's work included), median

    def __str__(self) -> str:
        return f"{self.wall:6.1f} ms ({self.cpu:5.1f} ms CPU)"


async def _median_ms(action: object) -> Timing:
    walls, cpus = [], []
    for _ in range(REPEATS):
        started, cpu = time.perf_counter(), time.process_time()
        await action()  # type: ignore[operator]
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus))


async def measure(url: str, members: int, rounds: int) -> str:
    app, tenant_id, program_id = await _seed(url, members, rounds)
    store = app.store  # type: ignore[attr-defined]
    setup = setup_for(store, {})
    running = await start(setup)
    token = setup.links.issue("U-ADMIN", frozenset({tenant_id}))
    base = f"/w/{tenant_id}/p/{program_id}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(running.url(f"/signin/{token}")) as signed:
                assert signed.status == 200, signed.status

            async def page(path: str) -> None:
                async with http.get(running.url(path)) as response:
                    assert response.status == 200, (path, response.status)
                    await response.read()

            await page(base)  # warm: templates compiled, pool filled

            async def stats_baseline() -> None:  # what `/jembatan stats` reads and computes (no chart)
                async with store.unit() as uow:
                    compute(await uow.scoped(tenant_id).reports.stats_facts([program_id]))

            baseline = await _median_ms(stats_baseline)
            model = await _median_ms(lambda: setup.dashboard.overview(tenant_id, program_id))
            overview = await _median_ms(lambda: page(base))
            listing = await _median_ms(lambda: page(base + "/rounds"))
            people = await _median_ms(lambda: page(base + "/people"))
    finally:
        await running.stop()
        await app.close()  # type: ignore[attr-defined]
    backend = url.split(":", 1)[0]
    return (
        f"{backend:10} {members:>6} members, {rounds} rounds, median of {REPEATS}: overview page {overview}, "
        f"its read model {model}; rounds page {listing}; people page {people}; "
        f"baseline, the stats command's reads: {baseline}; overview page = "
        f"{overview.wall / baseline.wall:.1f}× that (goal: overview < 300 ms)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server to measure as well (a scratch database is made on it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(await measure(f"sqlite:///{Path(folder) / 'dash.db'}", args.members, args.rounds), flush=True)
    if args.postgres:
        # A database of its own, dropped afterwards, as the other benches do: tenants left behind
        # by earlier runs would skew the planner's estimates and so the figure.
        name = f"jembatan_bench_dash_{secrets.token_hex(4)}"
        await admin_execute(args.postgres, f'CREATE DATABASE "{name}"')
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            print(await measure(url, args.members, args.rounds), flush=True)
        finally:
            await admin_execute(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
