"""Core messages as terminal text: a pure function per kind, with names in place of mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import assert_never

from rich.console import Group as Stack
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.messages import CheckIn, Intro, Message, Notice, RoundAnnouncement, ShoutOut, StatsReport

_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([^>|]+)(?:\|[^>]*)?>")


def names(text: str, people: Mapping[str, str]) -> str:
    text = _MENTION.sub(lambda m: "@" + people.get(m.group(1), m.group(1)), text)
    return _CHANNEL.sub(lambda m: "#" + m.group(1), text)


def _buttons(labels: list[str]) -> str:
    return "  ".join(f"[ {label} ]" for label in labels)


def render(message: Message, people: Mapping[str, str]) -> Panel:
    def n(text: str) -> str:
        return names(text, people)

    match message:
        case RoundAnnouncement(title, text, _, lines, footer, more):
            listed = [*(f"  • {n(line)}" for line in lines), *([f"  {more}"] if more else [])]
            body = "\n".join([n(text), "", *listed, "", n(footer)])
            return Panel(Text(body), title=title, border_style="cyan")
        case Intro(_, title, text, persons, reasons, icebreaker, window, buttons):
            rows = [n(text), ""]
            rows += [f"  {n(f'<@{p.user_id}>')}: {p.detail}" for p in persons]
            rows += [
                "",
                *(f"  ✓ {r}" for r in reasons),
                "",
                icebreaker,
                window,
                "",
                _buttons([b.label for b in buttons]),
            ]
            return Panel(Text("\n".join(rows)), title=n(title), border_style="green")
        case CheckIn(_, text, buttons):
            return Panel(
                Text(n(text) + "\n" + _buttons([b.label for b in buttons])),
                title="check-in",
                border_style="yellow",
            )
        case ShoutOut(title, text, _, _, _):
            return Panel(Text(n(text)), title=n(title), border_style="magenta")
        case Notice(text, buttons):
            extra = ("\n" + _buttons([b.label for b in buttons])) if buttons else ""
            return Panel(Text(n(text) + extra), title="direct message", border_style="blue")
        case StatsReport(title, _, rows):
            table = Table(title=n(title), show_header=False)
            table.add_column(style="bold")
            table.add_column()
            for label, value in rows:
                table.add_row(label, n(value))
            return Panel(Stack(table), border_style="white")
        case _:
            assert_never(message)
