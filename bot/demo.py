"""The demo's scenario: a made-up company of colleagues who join, set up their profiles, are
paired for a few weekly rounds on a simulated clock and click what they did, then an admin's
stats. It drives the core as an edge would, one command at a time through `handle`; what is
shown, and how, is the edge's (`Stage`): `jembatan demo` prints it in a terminal. The door
(`bot.app`) offers it."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot import commands as c
from bot import grammar
from bot.delivery import Relay
from bot.domain import schedule
from bot.domain.model import Group, Outcome, Platform, ProgramConfig, TenantRef
from bot.messages import Reply
from bot.runtime.ticker import Ticker
from bot.services.base import Deps
from bot.services.dispatch import handle
from bot.settings import Settings

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
CHANNEL = "jembatan-pairs"
ADMIN = "U000"  # the colleague who sets the program up, as a workspace admin
START = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # a Friday morning in Jakarta
COMMAND = "/jembatan"  # what colleagues type before a command, as in a text workspace

# Chances that a group clicks "we met", "not yet" or "skip" in each half of a round: early on
# most people have not met yet; by the end, most of those who will have.
FIRST_HALF = (0.45, 0.1, 0.03)
SECOND_HALF = (0.35, 0.05, 0.02)


@dataclass(frozen=True)
class DemoResult:
    folder: Path  # the demo's throwaway SQLite file and stats chart
    chart: Path
    members: int
    rounds: int
    groups: int
    seconds: float
    names: dict[str, str] = field(default_factory=dict)  # user id → the demo's made-up name
    tenant: TenantRef = DEMO_TENANT
    admin: str = ADMIN
    tenant_id: int | None = None  # the workspace in the demo's database, for the dashboard


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Colleagues:
    """The Directory port for the made-up company: everyone stays; names are the demo's."""

    names: dict[str, str] = field(default_factory=dict)

    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        return set(user_ids)


class Core(Protocol):
    """What the scenario uses of the built core (`bot.app.Jembatan` has it)."""

    deps: Deps
    ticker: Ticker
    relay: Relay


class Stage(Protocol):
    """Where the demo is shown: the scenario says what happens, in order; the stage decides
    what the user sees of it (the messages themselves arrive through the Messenger port)."""

    def said(self, user: str, typed: str, reply: str) -> None:
        """A colleague typed a command (`typed` is empty for a button press); `reply` came back."""

    def joined(self, others: int) -> None:
        """`others` more colleagues joined unseen, with their division, time zone and interests."""

    def mistake_ahead(self) -> None: ...

    def round_begins(self, number: int, period: str) -> None: ...

    def round_posted(self) -> None:
        """The round's announcement and intros went out."""

    def clicked(self, counts: Mapping[Outcome, int]) -> None: ...

    def checkin_begins(self) -> None: ...

    def checked_in(self, groups: int) -> None:
        """A mid-round check-in went to `groups` groups that had not reported (at least one)."""

    def stats(self, reply: Reply) -> None:
        """The admin asked for the stats; the chart is saved in the demo's folder."""


class Demo:
    """One run of the scenario: `members` colleagues, `rounds` weekly rounds; the same `seed`
    plays the same demo. Build the core with `settings`, `colleagues` and `clock`, then `play`."""

    def __init__(
        self, members: int = 60, rounds: int = 4, lang: str = "en", seed: int = 7, folder: Path | None = None
    ) -> None:
        self.started = time.perf_counter()
        self.members, self.rounds, self.lang = members, rounds, lang
        self.folder = folder or Path(tempfile.mkdtemp(prefix="jembatan-demo-"))
        self.database_url = f"sqlite:///{self.folder / 'jembatan.db'}"
        self.settings = Settings(database_url=self.database_url, default_lang=lang)
        self.clock = SimulatedClock(START)
        self.colleagues = Colleagues()
        self.rng = random.Random(seed)

    async def play(self, core: Core, stage: Stage) -> DemoResult:
        """Run the whole script against a core built (and migrated) for this demo."""
        play = _Play(self, core, stage)
        await play.community()
        program, tenant_id = await play.program()
        groups = 0
        for number in range(1, self.rounds + 1):
            groups += await play.round(number, program)
        await play.stats()
        return DemoResult(
            self.folder,
            self.folder / "jembatan-stats.png",
            self.members,
            self.rounds,
            groups,
            time.perf_counter() - self.started,
            dict(self.colleagues.names),
            DEMO_TENANT,
            ADMIN,
            tenant_id,
        )


