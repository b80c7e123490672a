"""`jembatan demo` in a terminal: the core's demo scenario (`bot.app.Demo`: a whole community,
several rounds, on a throwaway SQLite file and a simulated clock), told line by line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from adapters.console.messenger import ConsoleMessenger
from adapters.console.render import names, render
from bot.app import Demo, DemoResult, build, upgrade
from bot.domain.model import Outcome
from bot.messages import Reply


class ConsoleStage:
    """The demo's Stage: prints what happens, with the made-up names in place of user ids."""

    def __init__(self, console: Console, people: Mapping[str, str]) -> None:
        self.console = console
        self.people = people
        self.messenger = ConsoleMessenger(console, people)

    def opened(self, database_url: str) -> None:
        self.console.rule("[bold cyan]Jembatan demo")
        self.console.print(f"Database: {database_url}  (a fresh SQLite file; migrations applied)")

    def said(self, user: str, typed: str, reply: str) -> None:
        who, what = self.people.get(user, user), escape(names(typed, self.people))
        self.console.print(f"[bold]{who}[/bold] › [italic]{what}[/italic]")
        self.console.print(f"  [dim]{escape(names(reply, self.people))}[/dim]")

    def joined(self, others: int) -> None:
        self._aside(f"… and {others} more colleagues joined with their division, time zone and interests.")

    def mistake_ahead(self) -> None:
        self._aside(
            "A deliberate mistake next: pauses are 1–12 weeks, so Jembatan explains and changes nothing."
        )

    def round_begins(self, number: int, period: str) -> None:
        self.console.rule(f"[bold]Round {number} · {period}")
        self.messenger.new_round()

    def round_posted(self) -> None:
        if self.messenger.hidden_intros:
            self._aside(f"… and {self.messenger.hidden_intros} more intros, one per group DM.")

    def clicked(self, counts: Mapping[Outcome, int]) -> None:
        self._aside(
            f"Clicks: {counts[Outcome.MET]} × “we met”, {counts[Outcome.NOT_YET]} × “not yet”, "
            f"{counts[Outcome.SKIPPED]} × “skip”."
        )

    def checkin_begins(self) -> None:
        self.messenger.new_round()

    def checked_in(self, groups: int) -> None:
        self._aside(f"Mid-round check-in sent to {_count(groups, 'group')} that had not reported.")

    def stats(self, reply: Reply) -> None:
        self.console.rule("[bold]Admin stats")
        if reply.message is not None:
            self.console.print(render(reply.message, self.people))

    def finished(self, result: DemoResult) -> None:
        self.console.print(f"Stats chart: [bold]{result.chart}[/bold]")
        self._aside(
            f"{_count(result.members, 'person', 'people')}, {_count(result.rounds, 'round')}, "
            f"{_count(result.groups, 'group')} in {result.seconds:.1f} s."
        )

    def _aside(self, text: str) -> None:
        self.console.print(f"[dim]{text}[/dim]")


async def run_demo(
    members: int = 60,
    rounds: int = 4,
    lang: str = "en",
    seed: int = 7,
    console: Console | None = None,
    folder: Path | None = None,
) -> DemoResult:
    demo = Demo(members, rounds, lang, seed, folder)
    stage = ConsoleStage(console or Console(), demo.colleagues.names)
    stage.opened(demo.database_url)
    await upgrade(demo.database_url)
    app = build(demo.settings, stage.messenger, demo.colleagues, demo.clock)
    try:
        result = await demo.play(app, stage)
        stage.finished(result)
        return result
    finally:
        await app.close()


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
