"""The result as people see it: each group's ids, reasons and shared interests, and the metrics
summed over every pair (crossings, repeats, overlapping hours, shared interests, the objective).

One pass over the pairs, reading the roster's plain lists once each: at 100,000 members this
makes 50,000 groups, and a call to `Weights.pair` per pair plus a second look at the same facts
was most of the time. The objective is summed from the facts already read, with the tiers of
weights.py; tests/unit/pairing/test_result_tally.py holds it to `Weights.pair`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from bot.domain.pairing.model import ProposedGroup, Reason, Relaxation, Relaxed
from bot.domain.pairing.roster import UNKNOWN_OFFSET_SPACING, Roster
from bot.domain.pairing.weights import (
    CROSS,
    HOURS,
    HOURS_WINDOW_MINUTES,
    INTEREST,
    INTEREST_EXTRA,
    VARIETY,
)

_CHOSEN = (Reason.CROSS_DIVISION, Reason.FIRST_MEETING, Reason.HOURS_OVERLAP, Reason.SHARED_INTEREST)
# What a shared interest adds, by how many the pair shares (1, 2, 3 or more).
_INTEREST_BONUS = (0, INTEREST, INTEREST + INTEREST_EXTRA, INTEREST + 2 * INTEREST_EXTRA)


class Tally:
    """Groups as the result shows them, and the metrics over all of their pairs."""

    def __init__(self, roster: Roster, *, cross_division: bool) -> None:
        self.roster, self.cross_division = roster, cross_division
        self.metrics = PairCounts()
        self.relaxed: list[Relaxation] = []
        # Few kinds of group: one frozenset of reasons per kind, one tuple of names per interest set.
        self._reasons: dict[int, frozenset[Reason]] = {}
        self._names: dict[int, tuple[str, ...]] = {0: ()}

    def groups(self, groups: list[list[int]]) -> tuple[ProposedGroup, ...]:
        """Each group (sorted) as the result shows it."""
        ids = [m.id for m in self.roster.members]
        offset = self.roster.offset_key
        reasons_of, names_of = self._reasons, self._names
        relax = self.relaxed.append
        out: list[ProposedGroup] = []
        add = out.append
        for g, flags, common in self._each_group(groups):
            first = g[0]
            if flags & _APART == 0 and offset[first] < UNKNOWN_OFFSET_SPACING:
                flags |= _TOGETHER  # every pair overlaps; unknown zones sit far apart, so all are known
            if common:
                flags |= _COMMON
            reasons = reasons_of.get(flags & _REASON_BITS)
            if reasons is None:
                reasons = reasons_of[flags & _REASON_BITS] = self._reasons_for(flags)
            shared = names_of.get(common)
            if shared is None:
                shared = names_of[common] = self._names_for(first, common)
            members = (ids[first], ids[g[1]]) if len(g) == 2 else tuple([ids[i] for i in g])
            if flags & _REPEAT:
                relax(Relaxation(Relaxed.NO_REPEAT, members))
            add(ProposedGroup(members, reasons, shared))
        return tuple(out)

    def _each_group(self, groups: list[list[int]]) -> Iterator[tuple[list[int], int, int]]:
        """(group, flag bits or-ed over its pairs, interests all share), counting every pair
        into the metrics on the way: one pass, the facts read once, the pair's weight summed
        from them."""
        roster = self.roster
        n, division, offset, interests, seen = (
            roster.size,
            roster.division,
            roster.offset_key,
            roster.interests,
            roster.seen_divisions,
        )
        maybe, mask, find = roster.penalty.maybe, roster.penalty.mask, roster.penalty.find
        cross_weight, window, bonus = (
            CROSS if self.cross_division else 0,
            HOURS_WINDOW_MINUTES,
            _INTEREST_BONUS,
        )
        pairs = cross = hours = shared = objective = 0
        for g in groups:
            flags, common = 0, interests[g[0]]
            for a, b in (g,) if len(g) == 2 else combinations(g, 2):  # a < b
                pairs += 1
                key = a * n + b
                if maybe[key >> 3 & mask] >> (key & 7) & 1:
                    cost = find(key)
                    objective -= cost
                    if cost:
                        flags |= self._repeat(key)
                da, db = division[a], division[b]
                if da != db:
                    flags |= _SPANS
                    cross += 1
                    # VARIETY per side whose partner's division is new to them
                    objective += cross_weight + VARIETY * (2 - (seen[a] >> db & 1) - (seen[b] >> da & 1))
                if -window <= offset[a] - offset[b] <= window:
                    hours += 1
                else:
                    flags |= _APART
                both = interests[a] & interests[b]
                if both:
                    shared += 1
                    objective += bonus[min(both.bit_count(), 3)]
                common &= interests[b]
            yield g, flags, common
        counts = self.metrics
        counts.pairs, counts.cross, counts.hours, counts.shared = pairs, cross, hours, shared
        counts.objective += objective + HOURS * hours

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

    def _reasons_for(self, flags: int) -> frozenset[Reason]:
        on = (self.cross_division and flags & _SPANS, not flags & _MET, flags & _TOGETHER, flags & _COMMON)
        return frozenset(r for r, chosen in zip(_CHOSEN, on, strict=True) if chosen)

    def _names_for(self, first: int, common: int) -> tuple[str, ...]:
        names = self.roster.interest_names
        return tuple([names[t] for t in self.roster.interest_ids[first] if common >> t & 1])


# Flag bits of a pair, or of a group (or-ed over its pairs); the last two are the group's own.
_SPANS, _MET, _REPEAT, _APART, _TOGETHER, _COMMON = 1, 2, 4, 8, 16, 32
_REASON_BITS = _SPANS | _MET | _TOGETHER | _COMMON


@dataclass(slots=True)
class PairCounts:
    pairs: int = 0
    cross: int = 0
    repeats: int = 0
    weak: int = 0
    hours: int = 0
    shared: int = 0
    objective: int = 0
