"""Pacing: a round delivered by the real relay and Slack messenger to a fake Slack that enforces
Slack's limits (Tier 3 on conversations.open, about one post a second per channel), 429 with
Retry-After past them. How long against the floor those limits set, how many 429s, whether any
request came before its Retry-After, and whether relays on one database multiply a workspace's budget.

    PYTHONPATH=. python bench/pacing.py                # 1,000 pairs, limits 10× faster (about 15 minutes)
    PYTHONPATH=. python bench/pacing.py --quick        # 40 pairs, limits 20× faster
    PYTHONPATH=. python bench/pacing.py --pairs 1000 --speed 1    # real time: about an hour

In process: bot.app.build with adapters/slack's messenger (slack_sdk's client, its
Retry-After handling included) against tests/adapters/slack/fake_slack.py over HTTP.
Scenarios, each from a fresh database:
  (1) one workspace, the relay as `jembatan run slack` sets it up (SEND_INTERVAL between sends
      to a workspace), on SQLite;
  (2) two workspaces with a round each at once, same relay, on SQLite: each has its own budget
      at Slack, and each should be delivered in about its own floor;
  (3) one workspace with no pacing (JEMBATAN_SEND_INTERVAL=0), on SQLite: only 429s slow it down;
  (4) two relays (two apps as `build` makes them, each its own engine, pool and holder
      registration: what two replicas are) on one PostgreSQL, two workspaces: the pace lives in
      the database, so two relays must not send to a workspace faster than one.
The floor: for every rate-limit bucket (workspace × method, and channel for posts), the
requests it served, less its burst, at its rate; the slowest bucket sets it. "Peak" counts the
conversations.open requests a workspace was sent (served or refused) in its busiest minute,
against the most Tier 3 serves in one (its burst, plus 50). Times are shown in Slack time
(real seconds × speed) so they read as they would against Slack itself.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from adapters.slack.clients import Workspaces
from adapters.slack.main import SEND_INTERVAL
from adapters.slack.messenger import SlackMessenger
from bot.app import Jembatan, build, upgrade
from bot.domain.model import Platform, ProgramConfig, TenantRef
from bot.services.rounds import start_round
from bot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack, RateLimits, Throttle
from tests.databases import admin_execute

DIVISIONS = ("Engineering", "Sales", "Operations", "Finance", "People", "Legal")
GIVE_UP = 600.0  # real seconds without a send: stuck
SERVER = "postgresql://postgres@127.0.0.1:5432/test"


class Tokens:
    """Each workspace's bot token (the OAuth installs' token source, minus the database)."""

    def __init__(self, by_team: dict[str, str]) -> None:
        self._by_team = by_team

    async def bot_token(self, tenant: TenantRef) -> str | None:
        return self._by_team.get(tenant.external_id)


class Everyone:
    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        return user_id

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        return set(user_ids)


@dataclass
class Outcome:
    name: str
    interval: float  # Slack seconds between sends to one workspace
    seconds: dict[str, float]  # workspace → Slack seconds until its last intro was taken
    floor: dict[str, float]  # workspace → Slack seconds its own budget allows at best
    requests: int
    refused: int
    early: int  # requests before the Retry-After their own bucket was given
    early_in_workspace: int  # requests to a workspace while any Retry-After it was given ran
    retry_after: list[int]
    sends: int  # outbox rows sent
    real_seconds: float
    peak: dict[str, int]  # workspace → conversations.open asked in its busiest Slack minute
    peak_limit: int  # the most Tier 3 serves in one minute: burst + 50
    relays: int = 1

    def ratios(self) -> dict[str, float]:
        return {
            t: took / self.floor[t] if self.floor[t] else float("inf") for t, took in self.seconds.items()
        }

    def lines(self, speed: float) -> list[str]:
        who = f"{self.relays} relays" if self.relays > 1 else "relay"
        out = [f"{self.name} ({who} pacing {self.interval:g} s between sends to a workspace):"]
        for team, took in self.seconds.items():
            out.append(
                f"  {team}: delivered in {_minutes(took)} against a floor of {_minutes(self.floor[team])}: "
                f"{self.ratios()[team]:.2f}× the floor; conversations.open in its busiest minute: "
                f"{self.peak[team]} (Slack serves at most {self.peak_limit})"
            )
        if len(self.seconds) > 1:
            together = max(self.seconds.values())
            floor = max(self.floor.values())
            out.append(
                f"  both: {_minutes(together)} against {_minutes(floor)} "
                f"(each workspace its own budget): {together / floor:.2f}×"
            )
        waits = ", ".join(f"{n}×{s} s" for s, n in sorted(_count(self.retry_after).items())) or "none"
        out.append(f"  429s: {self.refused} of {self.requests} requests (Retry-After given: {waits})")
        out.append(
            f"  requests before their Retry-After: {self.early}; to a workspace while one of its "
            f"Retry-Afters ran: {self.early_in_workspace}"
        )
        return out


def _count(values: list[int]) -> dict[int, int]:
    counted: dict[int, int] = {}
    for v in values:
        counted[v] = counted.get(v, 0) + 1
    return counted


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:5.1f} min" if seconds >= 120 else f"{seconds:5.1f} s"


async def _serve(fake: FakeSlack) -> web.AppRunner:
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}"
    return runner


async def _queue_round(app: Jembatan, team: str, pairs: int, now: datetime) -> int:
    """A program and 2 × pairs members seeded straight through the repositories; a round
    started: its intros wait in the outbox. Returns the workspace's id."""
    async with app.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(TenantRef(Platform.SLACK, team), now)
        scope = uow.scoped(tenant_id)
        config = ProgramConfig(timezone="UTC")
        program = await scope.programs.create("C0PAIRS", config, now, "U0ADMIN")
        for i in range(2 * pairs):
            person = await scope.people.ensure(f"U{team[-1]}{i:05d}", now)
            await scope.people.update_profile(person.id, division=DIVISIONS[i % len(DIVISIONS)])
            await scope.memberships.join(program.id, person.id, now)
        await uow.commit()
    summary = await start_round(app.deps, tenant_id, program.id, "bench", now)
    assert summary is not None and summary.groups == pairs, summary
    return tenant_id


