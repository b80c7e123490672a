"""`jembatan demo`: a whole community, several rounds, on a throwaway SQLite file and a simulated clock."""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.markup import escape

from adapters.console.messenger import ConsoleDirectory, ConsoleMessenger
from adapters.console.parse import parse
from adapters.console.render import names, render
from bot import commands as c
from bot.app import Jembatan, build, handle, schedule, upgrade
from bot.domain.model import Group, Outcome, Platform, ProgramConfig, TenantRef
from bot.messages import Reply
from bot.settings import Settings


class Say(Protocol):
    """One colleague typing one command (or pressing a button); the reply's text comes back."""

    async def __call__(
        self, user: str, command: str | c.Command, *, admin: bool = ..., shown: bool = ...
    ) -> str: ...


DIVISIONS = (
    ("Engineering", 30),
    ("Sales", 20),
    ("Operations", 17),
    ("Finance", 13),
    ("People", 12),
    ("Legal", 8),
)
ZONES = (
    ("Asia/Jakarta", 60),
    ("Asia/Makassar", 15),
    ("Asia/Singapore", 10),
    ("Asia/Jayapura", 5),
    ("Europe/Amsterdam", 5),
    ("Australia/Sydney", 5),
)
INTERESTS = (
    "climbing",
    "jazz",
    "baking",
    "badminton",
    "photography",
    "chess",
    "running",
    "gardening",
    "coffee",
    "k-drama",
    "cycling",
    "board games",
)
FIRST = (
    "Ayu",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fajar",
    "Gita",
    "Hadi",
    "Indah",
    "Joko",
    "Kartika",
    "Lukas",
    "Maya",
    "Nanda",
    "Oki",
    "Putri",
    "Rizky",
    "Sari",
    "Teguh",
    "Umi",
    "Vina",
    "Wahyu",
    "Yudi",
    "Zahra",
)
LAST = ("Santoso", "Wijaya", "Pratama", "Lestari", "Nugroho", "Siregar", "Hutapea", "Kusuma", "Halim", "Tan")
MIDDLE = "ABDEFHIKLMNPRSTW"  # initials, once every first × last name is taken


def person_name(index: int) -> str:
    """A name no other demo member has, at any size: first names cycle fastest; each pass
    through them shifts the surname, so neighbours differ; past every first × last pair a
    middle initial, and past those a number."""
    first = FIRST[index % len(FIRST)]
    cycle = index // len(FIRST)
    last = LAST[(cycle + index % len(FIRST)) % len(LAST)]  # each pass gives a first name a new surname
    block = cycle // len(LAST)  # 0 while first × last pairs are still free
    if block == 0:
        return f"{first} {last}"
    if block <= len(MIDDLE):
        return f"{first} {MIDDLE[block - 1]}. {last}"
    return f"{first} {last} {block - len(MIDDLE) + 1}"