class _Play:
    def __init__(self, demo: Demo, core: Core, stage: Stage) -> None:
        self.demo, self.core, self.stage = demo, core, stage
        self.rng = demo.rng
        self.clock = demo.clock
        self.names = demo.colleagues.names
        self.tenant_id = self.program_id = 0  # known once the admin has set the program up

    async def say(
        self, user: str, command: str | c.Command, *, admin: bool = False, shown: bool = True
    ) -> Reply:
        if isinstance(command, str):
            typed = command
            head, _, rest = typed.partition(" ")
            parsed = grammar.parse(rest)
            assert head == COMMAND and isinstance(parsed, c.Command), f"the demo typed: {typed}"
        else:
            typed, parsed = "", command  # a button press: nothing typed
        actor = c.Actor(DEMO_TENANT, user, CHANNEL, is_platform_admin=admin)
        reply = await handle(self.core.deps, actor, parsed)
        if shown:
            self.stage.said(user, typed, reply.text)
        return reply

    async def community(self) -> None:
        """The admin sets up a weekly program; everyone joins; someone asks for too long a pause."""
        demo, rng = self.demo, self.rng
        self.names[ADMIN] = "Admin Ratna"
        setup = f"{COMMAND} setup weekly monday 09:00 tz=Asia/Jakarta lang={demo.lang}"
        await self.say(ADMIN, setup, admin=True)
        for index in range(1, demo.members + 1):
            user = f"U{index:03d}"
            self.names[user] = person_name(index)
            shown = index == 1
            await self.say(user, f"{COMMAND} join {_weighted(rng, DIVISIONS)}", shown=shown)
            await self.say(user, f"{COMMAND} timezone {_weighted(rng, ZONES)}", shown=shown)
            picks = rng.sample(INTERESTS, rng.randint(0, 3))
            if picks:
                await self.say(user, f"{COMMAND} interests {', '.join(picks)}", shown=shown)
        self.stage.joined(demo.members - 1)
        self.stage.mistake_ahead()
        await self.say("U002", f"{COMMAND} pause 20")

    async def program(self) -> tuple[ProgramConfig, int]:
        """The program the admin set up, and the demo workspace's id in the database."""
        async with self.core.deps.store.unit() as uow:
            tenant_id = await uow.tenants.find(DEMO_TENANT)
            assert tenant_id is not None, "the demo set up its program a moment ago"
            program = await uow.scoped(tenant_id).programs.by_channel(CHANNEL)
        assert program is not None
        self.tenant_id, self.program_id = tenant_id, program.id
        return program.config, tenant_id

    async def round(self, number: int, program: ProgramConfig) -> int:
        """One weekly round: pairs, clicks, a check-in halfway, more clicks. Its group count."""
        core, clock, stage = self.core, self.clock, self.stage
        due = schedule.next_after(program, clock.now)
        clock.now = due.due + timedelta(minutes=1)
        stage.round_begins(number, due.period)
        await core.ticker.tick()
        stage.round_posted()
        groups = await self.groups_of_latest_round()
        clock.now += timedelta(days=1, hours=5)
        await self.clicks(groups, FIRST_HALF)
        if number == 2:
            shoutout = "shoutout <@U010> helped me untangle the Q3 forecast in one afternoon #teamwork"
            await self.say("U003", f"{COMMAND} {shoutout}")
        clock.now = schedule.checkin_time(program, due.due) + timedelta(minutes=1)
        stage.checkin_begins()
        report = await core.ticker.tick()
        if report.checkins:
            stage.checked_in(report.checkins)
        clock.now += timedelta(hours=30)
        await self.clicks(groups, SECOND_HALF)
        await core.relay.drain()
        return len(groups)

    async def groups_of_latest_round(self) -> list[Group]:
        async with self.core.deps.store.unit() as uow:
            scope = uow.scoped(self.tenant_id)
            latest = await scope.rounds.of_program(self.program_id, limit=1)
            return await scope.groups.of_round(latest[0].id) if latest else []

    async def clicks(self, groups: list[Group], chance: tuple[float, float, float]) -> None:
        """Some groups press a button on their intro: one of them, chosen at random."""
        met, not_yet, skipped = chance
        counts = {Outcome.MET: 0, Outcome.NOT_YET: 0, Outcome.SKIPPED: 0}
        for group in groups:
            roll = self.rng.random()
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
            clicker = self.rng.choice(group.user_ids)
            await self.say(clicker, c.RecordOutcome(group.id, outcome.value), shown=False)
            counts[outcome] += 1
        self.stage.clicked(counts)

    async def stats(self) -> None:
        reply = await self.say(ADMIN, c.ShowStats(), admin=True, shown=False)
        self.stage.stats(reply)
        for attachment in reply.attachments:
            (self.demo.folder / attachment.filename).write_bytes(attachment.content)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]
