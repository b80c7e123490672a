"""Brute force for tiny rosters: every grouping, compared by the rules in order. Slow on purpose."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

from bot.domain.pairing import PairingRequest
from bot.domain.pairing.weights import repeat_penalty


def groupings(people: list[str], sizes: list[int]) -> Iterator[list[tuple[str, ...]]]:
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for s, size in enumerate(sizes):
        if size in sizes[:s]:
            continue
        for mates in combinations(rest, size - 1):
            left = [x for x in rest if x not in mates]
            for more in groupings(left, sizes[:s] + sizes[s + 1 :]):
                yield [(first, *mates), *more]


def repeat_cost(request: PairingRequest) -> dict[frozenset[str], int]:
    """What each pair that met costs, by the engine's published rule (recent costs more)."""
    cost: dict[frozenset[str], int] = {}
    latest_first = sorted(request.history, key=lambda r: r.date, reverse=True)
    for age, past in enumerate(latest_first, start=1):
        for group in past.groups:
            for a, b in combinations(group.members, 2):
                key = frozenset((a, b))
                cost[key] = cost.get(key, 0) + repeat_penalty(age, group.met)
    return cost


def best(request: PairingRequest, sizes: Sequence[int]) -> tuple[int, int] | None:
    """(repeat cost, crossing pairs) of the best grouping into `sizes`, None if blocks forbid all."""
    division = {m.id: m.division for m in request.members}
    blocked = {frozenset(p) for p in request.blocked}
    cost = repeat_cost(request)
    found: tuple[int, int] | None = None
    for grouping in groupings(sorted(division), sorted(sizes, reverse=True)):
        pairs = [frozenset(p) for g in grouping for p in combinations(g, 2)]
        if any(p in blocked for p in pairs):
            continue
        repeats = sum(cost.get(p, 0) for p in pairs)
        crossing = sum(len({division[x] for x in p}) == 2 for p in pairs)
        if found is None or (repeats, -crossing) < (found[0], -found[1]):
            found = (repeats, crossing)
    return found
