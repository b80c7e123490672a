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
"""

from __future__ import annotations

from bot.domain.pairing.balance import DivisionBalance
from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import CROSS, HOURS_WINDOW_MINUTES, Weights

AHEAD = 16  # places looked at along the line
CANDIDATES = 5  # partners weighed from those places
SHARED = 8  # people further along who share an interest, per interest
DEEPER = 64  # when every candidate is a repeat: how far into each allowed division to look
PER_DIVISION = 2  # when even that fails: nearest members of each division, allowed or not


class _Line:
    """The time-zone line with its unpaired people: next one after a place, first ones of a list
    of places (a division's, or an interest's holders)."""

    def __init__(self, order: list[int], division: list[int], divisions: int, roster: Roster) -> None:
        self.ahead = list(range(len(order) + 1))  # union-find: next free place at or after p
        self.by_division: list[list[int]] = [[] for _ in range(divisions)]
        self.holders: list[list[int]] = [[] for _ in roster.interest_names]
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

    def first_free(self, places: list[int], heads: list[int], key: int, limit: int, found: list[int]) -> None:
        """Append to `found` the first `limit` free places of `places` (which `heads[key]` indexes)."""
        ahead, h, end = self.ahead, heads[key], len(places)
        while h < end and ahead[places[h]] != places[h]:
            h += 1
        heads[key] = h
        stop = len(found) + limit
        while h < end:
            p = places[h]
            if ahead[p] == p:
                found.append(p)
                if len(found) == stop:
                    return
            h += 1


def sweep_pairs(
    roster: Roster, weights: Weights, order: list[int], *, hold_ceiling: bool
) -> tuple[list[list[int]], list[int]]:
    """Pairs, and the people left without one (the odd one out, or those blocks stranded)."""
    n = roster.size
    division, offset, interest_ids = roster.division, roster.offset_key, roster.interest_ids
    divisions = len(roster.division_names)
    line = _Line(order, division, divisions, roster)
    ahead, next_free, first_free = line.ahead, line.next_free, line.first_free
    by_division, division_head = line.by_division, line.division_head
    holders, interest_head = line.holders, line.interest_head
    balance = DivisionBalance(division, divisions)
    count, admissible = balance.count, balance.admissible
    row = weights.row
    tie = 8 * (n + 1)  # scores are weight * tie + the partner's division size: ties go to big divisions
    spare = [7 - min(7, len(ids)) for ids in interest_ids]  # then to partners with fewer interests to offer
    window = HOURS_WINDOW_MINUTES
    hopeless = BLOCKED // 2 * tie  # a score this low is a blocked pair

    def best_of(u: int, places: list[int], best: int, best_score: int, bend: bool = False) -> tuple[int, int]:
        """The best place among `best` and `places` for u's partner; with `bend`, a partner the
        ceiling does not allow costs the crossing pair it loses later."""
        du = division[u]
        partners = [order[q] for q in places]
        for q, v, w in zip(places, partners, row(u, partners), strict=True):
            dv = division[v]
            if bend and not admissible(du, dv):
                w -= CROSS
            s = w * tie + count[dv] * 8 + spare[v]
            if s > best_score:
                best, best_score = q, s
        return best, best_score

    pairs: list[list[int]] = []
    stranded: list[int] = []
    p = 0
    while True:
        if ahead[p] != p:
            p = next_free(p)
        if p >= n:
            break
        u = order[p]
        du, ou = division[u], offset[u]
        ahead[p] = p + 1
        # Which divisions may u's partner come from without losing a crossing pair later?
        only, same_ok = balance.partner_rule(du) if hold_ceiling else (-1, True)
        places: list[int] = []
        if only >= 0:
            first_free(by_division[only], division_head, only, CANDIDATES, places)
        else:
            q, looked = p + 1, 0
            while looked < AHEAD and len(places) < CANDIDATES:
                if ahead[q] != q:
                    q = next_free(q)
                if q >= n or offset[order[q]] - ou > window:
                    break
                looked += 1
                if same_ok or division[order[q]] != du:
                    places.append(q)
                q += 1
            if not places:
                for d in range(divisions):
                    if count[d] and (d != du or same_ok):
                        first_free(by_division[d], division_head, d, 1, places)
        for t in interest_ids[u]:
            shared: list[int] = []
            first_free(holders[t], interest_head, t, SHARED, shared)
            for q in shared:
                v = order[q]
                dv = division[v]
                if offset[v] - ou <= window and (dv == only if only >= 0 else same_ok or dv != du):
                    places.append(q)
        best, best_score = best_of(u, places, -1, BLOCKED * tie)
        if best_score < 0:
            # Only repeats or blocks on offer: look deeper where the ceiling allows.
            deeper: list[int] = []
            for d in [only] if only >= 0 else range(divisions):
                if only >= 0 or (count[d] and (d != du or same_ok)):
                    first_free(by_division[d], division_head, d, DEEPER, deeper)
            best, best_score = best_of(u, deeper, best, best_score)
        if best_score < 0:
            # Still nothing: everyone's nearest, even where it costs a crossing pair later.
            widened: list[int] = []
            for d in range(divisions):
                if count[d]:
                    first_free(by_division[d], division_head, d, PER_DIVISION, widened)
            if best_score < hopeless:
                q = next_free(p + 1)
                while q < n:
                    widened.append(q)
                    q = next_free(q + 1)
            best, best_score = best_of(u, widened, best, best_score, bend=hold_ceiling)
        balance.remove(du)
        if best < 0 or best_score <= hopeless:
            stranded.append(u)
            continue
        v = order[best]
        ahead[best] = best + 1
        balance.remove(division[v])
        pairs.append([u, v])
    return pairs, stranded
