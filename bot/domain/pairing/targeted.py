"""The greedy sweep for big rosters: the nearest free person the rule allows who shares an interest.

The plain sweep (sweep.py) gathers the first free people ahead and the first free holders of
each interest, drops the ones the cross-division ceiling does not allow, and weighs the rest.
On a big roster where one division holds half the people, most of what it gathers is dropped,
and it walks past the same taken people again and again. Here, for each of u's interests, the
search goes straight to the first free holder the rule allows (in the one division required,
or outside u's own), and u takes the nearest of those along the line: the nearest one shares
an interest, is within the hours window (or no holder is), and crosses divisions where the
rule lets it, which is every tier the weights rank above the finer ones (extra interests,
variety) that the plain sweep's weighing adds; and more pairs end up sharing an interest than
in the plain sweep, whose few candidates often hold none the rule allows. Someone with no
such holder free weighs the first allowed people ahead, as the plain sweep does; and a nearest
holder u met before sends u to the plain sweep's weighing and, past that, its deeper search.

Each search starts from a head kept per (interest, division, rule): everything before it is
taken or of the wrong division, both for good, so a head only moves on; and the taken holders
are skipped by a union-find per interest, so a holder taken once is stepped over about once.
"""

from __future__ import annotations

from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.sweep import _Sweep
from bot.domain.pairing.weights import HOURS_WINDOW_MINUTES, Weights

NEAREST = 2  # allowed free people weighed from just ahead on the line, when no holder is free
AGAIN, LOOK = 16, 64  # when those are all repeats: allowed people weighed, among how many free ones


class TargetedSweep(_Sweep):
    def __init__(self, roster: Roster, weights: Weights, order: list[int], hold_ceiling: bool) -> None:
        super().__init__(roster, weights, order, hold_ceiling)
        self.penalty = roster.penalty
        self.place_division = [self.division[i] for i in order]
        self.place_offset = [self.offset[i] for i in order]
        # skip[t][h] leads, by path halving, to the first holder of interest t at or after index
        # h not yet known to be taken (a sentinel at the end).
        self.skip = [list(range(len(held) + 1)) for held in self.line.holders]
        # heads[(t * (divisions + 1) + d) * 2 + r]: where the search for a free holder of t
        # starts, for r = 0 "in division d" and r = 1 "outside division d"; d = divisions is
        # nobody's division, so "outside" it is anyone.
        self.heads = [0] * (len(self.line.holders) * (self.divisions + 1) * 2)
        self.outside = [0] * self.divisions  # the same for the whole line, "outside division d"

    def partner(self, p: int, u: int) -> tuple[int, int]:
        du = self.place_division[p]
        only, same_ok = self.balance.partner_rule(du) if self.hold_ceiling else (-1, True)
        places = self.holders_of(u, *((only, True) if only >= 0 else (du, False)))
        if not places and same_ok:  # nobody outside u's division: u's own will do too
            places = self.holders_of(u, self.divisions, False)
        if places:
            q, v = min(places), self.order[min(places)]
            key = u * self.n + v if u < v else v * self.n + u
            maybe = self.penalty.maybe
            if not maybe[key >> 3 & self.penalty.mask] >> (key & 7) & 1:
                return q, 0  # never met, not blocked: the nearest holder it is
        else:
            places = self.nearest(p, du, only, same_ok)
        best, best_score = self.best_of(u, places, -1, BLOCKED * self.tie)
        if best_score < 0:  # all met u before: the next allowed people along the line, first
            best, best_score = self.best_of(u, self.allowed_ahead(p, du, only, same_ok), best, best_score)
        if best_score >= 0:
            return best, best_score
        return self.further(p, u, only, same_ok, best, best_score)

    def allowed_ahead(self, p: int, du: int, only: int, same_ok: bool) -> list[int]:
        """Up to AGAIN free people ahead of p whom the rule allows, among the next LOOK free ones."""
        line, pdiv, places = self.line, self.place_division, []
        q, looked = line.next_free(p + 1), 0
        while q < self.n and looked < LOOK and len(places) < AGAIN:
            dq = pdiv[q]
            if dq == only if only >= 0 else same_ok or dq != du:
                places.append(q)
            looked += 1
            q = line.next_free(q + 1)
        return places

    def holders_of(self, u: int, d: int, inside: bool) -> list[int]:
        """For each of u's interests, the first free holder in division d (`inside`) or outside
        it, if within the hours window."""
        line, pdiv, heads, skip = self.line, self.place_division, self.heads, self.skip
        ahead, holders, stride = line.ahead, line.holders, self.divisions + 1
        limit = self.offset[u] + HOURS_WINDOW_MINUTES
        found: list[int] = []
        for t in self.interest_ids[u]:
            held, nx = holders[t], skip[t]
            end, key = len(held), (t * stride + d) * 2 + (not inside)
            h = heads[key]
            while True:
                while nx[h] != h:  # path halving over holders known to be taken
                    nx[h] = nx[nx[h]]
                    h = nx[h]
                if h == end:
                    break
                q = held[h]
                if ahead[q] != q:
                    nx[h] = h + 1  # taken: every search steps over it from now on
                elif (pdiv[q] == d) == inside:
                    break
                h += 1
            heads[key] = h
            if h < end and self.place_offset[held[h]] <= limit:
                found.append(held[h])
        return found

    def nearest(self, p: int, du: int, only: int, same_ok: bool) -> list[int]:
        """The first free people ahead on the line whom the rule allows: in the one division
        required, or outside du (the nearest such), or anyone."""
        line, places = self.line, []
        if only >= 0:
            line.first_free(line.by_division[only], line.division_head, only, NEAREST, places)
        elif same_ok:
            q = line.next_free(p + 1)
            while q < self.n and len(places) < NEAREST:
                places.append(q)
                q = line.next_free(q + 1)
        else:
            # Everything before outside[du] is taken or in du, both for good.
            ahead, next_free, n, pdiv, q = line.ahead, line.next_free, self.n, self.place_division, self.outside[du]
            while q < n and (ahead[q] != q or pdiv[q] == du):
                q = next_free(q) if ahead[q] != q else q + 1
            self.outside[du] = q
            if q < n:
                places.append(q)
        return places
