"""What a colleague types in the console demo, as a core command.

The console stands in for a text workspace: people type `/jembatan pause 2` as on Slack, and
the core's text grammar reads it (unescaped: the console sends the text as typed)."""

from __future__ import annotations

from bot import grammar

COMMAND = "/jembatan"


def parse(typed: str) -> grammar.Parsed | None:
    """None when the text is not our command at all (another slash command, or plain chat)."""
    head, _, rest = typed.strip().partition(" ")
    if head != COMMAND:
        return None
    return grammar.parse(rest)
