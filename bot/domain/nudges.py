"""Continuity over intensity: at most monthly, suggest saying hello to someone met months ago and
not grouped with since. Which reminder goes to whom, decided from the program's group history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.model import Group, Membership, Outcome

NUDGE_AFTER = timedelta(days=90)  # grouped together no more recently than this
NUDGE_EVERY = timedelta(days=30)  # at most one nudge per member in this long


@dataclass(frozen=True, slots=True)
class Nudge:
    membership: Membership
    friend_user_id: str  # whom to say hello to


def due(members: Sequence[Membership], now: datetime) -> list[Membership]:
    """Members who have not been nudged within NUDGE_EVERY."""
    return [m for m in members if m.last_nudged_at is None or now - m.last_nudged_at >= NUDGE_EVERY]


def choose(
    due: Sequence[Membership], history: Sequence[tuple[datetime, Group]], now: datetime
) -> list[Nudge]:
    """For each member due, the colleague they once met (a group of theirs said it met) and were
    last grouped with longest ago, at least NUDGE_AFTER back (a tie goes to the one the workspace
    knew first). Members with no such colleague get nothing. `history` is every group of the program
    with its round's date."""
    # person -> {colleague they were grouped with: the latest round they were grouped together}
    last_seen: dict[int, dict[int, datetime]] = {}
    met_once: set[tuple[int, int]] = set()
    users: dict[int, str] = {}
    for day, group in history:
        ids = [gm.person_id for gm in group.members if gm.person_id is not None]
        users.update((gm.person_id, gm.user_id) for gm in group.members if gm.person_id and gm.user_id)
        for a in ids:
            seen = last_seen.setdefault(a, {})
            for b in ids:
                if a != b:
                    seen[b] = max(day, seen.get(b, day))
                    if group.outcome is Outcome.MET:
                        met_once.add((a, b))
    chosen = []
    for m in due:
        me = m.person.id
        old_friends = sorted(
            (day, other)
            for other, day in last_seen.get(me, {}).items()
            if (me, other) in met_once and now - day >= NUDGE_AFTER and other in users
        )
        if old_friends:
            chosen.append(Nudge(m, users[old_friends[0][1]]))
    return chosen
