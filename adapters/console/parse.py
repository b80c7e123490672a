"""What a colleague types in the console demo, as a core command.

The console stands in for a text workspace: people type `/jembatan pause 2` as on Slack,
so it reads the same grammar (Slack's parser is pure and imports no SDK)."""

from __future__ import annotations

from adapters.slack.parse import Parsed
from adapters.slack.parse import parse as _slack_text

COMMAND = "/jembatan"


def parse(typed: str) -> Parsed | None:
    """None when the text is not our command at all (another slash command, or plain chat)."""
    head, _, rest = typed.strip().partition(" ")
    if head != COMMAND:
        return None
    return _slack_text(rest)
