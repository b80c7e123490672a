"""Small rosters are solved exactly: the best grouping, by the rules compared in order.

Up to EXACT_MAX people a search over every grouping is cheap, and a small roster with a
long history is exactly where greedy choices and single swaps get stuck (a peer's stress
scenarios, 13 people in threes after a few rounds, caught the local search repeating a
pair no grouping needed). Groupings are compared by (blocked pairs, groups inside one
division when that is required, repeat cost, crossing pairs, soft weight), in that order,
so no tier can buy another: the tiers are packed into one integer with room to spare.

The search is a memoised recursion over who is left to seat: the first person left (in
the seeded time-zone order) takes each possible group in turn, and the best way to seat
the rest is remembered per set of people left. Each grouping is reached once, and among
equally good groupings the first in that order wins, so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import combinations

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import CROSS, Weights

EXACT_MAX = 13

_TIER = 1 << 64  # each tier's total fits well below this, so tiers never mix


def exact_groups(
    roster: Roster,
    weights: Weights,
    sizes: Sequence[int],
    order: list[int],
    *,
    cross_division: bool,
    require_across: bool = False,
) -> list[list[int]] | None:
    """The best grouping into `sizes`, or None if every one of them holds a blocked pair."""
    n = roster.size
    division = roster.division
    score: dict[tuple[int, int], int] = {}
    for a, b in combinations(range(n), 2):
        key = a * n + b
        blocked = key in roster.blocked
        penalty = 0 if blocked else roster.penalty.get(key, 0)
        crossing = int(cross_division and division[a] != division[b])
        soft = weights.pair(a, b) + roster.penalty.get(key, 0) - crossing * CROSS
        value = -int(blocked) * _TIER**4 - penalty * _TIER**2 + crossing * _TIER + soft
        score[a, b] = score[b, a] = value
    inside_one = -(_TIER**3) if require_across else 0
    everyone = tuple(order)

    @cache
    def best(left: tuple[int, ...], open_sizes: tuple[int, ...]) -> tuple[int, tuple[tuple[int, ...], ...]]:
        if not left:
            return 0, ()
        first, rest = left[0], left[1:]
        found: tuple[int, tuple[tuple[int, ...], ...]] | None = None
        for s, size in enumerate(open_sizes):
            if size in open_sizes[:s]:
                continue
            remaining = open_sizes[:s] + open_sizes[s + 1 :]
            for mates in combinations(rest, size - 1):
                group = (first, *mates)
                value = 0
                for x, a in enumerate(group):
                    for b in group[x + 1 :]:
                        value += score[a, b]
                if inside_one and all(division[i] == division[first] for i in mates):
                    value += inside_one
                taken = set(mates)
                after, grouping = best(tuple(i for i in rest if i not in taken), remaining)
                value += after
                if found is None or value > found[0]:
                    found = (value, (group, *grouping))
        assert found is not None
        return found

    total, grouping = best(everyone, tuple(sorted(sizes, reverse=True)))
    best.cache_clear()
    if total <= -(_TIER**4) // 2:
        return None
    return [list(g) for g in grouping]
