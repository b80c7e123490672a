"""Small rosters are solved exactly: every grouping is tried and the rules are compared in order.

Up to EXACT_MAX people there are at most a few thousand groupings, fewer than the moves the
local search would try, and a tiny roster with a long history is exactly where greedy
choices and single swaps get stuck. Groupings are compared by (blocked pairs, repeat cost,
crossing pairs, soft weight), in that order, so no tier can buy another.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import CROSS, Weights

EXACT_MAX = 10

Score = tuple[int, int, int, int]


def _groupings(people: list[int], sizes: list[int]) -> Iterator[list[tuple[int, ...]]]:
    """Every way to split `people` into groups of `sizes`, each grouping once."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    tried: set[int] = set()
    for s, size in enumerate(sizes):
        if size in tried:
            continue
        tried.add(size)
        other_sizes = sizes[:s] + sizes[s + 1 :]
        for mates in combinations(rest, size - 1):
            taken = set(mates)
            for grouping in _groupings([x for x in rest if x not in taken], other_sizes):
                yield [(first, *mates), *grouping]


def exact_groups(
    roster: Roster, weights: Weights, sizes: Sequence[int], order: list[int], *, cross_division: bool
) -> list[list[int]] | None:
    """The best grouping into `sizes`, or None if every one of them holds a blocked pair."""
    n = roster.size
    score: dict[tuple[int, int], Score] = {}
    for a, b in combinations(range(n), 2):
        key = a * n + b
        blocked = key in roster.blocked
        penalty = roster.penalty.get(key, 0)
        crossing = int(cross_division and roster.division[a] != roster.division[b])
        soft = weights.pair(a, b) + penalty - crossing * CROSS  # what is left: hours, interests, variety
        score[a, b] = score[b, a] = (-int(blocked), 0 if blocked else -penalty, crossing, soft)
    best: list[tuple[int, ...]] | None = None
    best_score: Score | None = None
    for grouping in _groupings(list(order), sorted(sizes, reverse=True)):
        total = [0, 0, 0, 0]
        for group in grouping:
            for x, a in enumerate(group):
                for b in group[x + 1 :]:
                    s = score[a, b]
                    total[0] += s[0]
                    total[1] += s[1]
                    total[2] += s[2]
                    total[3] += s[3]
        candidate = (total[0], total[1], total[2], total[3])
        if best_score is None or candidate > best_score:
            best, best_score = grouping, candidate
    if best is None or best_score is None or best_score[0] < 0:
        return None
    return [list(g) for g in best]