async def _database(folder: Path, name: str, server: str | None) -> tuple[str, str | None]:
    """A fresh database: a SQLite file, or a scratch PostgreSQL database (its name, to drop)."""
    if server is None:
        return f"sqlite:///{folder / (name.split()[0].strip('()') + '.db')}", None
    database = f"jb_pacing_{secrets.token_hex(5)}"
    await admin_execute(server, f'CREATE DATABASE "{database}"')
    return make_url(server).set(database=database).render_as_string(hide_password=False), database


def _busiest_minute(asked: list[float], minute: float) -> int:
    """The most requests in any window of `minute` real seconds."""
    most, start = 0, 0
    for end, at in enumerate(asked):
        while at - asked[start] >= minute:
            start += 1
        most = max(most, end - start + 1)
    return most


async def scenario(
    name: str,
    teams: list[str],
    pairs: int,
    speed: float,
    interval: float,
    folder: Path,
    *,
    relays: int = 1,
    server: str | None = None,
) -> Outcome:
    fake = FakeSlack(team_id=teams[0], rate_limits=RateLimits(speed=speed))
    tokens = {team: f"xoxb-{team.lower()}" for team in teams}
    for team, token in tokens.items():
        fake.tokens[token] = team
        for i in range(2 * pairs):
            fake.add_user(f"U{team[-1]}{i:05d}")
    runner = await _serve(fake)
    url, scratch = await _database(folder, name, server)
    await upgrade(url)
    settings = Settings(database_url=url, slack_api_url=fake.base_url + "/api/")
    apps = [
        build(
            settings,
            SlackMessenger(Workspaces(Tokens(tokens), fake.base_url + "/api/")),
            Everyone(),
            relay_interval=interval / speed,
        )
        for _ in range(relays)
    ]
    app = apps[0]
    try:
        now = datetime.now(UTC)
        ids = {team: await _queue_round(app, team, pairs, now) for team in teams}
        started = time.monotonic()
        progress = {"last_send": started, "sends": 0, "done": False}

        async def left() -> bool:
            async with app.store.unit() as uow:
                for tid in ids.values():
                    counts = await uow.scoped(tid).outbox.counts()
                    if counts.get("pending", 0) or counts.get("sending", 0):
                        return True
            return False

        async def relay_loop(replica: Jembatan) -> None:
            while not progress["done"]:
                report = await replica.relay.run_once()
                progress["sends"] += report.sent
                if report.sent or report.failed:
                    progress["last_send"] = time.monotonic()
                if not await left():
                    progress["done"] = True
                    break
                if time.monotonic() - float(progress["last_send"]) > GIVE_UP:
                    raise RuntimeError(f"{name}: no send for {GIVE_UP:.0f} s")
                await asyncio.sleep(0.02)  # the runtime's relay job comes round again

        await asyncio.gather(*(relay_loop(replica) for replica in apps))
        failed = 0
        for tid in ids.values():
            async with app.store.unit() as uow:
                failed += (await uow.scoped(tid).outbox.counts()).get("failed", 0)
        if failed:
            raise RuntimeError(f"{name}: {failed} message(s) failed")
    finally:
        for replica in apps:
            await replica.close()
        await runner.cleanup()
        if scratch is not None and server is not None:
            await admin_execute(server, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    throttle: Throttle = fake.throttle
    seconds: dict[str, float] = {}
    floor: dict[str, float] = {team: 0.0 for team in teams}
    limits = fake.rate_limits
    assert limits is not None
    for key, served in throttle.served.items():
        team, method = key[0], key[1]
        seconds[team] = max(seconds.get(team, 0.0), (max(served) - started) * speed)
        channel = key[2] if len(key) > 2 else ""
        bucket = limits.bucket(method, team, {"channel": channel})
        assert bucket is not None
        _, rate, burst = bucket
        floor[team] = max(floor[team], max(0, len(served) - burst) / rate * speed)
    peak = {
        team: _busiest_minute(throttle.asked.get((team, "conversations.open"), []), 60 / speed)
        for team in teams
    }
    requests = sum(len(v) for v in throttle.served.values()) + throttle.refused
    return Outcome(
        name,
        interval,
        {t: seconds[t] for t in teams},
        floor,
        requests,
        throttle.refused,
        throttle.early,
        throttle.early_in_workspace,
        throttle.retry_after,
        int(progress["sends"]),
        float(progress["last_send"]) - started,
        peak,
        limits.open_burst + int(limits.opens_per_minute),
        relays,
    )


async def run(
    pairs: int, speed: float, scenarios: Sequence[int] = (1, 2, 3, 4), server: str = SERVER
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as folder:
        if 1 in scenarios:
            outcomes.append(
                await scenario("(1) one workspace", ["T0A"], pairs, speed, SEND_INTERVAL, Path(folder))
            )
        if 2 in scenarios:
            outcomes.append(
                await scenario(
                    "(2) two workspaces at once", ["T0A", "T0B"], pairs, speed, SEND_INTERVAL, Path(folder)
                )
            )
        if 3 in scenarios:
            outcomes.append(
                await scenario("(3) one workspace, unpaced", ["T0A"], pairs, speed, 0.0, Path(folder))
            )
        if 4 in scenarios:
            outcomes.append(
                await scenario(
                    "(4) two relays on PostgreSQL, two workspaces",
                    ["T0A", "T0B"],
                    pairs,
                    speed,
                    SEND_INTERVAL,
                    Path(folder),
                    relays=2,
                    server=server,
                )
            )
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000, help="pairs per workspace's round")
    parser.add_argument("--speed", type=float, default=10.0, help="run Slack's limits this many times faster")
    parser.add_argument("--quick", action="store_true", help="40 pairs, limits 20× faster")
    parser.add_argument("--scenario", type=int, nargs="+", default=[1, 2, 3, 4], choices=[1, 2, 3, 4])
    parser.add_argument("--server", default=SERVER, help="a PostgreSQL server URL, for (4)")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.speed = 40, 20.0
    limits = RateLimits(speed=args.speed)
    print(
        f"{args.pairs} pairs per round; fake Slack limits: "
        f"conversations.open {limits.opens_per_minute:g}/min "
        f"(burst {limits.open_burst}), chat.postMessage {limits.posts_per_second:g}/s per channel "
        f"(burst {limits.post_burst}), per workspace."
    )
    if args.speed != 1:
        print(
            f"Clock scaled: limits and the relay's pacing run {args.speed:g}× faster; times below are "
            f"Slack time (real × {args.speed:g}). Retry-After stays whole seconds, so a 429 costs at "
            f"least {args.speed:g} s of Slack time, and the bot's own work per send weighs {args.speed:g}× "
            "more than it would against Slack."
        )
    for outcome in asyncio.run(run(args.pairs, args.speed, args.scenario, args.server)):
        print("\n".join(outcome.lines(args.speed)), flush=True)


if __name__ == "__main__":
    main()
