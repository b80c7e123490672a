"""A simple, correct pairing engine (placeholder until the optimising engine lands)."""

from __future__ import annotations

import random
import time
from itertools import combinations

from bot.domain.pairing.model import (
    CrossDivisionMode,
    Group,
    Member,
    PairingMetrics,
    PairingRequest,
    PairingResult,
    Reason,
    Unpaired,
    UnpairedReason,
)


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def make_groups(request: PairingRequest) -> PairingResult:
    started = time.perf_counter()
    rng = random.Random(request.seed)
    members = sorted(request.members, key=lambda m: m.id)
    by_id = {m.id: m for m in members}
    blocked = {_key(a, b) for a, b in request.blocked}
    met = {_key(a, b) for r in request.history for g in r.groups for a, b in combinations(g.members, 2)}
    order = list(by_id)
    rng.shuffle(order)
    if len(order) < 2:
        return PairingResult(groups=(), unpaired=tuple(Unpaired(m, UnpairedReason.ALONE) for m in order))

    def cost(a: str, b: str) -> float:
        c = 0.0
        if _key(a, b) in met:
            c += 100
        if request.cross_division is not CrossDivisionMode.OFF and by_id[a].division == by_id[b].division:
            c += 10
        return c

    pool = list(order)
    pairs: list[list[str]] = []
    unpaired: list[Unpaired] = []
    while len(pool) >= 2:
        first = pool.pop(0)
        options = [p for p in pool if _key(first, p) not in blocked]
        if not options:
            unpaired.append(Unpaired(first, UnpairedReason.BLOCKED))
            continue
        best = min(options, key=lambda p: cost(first, p))
        pool.remove(best)
        pairs.append([first, best])
    if pool:
        leftover = pool[0]
        home = next((g for g in pairs if all(_key(leftover, x) not in blocked for x in g)), None)
        if home is None:
            unpaired.append(Unpaired(leftover, UnpairedReason.BLOCKED))
        else:
            home.append(leftover)
    groups: list[Group] = []
    cross = repeats = npairs = 0
    for g in pairs:
        reasons: set[Reason] = set()
        inner = list(combinations(g, 2))
        npairs += len(inner)
        cross_here = sum(by_id[a].division != by_id[b].division for a, b in inner)
        cross += cross_here
        rep = sum(_key(a, b) in met for a, b in inner)
        repeats += rep
        if cross_here:
            reasons.add(Reason.CROSS_DIVISION)
        if not rep:
            reasons.add(Reason.FIRST_MEETING)
        shared = frozenset.intersection(*(by_id[m].interests for m in g))
        if shared:
            reasons.add(Reason.SHARED_INTEREST)
        offsets = [by_id[m].utc_offset_minutes for m in g]
        if all(o is not None for o in offsets) and max(offsets) - min(offsets) <= 180:  # type: ignore[type-var,operator]
            reasons.add(Reason.HOURS_OVERLAP)
        groups.append(Group(tuple(g), frozenset(reasons), tuple(sorted(shared))))
    sizes: dict[str | None, int] = {}
    for m in members:
        sizes[m.division] = sizes.get(m.division, 0) + 1
    n = len(members)
    ceiling = min(n // 2, n - max(sizes.values()))
    return PairingResult(
        groups=tuple(groups),
        unpaired=tuple(unpaired),
        metrics=PairingMetrics(npairs, cross, ceiling, repeats, time.perf_counter() - started),
    )


__all__ = ["Member", "make_groups"]
