"""Button ids, encoded and decoded in one place for every adapter, and the command a click means.

Ids are short ASCII strings (Slack allows 255 characters, Discord 100) that survive
restarts: everything a click needs to act is inside the id itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import commands as c
from bot.domain.model import Outcome, StillInChoice


@dataclass(frozen=True, slots=True)
class MeetupAction:
    group_id: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class StillInAction:
    program_id: int
    choice: StillInChoice


Action = MeetupAction | StillInAction

# ASCII digits only (`\d` would take ١٢ for 12), and no more than the id columns hold: a 32-bit
# integer, which PostgreSQL refuses to compare with a larger number.
_MEETUP = re.compile(r"jb:meetup:([0-9]{1,10}):(met|not_yet|skipped)")
_STILL_IN = re.compile(r"jb:stillin:([0-9]{1,10}):(keep|later|out)")
MEETUP_PATTERN = r"jb:meetup:(?P<group>[0-9]{1,10}):(?P<outcome>met|not_yet|skipped)"
MAX_ID = 2**31 - 1


def encode(action: Action) -> str:
    match action:
        case MeetupAction(group_id, outcome):
            return f"jb:meetup:{group_id}:{outcome.value}"
        case StillInAction(program_id, choice):
            return f"jb:stillin:{program_id}:{choice.value}"


def decode(action_id: str) -> Action | None:
    """The action behind an id, or None for ids that are not ours (or were tampered with)."""
    if (match := _MEETUP.fullmatch(action_id)) and int(match.group(1)) <= MAX_ID:
        return MeetupAction(int(match.group(1)), Outcome(match.group(2)))
    if (match := _STILL_IN.fullmatch(action_id)) and int(match.group(1)) <= MAX_ID:
        return StillInAction(int(match.group(1)), StillInChoice(match.group(2)))
    return None


def command_for(action_id: str) -> c.RecordOutcome | c.AnswerStillIn | None:
    """The command a click on one of our buttons gives the core, or None for an id that is not
    ours (tampered with, or from an old version): such a click does nothing."""
    match decode(action_id):
        case MeetupAction(group_id, outcome):
            return c.RecordOutcome(group_id, outcome.value)
        case StillInAction(program_id, choice):
            return c.AnswerStillIn(program_id, choice)
        case None:
            return None
