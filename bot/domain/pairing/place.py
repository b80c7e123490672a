"""A seat for whoever is still alone after the repairs: the best group with room that nobody blocked.

Seating someone turns a pair into a trio (the odd one out of an odd roster always ends up
here) or, for bigger groups, a group of k into one of k + 1. A person no group can take even
after one swap stays unplaced, and the engine reports them as blocked.
"""

from __future__ import annotations

from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import Weights


def _fits(roster: Roster, u: int, group: list[int]) -> bool:
    n, blocked = roster.size, roster.blocked
    return all((u * n + x if u < x else x * n + u) not in blocked for x in group)


def seat_stranded(
    roster: Roster,
    weights: Weights,
    groups: list[list[int]],
    stranded: list[int],
    *,
    max_size: int,
) -> list[int]:
    """Give each stranded person a seat in a group below `max_size`; returns who found none."""
    unseated: list[int] = []

    def best_seat(u: int, skip: int = -1) -> tuple[int, int]:
        best, best_gain = -1, BLOCKED
        for g in range(len(groups)):
            if g == skip or not 2 <= len(groups[g]) < max_size or not _fits(roster, u, groups[g]):
                continue
            gain = sum(weights.pair(u, x) for x in groups[g])
            if gain > best_gain:
                best, best_gain = g, gain
        return best, best_gain

    for u in stranded:
        g, _ = best_seat(u)
        if g >= 0:
            groups[g].append(u)
            continue
        # One swap: u takes someone's place whose group it fits, if that person fits elsewhere.
        moved = False
        for g, members in enumerate(groups):
            for x in members:
                rest = [y for y in members if y != x]
                if not _fits(roster, u, rest):
                    continue
                h, _ = best_seat(x, skip=g)
                if h >= 0:
                    members[members.index(x)] = u
                    groups[h].append(x)
                    moved = True
                    break
            if moved:
                break
        if not moved:
            unseated.append(u)
    return unseated
