"""Repairs after the greedy pass, all by Edmonds' augmenting paths on the pairs it made.

* `avoid_repeats`: a maximum matching among pairs that never met, so the repeats left are as
  few as any matching allows; those people then pair up, the oldest repeat first.
* `raise_crossings`: the same with pairs that also cross divisions, tried when the pass fell
  short of the ceiling, and kept only if it is better by the rules in order.
* `rematch_stranded`: people blocks left over, paired through anyone they did not block.

Searching once from each exposed person is enough: a vertex with no augmenting path now
never gets one later. Up to EXACT_LIMIT people the paths may pass through anyone, which
makes the first and last repair exact; beyond that, through people nearby on the
time-zone line, where there is always plenty of choice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator
from itertools import combinations
from operator import itemgetter, ne

from bot.domain.pairing.blossom import augment_from
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import Weights

EXACT_LIMIT = 4_000  # up to this many people, augmenting paths may pass through anyone
NEARBY = 200  # beyond it, through people this close on the time-zone line


def _augment(
    roster: Roster, pairs: list[list[int]], exposed: list[int], avoid: Container[int], order: list[int]
) -> list[int]:
    """Augment the matching in `pairs` from each exposed person, never using a pair key in `avoid`."""
    n = roster.size
    mate = [-1] * n
    for a, b in pairs:
        mate[a], mate[b] = b, a
    position = [0] * n
    for p, i in enumerate(order):
        position[i] = p

    def neighbours(v: int) -> Iterator[int]:
        if n <= EXACT_LIMIT:
            near: Iterable[int] = range(n)
        else:
            near = order[max(0, position[v] - NEARBY) : position[v] + NEARBY + 1]
        for w in near:
            if w != v and (v * n + w if v < w else w * n + v) not in avoid:
                yield w

    for u in sorted(exposed):
        if mate[u] == -1:
            augment_from(u, mate, neighbours)
    pairs[:] = [[a, mate[a]] for a in range(n) if a < mate[a]]
    return [u for u in sorted(exposed) if mate[u] == -1]


def avoid_repeats(
    roster: Roster, weights: Weights, pairs: list[list[int]], stranded: list[int], order: list[int]
) -> list[int]:
    """Re-pair people in repeated pairs through pairs that never met, as far as any matching can.

    Edmonds' paths give a maximum matching without repeats, so the repeats left are as few as
    possible; those people are then paired among themselves, least costly (oldest) repeat first.
    """
    n, penalty = roster.size, roster.penalty
    maybe, mask = penalty.maybe, penalty.mask  # the history's filter asked inline: ~all answer no
    repeated = [
        g
        for g in pairs
        for key in (g[0] * n + g[1] if g[0] < g[1] else g[1] * n + g[0],)
        if maybe[key >> 3 & mask] >> (key & 7) & 1 and key in penalty
    ]
    if not repeated:
        return stranded
    drop = {id(g) for g in repeated}
    pairs[:] = [g for g in pairs if id(g) not in drop]
    exposed = _augment(roster, pairs, [x for g in repeated for x in g] + stranded, penalty, order)
    options = sorted(
        (
            (weights.pair(a, b), a, b)
            for a, b in combinations(exposed, 2)
            if roster.key(a, b) not in roster.blocked
        ),
        reverse=True,
    )
    alone = set(exposed)
    for _, a, b in options:
        if a in alone and b in alone:
            pairs.append([a, b])
            alone -= {a, b}
    return sorted(alone)


def rematch_stranded(
    roster: Roster, pairs: list[list[int]], stranded: list[int], order: list[int]
) -> list[int]:
    """Pair up people blocks left over, through anyone they did not block; returns who is still alone."""
    if len(stranded) < 2:
        return stranded
    return _augment(roster, pairs, stranded, roster.blocked, order)


class _Unwanted:
    """Pair keys a crossing, first-time pair cannot use (the container `_augment` avoids).

    When one division holds more than half, every other person should pair with one of its
    members, so a pair of two other divisions is unwanted too: it crosses, but spends two
    people where one would do.
    """

    def __init__(self, roster: Roster, dominant: int) -> None:
        self.n, self.division, self.penalty = roster.size, roster.division, roster.penalty
        self.dominant = dominant

    def __contains__(self, key: object) -> bool:
        assert isinstance(key, int)
        a, b = divmod(key, self.n)
        da, db = self.division[a], self.division[b]
        if key in self.penalty or da == db:
            return True
        return self.dominant >= 0 and da != self.dominant and db != self.dominant


def _standing(roster: Roster, pairs: list[list[int]]) -> tuple[int, int]:
    """(repeat cost, crossing pairs) of a set of pairs: the rules in order, as a sortable pair."""
    division = roster.division
    cost = sum(roster.penalty.get(roster.key(a, b), 0) for a, b in pairs)
    return -cost, sum(division[a] != division[b] for a, b in pairs)


def raise_crossings(roster: Roster, weights: Weights, pairs: list[list[int]], order: list[int]) -> None:
    """Bring the pairs up to the cross-division ceiling through pairs that cross and never met.

    The people in same-division or repeated pairs are re-paired by augmenting paths that use
    only crossing, first-time pairs. With a division holding more than half, its surplus has
    to pair among itself anyway, so paths start only from everyone else. Whoever is left
    keeps their old partner if that one is left too, or pairs with the best one remaining,
    and any repeat that causes goes through `avoid_repeats`. The new pairs replace the old
    ones only if they are better by the rules in order.
    """
    division = roster.division
    if not pairs:
        return
    # Counted by whole-list operations (in C): at 100,000 members this check is all that runs.
    firsts = list(map(division.__getitem__, map(itemgetter(0), pairs)))
    seconds = list(map(division.__getitem__, map(itemgetter(1), pairs)))
    counts = Counter(firsts)
    counts.update(seconds)
    largest = max(sorted(counts), key=lambda d: counts[d])
    m = 2 * len(pairs)
    if sum(map(ne, firsts, seconds)) >= min(m // 2, m - counts[largest]):
        return  # at the ceiling already: nothing to raise
    before = _standing(roster, pairs)
    dominant = 2 * counts[largest] > m
    avoid = _Unwanted(roster, largest if dominant else -1)
    bad = [g for g in pairs if roster.key(g[0], g[1]) in avoid]
    starts = [x for g in bad for x in g if not dominant or division[x] != largest]
    trial = [g for g in pairs if roster.key(g[0], g[1]) not in avoid]
    _augment(roster, trial, starts, avoid, order)
    matched = {x for g in trial for x in g}
    for a, b in bad:  # old partners who are both still free stay together
        if a not in matched and b not in matched:
            trial.append([a, b])
            matched |= {a, b}
    left = sorted(x for g in bad for x in g if x not in matched)
    allowed = (pair for pair in combinations(left, 2) if roster.key(*pair) not in roster.blocked)
    options = sorted(((weights.pair(a, b), a, b) for a, b in allowed), reverse=True)
    free = set(left)
    for _, a, b in options:
        if a in free and b in free:
            trial.append([a, b])
            free -= {a, b}
    if free or avoid_repeats(roster, weights, trial, [], order):
        return
    if _standing(roster, trial) > before:
        pairs[:] = trial
