"""Greedy pairs along the time-zone line: west to east, each person takes the best partner nearby.

People are sorted by UTC offset (unknown zones last), ties in seeded random order. Everyone
west of the current person is already paired, so the best partners sit just ahead on the
line. Each person weighs a handful of them, plus the nearest member of each division that
may take them and a few people further along who share an interest; equal weights go to
the partner from the bigger division (the hardest to pair across later), then to the one
with fewer interests (saving those for people who share them). A partner must keep the
cross-division ceiling in reach (`DivisionBalance`); when every such partner would be a
repeat, the search goes deeper into the allowed divisions, then wider, and repeating still
loses to bending the ceiling, exactly as the rules rank them. Nobody is ever paired with
someone they blocked: a person with no unblocked partner left is handed back unmatched.

For big rosters targeted.py runs the same sweep with fewer, surer candidates: the nearest free
holder of one of u's interests that the ceiling rule allows (greedy.py picks which).
"""

from __future__ import annotations

from bot.domain.pairing.balance import DivisionBalance
from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import CROSS, HOURS_WINDOW_MINUTES, Weights

AHEAD = 16  # places looked at along the line
CANDIDATES = 5  # partners weighed from those places
SHARED = 8  # people further along who share an interest, per interest (3 would save a quarter
# of the sweep's time, and lose 8 % of the pairs that share an interest at 100,000 members)
DEEPER = 64  # when every candidate is a repeat: how far into each allowed division to look
PER_DIVISION = 2  # when even that fails: nearest members of each division, allowed or not


class _Line:
    """The time-zone line with its unpaired people: next one after a place, first ones of a list
    of places (a division's, or an interest's holders)."""

    def __init__(
        self, order: list[int], division: list[int], divisions: int, roster: Roster, *, fill: bool = True
    ) -> None:
        self.ahead = list(range(len(order) + 1))  # union-find: next free place at or after p
        self.by_division: list[list[int]] = [[] for _ in range(divisions)]
        self.holders: list[list[int]] = [[] for _ in roster.interest_names]
        if fill:  # else the caller fills by_division, and lists holders its own way
            for p, i in enumerate(order):
                self.by_division[division[i]].append(p)
                for t in roster.interest_ids[i]:
                    self.holders[t].append(p)
        # Where each list's first free place may be: everything before it is taken.
        self.division_head = [0] * divisions
        self.interest_head = [0] * len(self.holders)

    def next_free(self, p: int) -> int:
        ahead = self.ahead
        while ahead[p] != p:  # path halving
            ahead[p] = ahead[ahead[p]]
            p = ahead[p]
        return p

    def first_free(
        self, places: list[int], heads: list[int], key: int, limit: int, found: list[int], look: int = 0
    ) -> None:
        """Append to `found` the first `limit` free places of `places` (which `heads[key]` indexes),
        among the first `look` places from the first free one (0: as many as it takes)."""
        ahead, h, end = self.ahead, heads[key], len(places)
        while h < end and ahead[places[h]] != places[h]:
            h += 1
        heads[key] = h
        stop = len(found) + limit
        if look:
            end = min(end, h + look)
        while h < end:
            p = places[h]
            if ahead[p] == p:
                found.append(p)
                if len(found) == stop:
                    return
            h += 1


