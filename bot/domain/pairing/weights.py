"""Pair weights: one integer per pair, in tiers so that a higher rule outweighs everything below it.
(The block and repeat tiers are in repeats.py: indexing the history uses them too.)

The engine and the benchmark's exact matching use these same numbers. Tiers, highest first:
blocked (never), a repeat of a pair that met (recent ones cost more than old ones), a repeat
of a pair that was introduced but did not meet, crossing divisions, overlapping hours, shared
interests, variety. Blocks, repeats and crossing each outweigh everything below them over
the sixteen pairs one local move can touch (see improve.py), so local moves never trade a
higher rule for a lower one. Among the soft tiers the order holds for moves between
two pairs: one overlap of hours is worth more than two pairs' interests and variety together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.domain.pairing.roster import Roster

CROSS: Final = 1_000
HOURS: Final = 20
INTEREST: Final = 5
INTEREST_EXTRA: Final = 1  # per further shared interest, at most two more
VARIETY: Final = 1  # per side: the partner's division is new to this person within the history
HOURS_WINDOW_MINUTES: Final = 180


class Weights:
    """Pair weights for one roster; `pair(i, j)` is the hot path of the engine."""

    __slots__ = ("pair", "row")

    def __init__(self, roster: Roster, *, cross_division: bool) -> None:
        self.pair: Callable[[int, int], int]
        self.row: Callable[[int, list[int]], list[int]]  # [pair(u, v) for v in vs], one call
        self.pair, self.row = _pair_functions(roster, CROSS if cross_division else 0)


def _pair_functions(
    roster: Roster, cross: int
) -> tuple[Callable[[int, int], int], Callable[[int, list[int]], list[int]]]:
    # A closure over plain lists: the fastest way CPython offers to look these up millions of times.
    n = roster.size
    division, offset, interests, seen = (
        roster.division,
        roster.offset_key,
        roster.interests,
        roster.seen_divisions,
    )
    # The repeat cost, asked of the history's filter inline (a dict's speed; see PairCosts):
    # nearly every pair weighed never met, and only the rest is looked up.
    maybe, mask, find = roster.penalty.maybe, roster.penalty.mask, roster.penalty.find
    window = HOURS_WINDOW_MINUTES

    def pair(i: int, j: int) -> int:
        di, dj = division[i], division[j]
        key = i * n + j if i < j else j * n + i
        weight = -find(key) if maybe[key >> 3 & mask] >> (key & 7) & 1 else 0
        if di != dj:
            weight += cross
            if not seen[i] >> dj & 1:
                weight += VARIETY
            if not seen[j] >> di & 1:
                weight += VARIETY
        if -window <= offset[i] - offset[j] <= window:
            weight += HOURS
        common = interests[i] & interests[j]
        if common:
            weight += INTEREST + INTEREST_EXTRA * min(common.bit_count() - 1, 2)
        return weight

    def row(u: int, vs: list[int]) -> list[int]:
        # `pair` written out for one person against many: the greedy pass weighs about twenty
        # candidates per person, and a call per candidate was a third of its time.
        du, ou, iu, su = division[u], offset[u], interests[u], seen[u]
        base = u * n
        out = []
        for v in vs:
            dv = division[v]
            key = base + v if u < v else v * n + u
            weight = -find(key) if maybe[key >> 3 & mask] >> (key & 7) & 1 else 0
            if du != dv:
                weight += cross
                if not su >> dv & 1:
                    weight += VARIETY
                if not seen[v] >> du & 1:
                    weight += VARIETY
            if -window <= ou - offset[v] <= window:
                weight += HOURS
            common = iu & interests[v]
            if common:
                weight += INTEREST + INTEREST_EXTRA * min(common.bit_count() - 1, 2)
            out.append(weight)
        return out

    return pair, row
