"""Groups of three or four: deal people out by division, then line each division up by time zone.

Dealing (largest division first, one person per group in turn) spreads every division as
thinly as the group sizes allow, which is what reaches the cross-division ceiling. After
that, which member of a division sits in which of that division's seats changes nobody's
division mix, so we are free to choose it: division by division, seats are sorted by the
time zone of the rest of their group and members by their own, and matched in order (the
best one-dimensional assignment). A few rounds of this pull each group into one region.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.pairing.ceiling import deal_order
from bot.domain.pairing.roster import UNKNOWN_OFFSET_SPACING, Roster

ALIGN_ROUNDS = 3


def deal_groups(roster: Roster, sizes: Sequence[int], order: list[int]) -> list[list[int]]:
    """`order` is the seeded time-zone line; its ranks break ties."""
    division = roster.division
    count = [0] * len(roster.division_names)
    for d in division:
        count[d] += 1
    rank = [0] * roster.size
    for r, i in enumerate(order):
        rank[i] = r
    sequence = sorted(range(roster.size), key=lambda i: (-count[division[i]], division[i], rank[i]))
    groups: list[list[int]] = [[] for _ in sizes]
    for person, g in zip(sequence, deal_order(sizes), strict=True):
        groups[g].append(person)
    divisions = sorted((d for d in range(len(count)) if count[d]), key=lambda d: (-count[d], d))
    for _ in range(ALIGN_ROUNDS):
        _align(roster, groups, divisions, rank)
    return groups


def _align(roster: Roster, groups: list[list[int]], divisions: list[int], rank: list[int]) -> None:
    division, offset = roster.division, roster.offset_key
    known = [offset[i] < UNKNOWN_OFFSET_SPACING for i in range(roster.size)]
    total = [0] * len(groups)
    counted = [0] * len(groups)
    seats: dict[int, list[tuple[int, int]]] = {d: [] for d in divisions}  # division -> (group, index)
    for g, members in enumerate(groups):
        for x, i in enumerate(members):
            seats[division[i]].append((g, x))
            if known[i]:
                total[g] += offset[i]
                counted[g] += 1
    for d in divisions:
        own_total: dict[int, int] = {}
        own_counted: dict[int, int] = {}
        people = []
        for g, x in seats[d]:
            i = groups[g][x]
            people.append(i)
            if known[i]:
                own_total[g] = own_total.get(g, 0) + offset[i]
                own_counted[g] = own_counted.get(g, 0) + 1

        rest_zone: dict[int, float] = {}
        for g, _ in seats[d]:
            others = counted[g] - own_counted.get(g, 0)
            rest = (total[g] - own_total.get(g, 0)) / others if others else float(UNKNOWN_OFFSET_SPACING)
            rest_zone[g] = rest
        ordered_seats = sorted(seats[d], key=lambda seat: (rest_zone[seat[0]], seat[0], seat[1]))
        people.sort(key=lambda i: (offset[i], rank[i]))
        for (g, x), i in zip(ordered_seats, people, strict=True):
            old = groups[g][x]
            if known[old]:
                total[g] -= offset[old]
                counted[g] -= 1
            groups[g][x] = i
            if known[i]:
                total[g] += offset[i]
                counted[g] += 1
        seats[d] = ordered_seats