class Sweep:
    FILL_LINE = True  # does the line list each division's people and interest's holders (the
    # targeted sweep lists them its own way)

    def __init__(self, roster: Roster, weights: Weights, order: list[int], hold_ceiling: bool) -> None:
        n = roster.size
        self.n, self.order, self.hold_ceiling = n, order, hold_ceiling
        self.division, self.offset, self.interest_ids = (
            roster.division,
            roster.offset_key,
            roster.interest_ids,
        )
        self.divisions = len(roster.division_names)
        self.line = _Line(order, self.division, self.divisions, roster, fill=self.FILL_LINE)
        self.balance = DivisionBalance(self.division, self.divisions)
        self.row = weights.row
        self.tie = 8 * (
            n + 1
        )  # scores are weight * tie + the partner's division size: ties go to big divisions
        # then to fewer interests to offer
        self.spare = [7 - k if k < 7 else 0 for k in map(len, roster.interest_ids)]
        self.hopeless = BLOCKED // 2 * self.tie  # a score this low is a blocked pair

    def run(self) -> tuple[list[list[int]], list[int]]:
        n, order, division, line, balance = self.n, self.order, self.division, self.line, self.balance
        ahead, next_free = line.ahead, line.next_free
        pairs: list[list[int]] = []
        stranded: list[int] = []
        p = 0
        while True:
            if ahead[p] != p:
                p = next_free(p)
            if p >= n:
                break
            u = order[p]
            ahead[p] = p + 1
            best, best_score = self.partner(p, u)
            balance.remove(division[u])
            if best < 0 or best_score <= self.hopeless:
                stranded.append(u)
                continue
            ahead[best] = best + 1
            balance.remove(division[order[best]])
            pairs.append([u, order[best]])
        return pairs, stranded

    def partner(self, p: int, u: int) -> tuple[int, int]:
        """The place of u's best partner and its score. When every nearby candidate is a repeat or
        blocked, look deeper where the ceiling allows; when even that fails, at everyone's nearest."""
        du = self.division[u]
        # Which divisions may u's partner come from without losing a crossing pair later?
        only, same_ok = self.balance.partner_rule(du) if self.hold_ceiling else (-1, True)
        places = self.nearby(p, u, only, same_ok)
        best, best_score = self.best_of(u, places, -1, BLOCKED * self.tie)
        if best_score >= 0:
            return best, best_score
        return self.further(p, u, only, same_ok, best, best_score)

    def further(
        self, p: int, u: int, only: int, same_ok: bool, best: int, best_score: int
    ) -> tuple[int, int]:
        """u's best partner when the nearby ones (`best` at most) are all repeats or blocked."""
        du = self.division[u]
        line, count = self.line, self.balance.count
        deeper: list[int] = []
        for d in [only] if only >= 0 else range(self.divisions):
            if only >= 0 or (count[d] and (d != du or same_ok)):
                line.first_free(line.by_division[d], line.division_head, d, DEEPER, deeper)
        best, best_score = self.best_of(u, deeper, best, best_score)
        if best_score >= 0:
            return best, best_score
        widened: list[int] = []
        for d in range(self.divisions):
            if count[d]:
                line.first_free(line.by_division[d], line.division_head, d, PER_DIVISION, widened)
        if best_score < self.hopeless:  # blocked from all of those: everyone still free
            q = line.next_free(p + 1)
            while q < self.n:
                widened.append(q)
                q = line.next_free(q + 1)
        return self.best_of(u, widened, best, best_score, bend=self.hold_ceiling)

    def nearby(self, p: int, u: int, only: int, same_ok: bool) -> list[int]:
        """Candidates' places: the first few ahead on the line (or in the one division allowed),
        and the first few free people who share an interest with u, within the hours window."""
        order, division, offset, line = self.order, self.division, self.offset, self.line
        du, ou, n = division[u], offset[u], self.n
        ahead, window = line.ahead, HOURS_WINDOW_MINUTES
        places: list[int] = []
        if only >= 0:
            line.first_free(line.by_division[only], line.division_head, only, CANDIDATES, places)
        else:
            q, looked = p + 1, 0
            while looked < AHEAD and len(places) < CANDIDATES:
                if ahead[q] != q:
                    q = line.next_free(q)
                if q >= n or offset[order[q]] - ou > window:
                    break
                looked += 1
                if same_ok or division[order[q]] != du:
                    places.append(q)
                q += 1
            if not places:
                for d, c in enumerate(self.balance.count):
                    if c and (d != du or same_ok):
                        line.first_free(line.by_division[d], line.division_head, d, 1, places)
        holders, heads = line.holders, line.interest_head
        for t in self.interest_ids[u]:
            # The first SHARED free holders of the interest (first_free, written out: this runs
            # for every interest of every person), as far as the hours window reaches.
            held, h, end = holders[t], heads[t], len(holders[t])
            while h < end and ahead[held[h]] != held[h]:
                h += 1
            heads[t] = h
            left = SHARED
            while h < end and left:
                q = held[h]
                h += 1
                if ahead[q] != q:
                    continue
                left -= 1
                v = order[q]
                if offset[v] - ou > window:
                    break  # holders are in line order: the rest are further east still
                dv = division[v]
                if dv == only if only >= 0 else same_ok or dv != du:
                    places.append(q)
        return places

    def best_of(
        self, u: int, places: list[int], best: int, best_score: int, bend: bool = False
    ) -> tuple[int, int]:
        """The best place among `best` and `places` for u's partner (the first of equals); with
        `bend`, a partner the ceiling does not allow costs the crossing pair it loses later."""
        if not places:
            return best, best_score
        division, count, spare, tie = self.division, self.balance.count, self.spare, self.tie
        partners = [self.order[q] for q in places]
        weights = self.row(u, partners)
        if bend:
            du, admissible = division[u], self.balance.admissible
            weights = [
                w if admissible(du, division[v]) else w - CROSS
                for w, v in zip(weights, partners, strict=True)
            ]
        scores = [w * tie + count[division[v]] * 8 + spare[v] for w, v in zip(weights, partners, strict=True)]
        top = max(scores)
        return (places[scores.index(top)], top) if top > best_score else (best, best_score)
