"""The result as people see it: each group's ids, reasons and shared interests, and the metrics
summed over every pair (crossings, repeats, overlapping hours, shared interests, the objective).

One pass over the pairs, reading the roster's plain lists once each: at 100,000 members this
makes 50,000 groups. The objective is `Weights.pair` summed, the one place the tiers live.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, compress, repeat
from operator import and_, attrgetter

from bot.domain.pairing.model import ProposedGroup, Reason, Relaxation, Relaxed
from bot.domain.pairing.roster import UNKNOWN_OFFSET_SPACING, Roster
from bot.domain.pairing.weights import HOURS_WINDOW_MINUTES, Weights

_CHOSEN = (Reason.CROSS_DIVISION, Reason.FIRST_MEETING, Reason.HOURS_OVERLAP, Reason.SHARED_INTEREST)


class Tally:
    """Groups as the result shows them, and the metrics over all of their pairs."""

    def __init__(self, roster: Roster, weights: Weights, *, cross_division: bool) -> None:
        self.roster, self.pair, self.cross_division = roster, weights.pair, cross_division
        self.metrics = PairCounts()
        self.relaxed: list[Relaxation] = []

    def groups(self, groups: list[list[int]]) -> tuple[ProposedGroup, ...]:
        """Each group (each sorted) as the result shows it, in the order given.

        The facts are read in one loop (`_facts`); the rest is built by whole-list operations,
        with one frozenset of reasons per kind of group and one tuple of names per set of
        interests shared, however many groups have them."""
        roster = self.roster
        kinds, commons = self._facts(groups)
        ids = list(map(attrgetter("id"), roster.members))
        members = list(map(tuple, map(map, repeat(ids.__getitem__), groups)))
        repeated = compress(members, map(and_, kinds, repeat(_REPEAT)))
        self.relaxed = [Relaxation(Relaxed.NO_REPEAT, m) for m in repeated]
        reasons = [self._reasons_for(kind) for kind in range(_KINDS)]
        names = roster.interest_names
        shared = {  # one tuple per set of interests shared, however many groups share it
            common: tuple([names[t] for t in range(common.bit_length()) if common >> t & 1])
            for common in set(commons)
        }
        return tuple(
            map(ProposedGroup, members, map(reasons.__getitem__, kinds), map(shared.__getitem__, commons))
        )

    def _reasons_for(self, kind: int) -> frozenset[Reason]:
        on = (self.cross_division and kind & _SPANS, not kind & _MET, kind & _TOGETHER, kind & _COMMON)
        return frozenset(r for r, chosen in zip(_CHOSEN, on, strict=True) if chosen)

    def _facts(self, groups: list[list[int]]) -> tuple[list[int], list[int]]:
        """Each group's kind (flag bits below) and the interests all its members share; every
        pair counted into the metrics and its weight summed. Written for pairs; a bigger group goes
        by its pairs (`_bigger`)."""
        roster = self.roster
        n, division, offset, interests = roster.size, roster.division, roster.offset_key, roster.interests
        maybe, mask, find, pair = roster.penalty.maybe, roster.penalty.mask, roster.penalty.find, self.pair
        window, unknown = HOURS_WINDOW_MINUTES, UNKNOWN_OFFSET_SPACING
        cross = hours = shared = objective = bigger = 0
        kinds: list[int] = []
        commons: list[int] = []
        add_kind, add_common = kinds.append, commons.append
        for g in groups:
            if len(g) != 2:
                kind, common = self._bigger(g)
                bigger += 1
                add_kind(kind)
                add_common(common)
                continue
            a, b = g  # a < b
            objective += pair(a, b)
            kind = _TOGETHER if offset[a] < unknown else 0
            key = a * n + b
            if maybe[key >> 3 & mask] >> (key & 7) & 1 and find(key):
                kind |= self._repeat(key)
            if division[a] != division[b]:
                kind |= _SPANS
                cross += 1
            if -window <= offset[a] - offset[b] <= window:
                hours += 1
            else:
                kind &= ~_TOGETHER  # unknown zones sit far apart: all overlap means all known
            common = interests[a] & interests[b]
            if common:
                shared += 1
                kind |= _COMMON
            add_kind(kind)
            add_common(common)
        counts = self.metrics
        counts.pairs += len(groups) - bigger  # (a bigger group's pairs counted as groups of two)
        counts.cross += cross
        counts.hours += hours
        counts.shared += shared
        counts.objective += objective
        return kinds, commons

    def _bigger(self, g: list[int]) -> tuple[int, int]:
        """A group of three or more: its pairs' kinds or-ed (all of them for overlapping hours),
        and the interests all share (what all its pairs share)."""
        kinds, commons = self._facts([[a, b] for a, b in combinations(g, 2)])
        kind, together, common = 0, _TOGETHER, commons[0]
        for k, c in zip(kinds, commons, strict=True):
            kind |= k
            together &= k
            common &= c
        kind = kind & ~(_TOGETHER | _COMMON) | together
        return (kind | _COMMON if common else kind), common

    def _repeat(self, key: int) -> int:
        """Counts a pair grouped before (or blocked) in; its flag bits."""
        roster = self.roster
        if key in roster.blocked:
            return 0
        self.metrics.repeats += 1
        if key in roster.never_met:
            self.metrics.weak += 1
            return _REPEAT
        return _REPEAT | _MET


# A group's kind: bits or-ed over its pairs (spans divisions, met before, a repeat, weak or not)
# and its own (all hours overlap, an interest all share).
_SPANS, _MET, _TOGETHER, _COMMON, _REPEAT = 1, 2, 4, 8, 16
_KINDS = 32


@dataclass(slots=True)
class PairCounts:
    pairs: int = 0
    cross: int = 0
    repeats: int = 0
    weak: int = 0
    hours: int = 0
    shared: int = 0
    objective: int = 0