DEMO_TENANT = TenantRef(Platform.CONSOLE, "demo-company")


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    chart: Path
    rounds: int
    groups: int
    seconds: float
    names: dict[str, str] = field(default_factory=dict)  # user id → the demo's made-up name
    tenant: TenantRef = DEMO_TENANT
    admin: str = "U000"  # the colleague who set the program up, as a workspace admin


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def run_demo(
    members: int = 60,
    rounds: int = 4,
    lang: str = "en",
    seed: int = 7,
    console: Console | None = None,
    folder: Path | None = None,
) -> DemoResult:
    started = time.perf_counter()
    console = console or Console()
    rng = random.Random(seed)
    folder = folder or Path(tempfile.mkdtemp(prefix="jembatan-demo-"))
    url = f"sqlite:///{folder / 'jembatan.db'}"
    console.rule("[bold cyan]Jembatan demo")
    console.print(f"Database: {url}  (a fresh SQLite file; migrations applied)")
    await upgrade(url)

    directory = ConsoleDirectory()
    messenger = ConsoleMessenger(console, directory)
    clock = SimulatedClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))  # a Friday morning in Jakarta
    app = build(Settings(database_url=url, default_lang=lang), messenger, directory, clock)
    tenant = DEMO_TENANT
    channel = "jembatan-pairs"

    async def say(user: str, command: str | c.Command, *, admin: bool = False, shown: bool = True) -> str:
        if isinstance(command, str):
            typed, parsed = command, parse(command)
            assert isinstance(parsed, c.Command), f"the demo typed a command it cannot parse: {typed}"
        else:
            typed, parsed = "", command  # a button press: nothing typed
        reply = await _handle(app, tenant, user, channel, parsed, admin)
        if shown:
            console.print(
                f"[bold]{directory.names.get(user, user)}[/bold] › "
                f"[italic]{escape(names(typed, directory.names))}[/italic]"
            )
            console.print(f"  [dim]{escape(names(reply, directory.names))}[/dim]")
        return reply

    try:
        directory.names["U000"] = "Admin Ratna"
        await say("U000", f"/jembatan setup weekly monday 09:00 tz=Asia/Jakarta lang={lang}", admin=True)
        for index in range(1, members + 1):
            user = f"U{index:03d}"
            directory.names[user] = person_name(index)
            shown = index == 1
            await say(user, f"/jembatan join {_weighted(rng, DIVISIONS)}", shown=shown)
            await say(user, f"/jembatan timezone {_weighted(rng, ZONES)}", shown=shown)
            picks = rng.sample(INTERESTS, rng.randint(0, 3))
            if picks:
                await say(user, f"/jembatan interests {', '.join(picks)}", shown=shown)
        console.print(
            f"[dim]… and {members - 1} more colleagues joined with their division, time zone"
            " and interests.[/dim]"
        )
        console.print(
            "[dim]A deliberate mistake next: pauses are 1–12 weeks, so Jembatan explains and"
            " changes nothing.[/dim]"
        )
        await say("U002", "/jembatan pause 20")

        program = await _program(app, tenant, channel)
        total_groups = 0
        for number in range(1, rounds + 1):
            due = schedule.next_after(program, clock.now)
            clock.now = due.due + timedelta(minutes=1)
            console.rule(f"[bold]Round {number} · {due.period}")
            messenger.new_round()
            report = await app.ticker.tick()
            if messenger.hidden_intros:
                console.print(f"[dim]… and {messenger.hidden_intros} more intros, one per group DM.[/dim]")
            groups = await _groups_of_latest_round(app, tenant)
            total_groups += len(groups)
            clock.now += timedelta(days=1, hours=5)
            await _simulate_clicks(say, rng, groups, console, first_half=True)
            if number == 2:
                await say(
                    "U003",
                    "/jembatan shoutout <@U010> helped me untangle the Q3 forecast in one afternoon"
                    " #teamwork",
                )
            checkin = schedule.checkin_time(program, due.due)
            clock.now = checkin + timedelta(minutes=1)
            messenger.new_round()
            report = await app.ticker.tick()
            if report.checkins:
                console.print(
                    f"[dim]Mid-round check-in sent to {_count(report.checkins, 'group')}"
                    " that had not reported.[/dim]"
                )
            clock.now += timedelta(hours=30)
            await _simulate_clicks(say, rng, groups, console, first_half=False)
            await app.relay.drain()

        console.rule("[bold]Admin stats")
        reply = await _handle_full(app, tenant, "U000", channel, c.ShowStats(), True)
        if reply.message is not None:
            console.print(render(reply.message, directory.names))
        chart = folder / "jembatan-stats.png"
        for attachment in reply.attachments:
            (folder / attachment.filename).write_bytes(attachment.content)
        elapsed = time.perf_counter() - started
        console.print(f"Stats chart: [bold]{chart}[/bold]")
        console.print(
            f"[dim]{_count(members, 'person', 'people')}, {_count(rounds, 'round')}, "
            f"{_count(total_groups, 'group')} in {elapsed:.1f} s.[/dim]"
        )
        return DemoResult(folder, chart, rounds, total_groups, elapsed, dict(directory.names), tenant)
    finally:
        await app.close()


async def _handle_full(
    app: Jembatan, tenant: TenantRef, user: str, channel: str, command: c.Command, admin: bool
) -> Reply:
    return await handle(app.deps, c.Actor(tenant, user, channel, is_platform_admin=admin), command)


async def _handle(
    app: Jembatan, tenant: TenantRef, user: str, channel: str, command: c.Command, admin: bool
) -> str:
    return (await _handle_full(app, tenant, user, channel, command, admin)).text


async def _program(app: Jembatan, tenant: TenantRef, channel: str) -> ProgramConfig:
    async with app.store.unit() as uow:
        tenant_id = await uow.tenants.find(tenant)
        assert tenant_id is not None, "the demo set up its program a moment ago"
        program = await uow.scoped(tenant_id).programs.by_channel(channel)
    assert program is not None
    return program.config


async def _groups_of_latest_round(app: Jembatan, tenant: TenantRef) -> list[Group]:
    async with app.store.unit() as uow:
        tenant_id = await uow.tenants.find(tenant)
        assert tenant_id is not None
        scope = uow.scoped(tenant_id)
        program = (await scope.programs.all())[0]
        latest = await scope.rounds.of_program(program.id, limit=1)
        return await scope.groups.of_round(latest[0].id) if latest else []


async def _simulate_clicks(
    say: Say, rng: random.Random, groups: list[Group], console: Console, *, first_half: bool
) -> None:
    # Early in a round most people have not met yet; by the end, most of those who will have.
    chance = {True: (0.45, 0.1, 0.03), False: (0.35, 0.05, 0.02)}[first_half]
    counts = {Outcome.MET: 0, Outcome.NOT_YET: 0, Outcome.SKIPPED: 0}
    for group in groups:
        roll = rng.random()
        met, not_yet, skipped = chance
        outcome = (
            Outcome.MET
            if roll < met
            else Outcome.NOT_YET
            if roll < met + not_yet
            else Outcome.SKIPPED
            if roll < met + not_yet + skipped
            else None
        )
        if outcome is None or not group.user_ids:
            continue
        clicker = rng.choice(group.user_ids)
        await say(clicker, c.RecordOutcome(group.id, outcome.value), shown=False)
        counts[outcome] += 1
    console.print(
        f"[dim]Clicks: {counts[Outcome.MET]} × “we met”, {counts[Outcome.NOT_YET]} × “not yet”, "
        f"{counts[Outcome.SKIPPED]} × “skip”.[/dim]"
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
