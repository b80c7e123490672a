"""The most cross-division pairs any grouping can have: the yardstick the engine is measured by.

For pairs it is the closed form min(⌊n/2⌋, n − L), with L the largest division. A trio (odd
n) holds three pairs; it adds two when the other n − L people can spare one, and all three
pairs can cross when no division holds half the people. For any plan of group sizes the
value is what dealing people out round-robin achieves: sort by division, largest division
first, and hand one person to each group in turn. Dealing spreads every division over as
many groups as it can, which is what minimises same-division pairs; the unit tests check it
against brute force on small rosters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


def pair_ceiling(n: int, largest: int) -> int:
    """The closed form for groups of two (one trio when n is odd), counting the trio's three pairs."""
    if n < 2:
        return 0
    others = n - largest
    if n % 2 == 0:
        return min(n // 2, others)
    if others == 0:
        return 0
    return min((n + 3) // 2, others + 1)


def deal_order(sizes: Sequence[int]) -> list[int]:
    """Group index for each dealing slot: one person per group per round, bigger groups last longer."""
    order = sorted(range(len(sizes)), key=lambda g: -sizes[g])
    slots: list[int] = []
    for round_ in range(max(sizes, default=0)):
        slots.extend(g for g in order if sizes[g] > round_)
    return slots


def dealt_ceiling(divisions: Iterable[int], sizes: Sequence[int]) -> int:
    """Cross-division pairs when people sorted by division size are dealt into groups of `sizes`."""
    counts = Counter(divisions)
    people = sorted(counts, key=lambda d: (-counts[d], d))
    sequence = [d for d in people for _ in range(counts[d])]
    per_group: list[Counter[int]] = [Counter() for _ in sizes]
    for slot, group in enumerate(deal_order(sizes)):
        per_group[group][sequence[slot]] += 1
    cross = 0
    for size, inside in zip(sizes, per_group, strict=True):
        same = sum(c * (c - 1) // 2 for c in inside.values())
        cross += size * (size - 1) // 2 - same
    return cross


def cross_division_ceiling(divisions: Sequence[int], sizes: Sequence[int]) -> int:
    n = len(divisions)
    if sum(sizes) != n:
        raise ValueError("sizes must add up to the number of people")
    if n < 2:
        return 0
    if all(s == 2 for s in sizes) or (sorted(sizes)[:-1] == [2] * (len(sizes) - 1) and max(sizes) == 3):
        return pair_ceiling(n, max(Counter(divisions).values()))
    return dealt_ceiling(divisions, sizes)
