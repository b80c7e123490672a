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
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import BLOCKED, CROSS, HOURS_WINDOW_MINUTES, Weights

AHEAD = 16  # places looked at along the line
CANDIDATES = 5  # partners weighed from those places
SHARED = 8  # people further along who share an interest, per interest
DEEPER = 64  # when every candidate is a repeat: how far into each allowed division to look
PER_DIVISION = 2  # when even that fails: nearest members of each division, allowed or not


class _Line:
    """The time-zone line with its unpaired people: next one after a place, first ones of a division."""

    def __init__(self, order: list[int], division: list[int], divisions: int, roster: Roster) -> None:
        n = len(order)
        self.order = order
        self.ahead = list(range(n + 1))  # union-find: next free place at or after p
        self.by_division: list[list[int]] = [[] for _ in range(divisions)]
        self.holders: list[list[int]] = [[] for _ in roster.interest_names]
        for p, i in enumerate(order):
            self.by_division[division[i]].append(p)
            for t in roster.interest_ids[i]:
                self.holders[t].append(p)
        self.division_head = [0] * divisions
        self.interest_head = [0] * len(self.holders)

    def next_free(self, p: int) -> int:
        ahead = self.ahead
        while ahead[p] != p:  # path halving
            ahead[p] = ahead[ahead[p]]
            p = ahead[p]
        return p

    def take(self, p: int) -> None:
        self.ahead[p] = p + 1

    def _first_free(self, places: list[int], heads: list[int], key: int, limit: int) -> list[int]:
        ahead, h, end = self.ahead, heads[key], len(places)
        while h < end and ahead[places[h]] != places[h]:
            h += 1
        heads[key] = h
        found: list[int] = []
        while h < end:
            p = places[h]
            if ahead[p] == p:
                found.append(p)
                if len(found) == limit:
                    break
            h += 1
        return found

    def first_of_division(self, d: int, limit: int) -> list[int]:
        return self._first_free(self.by_division[d], self.division_head, d, limit)

    def first_sharing(self, t: int, limit: int) -> list[int]:
        return self._first_free(self.holders[t], self.interest_head, t, limit)


def sweep_pairs(
    roster: Roster, weights: Weights, order: list[int], *, hold_ceiling: bool
) -> tuple[list[list[int]], list[int]]:
    """Pairs, and the people left without one (the odd one out, or those blocks stranded)."""
    n = roster.size
    division, offset, interest_ids = roster.division, roster.offset_key, roster.interest_ids
    divisions = len(roster.division_names)
    line = _Line(order, division, divisions, roster)
    balance = DivisionBalance(division, divisions)
    count = balance.count
    pair, row = weights.pair, weights.row
    tie = 8 * (n + 1)  # scores are weight * tie + the partner's division size: ties go to big divisions
    spare = [7 - min(7, len(ids)) for ids in interest_ids]  # then to partners with fewer interests to offer
    window = HOURS_WINDOW_MINUTES

    pairs: list[list[int]] = []
    stranded: list[int] = []
    p = 0
    while True:
        p = line.next_free(p)
        if p >= n:
            break
        u = order[p]
        du, ou = division[u], offset[u]
        line.take(p)
        # Which divisions may u's partner come from without losing a crossing pair later?
        only, same_ok = balance.partner_rule(du) if hold_ceiling else (-1, True)
        best, best_score = -1, BLOCKED * tie  # a place on the line, and its score
        places: list[int] = []
        if only >= 0:
            places = line.first_of_division(only, CANDIDATES)
        else:
            q, looked = line.next_free(p + 1), 0
            while q < n and looked < AHEAD and len(places) < CANDIDATES:
                v = order[q]
                if offset[v] - ou > window:
                    break
                looked += 1
                if same_ok or division[v] != du:
                    places.append(q)
                q = line.next_free(q + 1)
            if not places:
                for d in range(divisions):
                    if count[d] and (d != du or same_ok):
                        places.extend(line.first_of_division(d, 1))
        for t in interest_ids[u]:
            for q in line.first_sharing(t, SHARED):
                v = order[q]
                dv = division[v]
                if offset[v] - ou <= window and (dv == only if only >= 0 else same_ok or dv != du):
                    places.append(q)
        partners = [order[q] for q in places]
        for q, v, w in zip(places, partners, row(u, partners), strict=True):
            s = w * tie + count[division[v]] * 8 + spare[v]
            if s > best_score:
                best, best_score = q, s
        if best_score < 0:
            # Only repeats or blocks on offer: look deeper where the ceiling allows.
            allowed = (
                [only] if only >= 0 else [d for d in range(divisions) if count[d] and (d != du or same_ok)]
            )
            for q in (q for d in allowed for q in line.first_of_division(d, DEEPER)):
                v = order[q]
                s = pair(u, v) * tie + count[division[v]] * 8 + spare[v]
                if s > best_score:
                    best, best_score = q, s
        if best_score < 0:
            # Still nothing: everyone's nearest, even where it costs a crossing pair later.
            widened = [
                q for d in range(divisions) if count[d] for q in line.first_of_division(d, PER_DIVISION)
            ]
            if best_score < BLOCKED // 2 * tie:
                q = line.next_free(p + 1)
                while q < n:
                    widened.append(q)
                    q = line.next_free(q + 1)
            for q in widened:
                v = order[q]
                s = pair(u, v)
                if hold_ceiling and not balance.admissible(du, division[v]):
                    s -= CROSS  # it costs a crossing pair later, even if not here
                s = s * tie + count[division[v]] * 8 + spare[v]
                if s > best_score:
                    best, best_score = q, s
        balance.remove(du)
        if best < 0 or best_score <= BLOCKED // 2 * tie:
            stranded.append(u)
            continue
        v = order[best]
        line.take(best)
        balance.remove(division[v])
        pairs.append([u, v])
    return pairs, stranded
