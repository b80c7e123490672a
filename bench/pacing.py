"""Pacing: a round delivered by the real relay and Slack messenger to a fake Slack that enforces
Slack's limits (Tier 3 on conversations.open, about one post a second per channel), 429 with
Retry-After past them. How long against the floor those limits set, how many 429s, and whether
any request came before its Retry-After.

    PYTHONPATH=. python bench/pacing.py                # 1,000 pairs, limits 10× faster (about 10 minutes)
    PYTHONPATH=. python bench/pacing.py --quick        # 40 pairs, limits 20× faster
    PYTHONPATH=. python bench/pacing.py --pairs 1000 --speed 1    # real time: about 20 minutes

In process: bot.app.build with adapters/slack's messenger (slack_sdk's client, its
Retry-After handling included) against tests/adapters/slack/fake_slack.py over HTTP, on SQLite.
Scenarios, each from a fresh database:
  (1) one workspace, the relay as `jembatan run slack` sets it up (one send per SEND_INTERVAL);
  (2) two workspaces with a round each at once, same relay: each has its own budget at Slack;
  (3) one workspace with no pacing (JEMBATAN_SEND_INTERVAL=0): only the 429s slow it down.
The floor: for every rate-limit bucket (workspace × method, and channel for posts), the
requests it served, less its burst, at its rate; the slowest bucket sets it. Times are shown
in Slack time (real seconds × speed) so they read as they would against Slack itself.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from adapters.slack.clients import Workspaces
from adapters.slack.main import SEND_INTERVAL
from adapters.slack.messenger import SlackMessenger
from bot.app import Jembatan, build, upgrade
from bot.domain.model import Platform, ProgramConfig, TenantRef
from bot.services.rounds import start_round
from bot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack, RateLimits

DIVISIONS = ("Engineering", "Sales", "Operations", "Finance", "People", "Legal")
GIVE_UP = 600.0  # real seconds without a send: stuck


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
    interval: float  # Slack seconds between sends
    seconds: dict[str, float]  # workspace → Slack seconds until its last intro was taken
    floor: dict[str, float]  # workspace → Slack seconds its own budget allows at best
    requests: int
    refused: int
    early: int
    retry_after: list[int]
    sends: int  # outbox rows sent
    real_seconds: float

    def work_per_send(self, speed: float) -> float:
        """Real seconds the relay spends per send besides its pacing pause (database, HTTP)."""
        return max(0.0, self.real_seconds / max(1, self.sends) - self.interval / speed)

    def lines(self, speed: float) -> list[str]:
        out = [f"{self.name} (relay pacing {self.interval:g} s between sends):"]
        for team, took in self.seconds.items():
            floor = self.floor[team]
            ratio = took / floor if floor else float("inf")
            out.append(
                f"  {team}: delivered in {_minutes(took)} against a floor of {_minutes(floor)}: "
                f"{ratio:.2f}× the floor"
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
        out.append(f"  requests before their Retry-After: {self.early}")
        if speed != 1 and self.interval and len(self.seconds) == 1:
            # The pause comes after each send's own work, so a send takes pause + work; the work
            # is real time, which the scaled clock multiplies. At Slack's own speed it would not be.
            work = self.work_per_send(speed)
            floor = next(iter(self.floor.values()))
            projected = self.sends * (self.interval + work) - self.interval  # no pause after the last
            out.append(
                f"  the relay's own work per send: {work * 1000:.0f} ms real (× {speed:g} here); at Slack's "
                f"own speed: ≈ {_minutes(projected)}, {projected / floor:.2f}× the floor"
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


async def scenario(
    name: str, teams: list[str], pairs: int, speed: float, interval: float, folder: Path
) -> Outcome:
    fake = FakeSlack(team_id=teams[0], rate_limits=RateLimits(speed=speed))
    tokens = {team: f"xoxb-{team.lower()}" for team in teams}
    for team, token in tokens.items():
        fake.tokens[token] = team
        for i in range(2 * pairs):
            fake.add_user(f"U{team[-1]}{i:05d}")
    runner = await _serve(fake)
    url = f"sqlite:///{folder / (name.split()[0].strip('()') + '.db')}"
    await upgrade(url)
    messenger = SlackMessenger(Workspaces(Tokens(tokens), fake.base_url + "/api/"))
    settings = Settings(database_url=url, slack_api_url=fake.base_url + "/api/")
    app = build(settings, messenger, Everyone(), relay_interval=interval / speed)
    try:
        now = datetime.now(UTC)
        ids = {team: await _queue_round(app, team, pairs, now) for team in teams}
        started = time.monotonic()
        last_send = started
        sends = 0
        while True:
            report = await app.relay.run_once()
            sends += report.sent
            if report.sent or report.failed:
                last_send = time.monotonic()
            async with app.store.unit() as uow:
                left = [
                    n
                    for tid in ids.values()
                    for s, n in (await uow.scoped(tid).outbox.counts()).items()
                    if s in ("pending", "sending")
                ]
            if not any(left):
                break
            if time.monotonic() - last_send > GIVE_UP:
                raise RuntimeError(f"{name}: no send for {GIVE_UP:.0f} s")
            await asyncio.sleep(0.02)  # the runtime's relay job comes round again
        failed = 0
        for tid in ids.values():
            async with app.store.unit() as uow:
                failed += (await uow.scoped(tid).outbox.counts()).get("failed", 0)
        if failed:
            raise RuntimeError(f"{name}: {failed} message(s) failed")
    finally:
        await app.close()
        await runner.cleanup()
    throttle = fake.throttle
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
    requests = sum(len(v) for v in throttle.served.values()) + throttle.refused
    return Outcome(
        name,
        interval,
        {t: seconds[t] for t in teams},
        floor,
        requests,
        throttle.refused,
        throttle.early,
        throttle.retry_after,
        sends,
        last_send - started,
    )


async def run(pairs: int, speed: float, scenarios: Sequence[int] = (1, 2, 3)) -> list[Outcome]:
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
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000, help="pairs per workspace's round")
    parser.add_argument("--speed", type=float, default=10.0, help="run Slack's limits this many times faster")
    parser.add_argument("--quick", action="store_true", help="40 pairs")
    parser.add_argument("--scenario", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3])
    args = parser.parse_args()
    if args.quick:
        args.pairs = 40
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
    for outcome in asyncio.run(run(args.pairs, args.speed, args.scenario)):
        print("\n".join(outcome.lines(args.speed)), flush=True)


if __name__ == "__main__":
    main()
