"""Brute force for tiny rosters: every grouping, compared by the rules in order. Slow on purpose."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from itertools import combinations

from bot.domain.pairing import PairingRequest
from bot.domain.pairing.repeats import repeat_penalty


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


def fewest_repeats(request: PairingRequest, sizes: Sequence[int]) -> int | None:
    """The fewest repeated pairs any grouping into `sizes` has, None if blocks forbid them all.

    Memoised over what is left to place (a set of people and the sizes still open), each
    grouping counted once by always seating the lowest-numbered person left: quick up to 13.
    """
    ids = sorted(m.id for m in request.members)
    n = len(ids)
    met = {frozenset(p) for r in request.history for g in r.groups for p in combinations(g.members, 2)}
    blocked = {frozenset(p) for p in request.blocked}
    cost = {}
    for a, b in combinations(range(n), 2):
        pair = frozenset((ids[a], ids[b]))
        cost[a, b] = None if pair in blocked else int(pair in met)

    @cache
    def best(left: int, open_sizes: tuple[int, ...]) -> int | None:
        if not left:
            return 0
        people = [i for i in range(n) if left >> i & 1]
        first, rest = people[0], people[1:]
        found: int | None = None
        for s, size in enumerate(open_sizes):
            if size in open_sizes[:s]:
                continue
            remaining = open_sizes[:s] + open_sizes[s + 1 :]
            for mates in combinations(rest, size - 1):
                group = (first, *mates)
                inside = [cost[a, b] for a, b in combinations(group, 2)]
                if None in inside:
                    continue
                after = best(left & ~sum(1 << i for i in group), remaining)
                if after is not None:
                    total = after + sum(c for c in inside if c is not None)
                    if found is None or total < found:
                        found = total
        return found

    return best((1 << n) - 1, tuple(sorted(sizes, reverse=True)))
