"""The greedy sweep for big rosters: the nearest free person the rule allows who shares an interest.

The plain sweep (sweep.py) gathers the first free people ahead and the first free holders of
each interest, drops the ones the cross-division ceiling does not allow, and weighs the rest.
On a big roster where one division holds half the people, most of what it gathers is dropped,
and it walks past the same taken people again and again. Here, for each of u's interests, the
search goes straight to the first free holder the rule allows (in the one division required,
or outside u's own), and u takes the nearest of those along the line. That one shares an
interest and is within the hours window, and crosses divisions wherever the rule lets it:
every tier the weights rank above the finer ones (extra interests, variety) that the plain
sweep's weighing adds. When several interests find someone, those finer tiers pick among
them (further shared interests, a division new to either side), the nearest of equals. More
pairs share an interest than in the plain sweep (at 100,000 members, 40,044 of 50,000 against
33,985), whose few candidates often hold none the rule allows. Someone with no such holder
free takes the nearest person the rule allows. Only when
the history's filter says u may have met that one are candidates weighed: those, then more
allowed people ahead, then the plain sweep's deeper search.

Finding the first allowed free holder: each interest's holders are in two lists, those in the
division that starts largest and the rest, with heads that only move on (everything before a
head is taken, or of a division that search rules out, both for good). The largest division's
list has one head and is walked past its taken holders once. The rest's heads are per
(division, rule), and a union-find per interest skips its taken holders, so a holder taken
once is stepped over about once whichever head passes it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import Roster
from bot.domain.pairing.sweep import Sweep
from bot.domain.pairing.weights import HOURS_WINDOW_MINUTES, INTEREST_EXTRA, VARIETY, Weights

NEAREST = 5  # allowed free people taken as candidates from just ahead, when no holder is free
LOOK = 16  # ... among the first so many of a division's list (most of the rest are taken)
AGAIN, EACH = 16, 4  # when those are all repeats: people weighed from the one division allowed, or each


class TargetedSweep(Sweep):
    FILL_LINE = False

    def __init__(self, roster: Roster, weights: Weights, order: list[int], hold_ceiling: bool) -> None:
        super().__init__(roster, weights, order, hold_ceiling)
        self.penalty = roster.penalty
        self.roster_interests, self.seen = roster.interests, roster.seen_divisions
        self.place_division = list(map(self.division.__getitem__, order))
        self.place_offset = list(map(self.offset.__getitem__, order))
        self.split_holders(roster, order)
        self.holders_of = self.holder_search()
        self.outside = [0] * self.divisions  # the same for the whole line, "outside division d"
        self.not_big = [p for p, d in enumerate(self.place_division) if d != self.big]  # line order
        self.not_big_head = [0]

    def split_holders(self, roster: Roster, order: list[int]) -> None:
        """Each interest's holders in line order, in two lists: those in the division that starts
        largest (`big`), whom most searches either want or rule out, and the rest."""
        count, pdiv, n = self.balance.count, self.place_division, self.n
        self.big = count.index(max(count))
        self.in_big: list[list[int]] = [[] for _ in roster.interest_names]
        self.rest: list[list[int]] = [[] for _ in roster.interest_names]
        in_big, rest, big = self.in_big, self.rest, self.big
        by_division = self.line.by_division  # the line leaves it to be filled here, in one pass
        for p, interests in enumerate(map(roster.interest_ids.__getitem__, order)):
            d = pdiv[p]
            by_division[d].append(p)
            if interests:
                lists = in_big if d == big else rest
                for t in interests:
                    lists[t].append(p)
        # Sentinels: n is free as far as `ahead` tells (it ends a search of in_big), -1 is taken
        # (ahead[-1] is ahead[n]) and ends a search of rest.
        for held in in_big:
            held.append(n)
        for held in rest:
            held.append(-1)
        self.big_head = [0] * len(in_big)  # everything before it in in_big[t] is taken
        # skip[t][h] leads, by path halving, to the first holder in rest[t] at or after index h
        # not yet known to be taken; heads[(t * (divisions + 1) + d) * 2 + r]: where the search of
        # rest[t] for a free holder starts, for r = 0 "in division d" and r = 1 "outside
        # division d" (d = divisions is nobody's: "outside" it is anyone).
        self.skip = [list(range(len(held))) for held in rest]
        self.heads = [0] * (len(rest) * (self.divisions + 1) * 2)

    def run(self) -> tuple[list[list[int]], list[int]]:
        # The plain sweep's loop, with the common case written in: the nearest allowed candidate,
        # accepted when the history's filter says the two never met (nor blocked each other).
        n, order, pdiv, line, balance = self.n, self.order, self.place_division, self.line, self.balance
        ahead, next_free, rule, remove = line.ahead, line.next_free, balance.partner_rule, balance.remove_pair
        maybe, mask, holders_of, interest_ids = (
            self.penalty.maybe,
            self.penalty.mask,
            self.holders_of,
            self.interest_ids,
        )
        hold, nobody = self.hold_ceiling, self.divisions
        interests, seen = self.roster_interests, self.seen
        extra = [0, 0, INTEREST_EXTRA, 2 * INTEREST_EXTRA]  # by shared interests, as weights.py
        pairs: list[list[int]] = []
        stranded: list[int] = []
        p = 0
        while True:
            if ahead[p] != p:
                p = next_free(p)
            if p >= n:
                break
            u, du = order[p], pdiv[p]
            ahead[p] = p + 1
            only, same_ok = rule(du) if hold else (-1, True)
            # The first free holder of each of u's interests whom the rule allows, within the
            # hours window (u's own division's only where nobody else's is left, or crossing
            # is not sought), and of those the nearest; failing that, someone near.
            places = []
            if interest_ids[u]:
                if only >= 0:
                    places = holders_of(u, only, True)
                elif hold:
                    places = holders_of(u, du, False)
                if not places and same_ok:
                    places = holders_of(u, nobody, False)
            if len(places) > 1:
                # Holders of several interests, all sharing one, in reach and allowed: the
                # weights' finer tiers pick (each further shared interest, each side meeting a
                # division new to it, as weights.py counts them), the nearest of equals.
                iu, su, q, most = interests[u], seen[u], -1, -1
                for x in places:
                    v = order[x]
                    dv = pdiv[x]
                    score = extra[min((iu & interests[v]).bit_count(), 3)] + (
                        VARIETY * ((not su >> dv & 1) + (not seen[v] >> du & 1)) if dv != du else 0
                    )
                    if score > most or (score == most and x < q):
                        q, most = x, score
            elif places:
                q = places[0]
            else:
                q, places = self.near_pick(p, du, only, same_ok)
            if q >= 0:
                v = order[q]
                key = u * n + v if u < v else v * n + u
                if maybe[key >> 3 & mask] >> (key & 7) & 1:
                    q = -1  # they may have met: weigh them all
            if q < 0:
                q, score = self.weigh(p, u, du, only, same_ok, places)
                if q < 0 or score <= self.hopeless:
                    balance.remove(du)
                    stranded.append(u)
                    continue
            ahead[q] = q + 1
            remove(du, pdiv[q])
            pairs.append([u, order[q]])
        return pairs, stranded

    def near_pick(self, p: int, du: int, only: int, same_ok: bool) -> tuple[int, list[int]]:
        """For someone with no allowed holder free: of the first few allowed people ahead, the
        one with the fewest interests (the others may share them with someone later), within
        the hours window first, the nearest of equals (-1 if nobody); and those people."""
        places = self.nearest(p, du, only, same_ok)
        if not places:
            return -1, places
        order, spare, poff, reach = (
            self.order,
            self.spare,
            self.place_offset,
            self.place_offset[p] + HOURS_WINDOW_MINUTES,
        )
        best, most = -1, -1
        for q in places:  # in line order
            score = spare[order[q]] + 8 * (poff[q] <= reach)
            if score > most:
                best, most = q, score
        return best, places

    def weigh(self, p: int, u: int, du: int, only: int, same_ok: bool, places: list[int]) -> tuple[int, int]:
        """u's partner when the nearest candidate is no sure choice: the best of the candidates,
        else of more allowed people ahead, else what the plain sweep's deeper search finds."""
        best, best_score = self.best_of(u, places, -1, BLOCKED * self.tie)
        if best_score < 0:  # all met u before
            best, best_score = self.best_of(u, self.allowed_ahead(p, du, only, same_ok), best, best_score)
        if best_score >= 0:
            return best, best_score
        return self.further(p, u, only, same_ok, best, best_score)

    def allowed_ahead(self, p: int, du: int, only: int, same_ok: bool) -> list[int]:
        """The first AGAIN free people of the one division allowed, or the first few of each."""
        line = self.line
        places: list[int] = []
        if only >= 0:
            line.first_free(line.by_division[only], line.division_head, only, AGAIN, places)
            return places
        for d, c in enumerate(self.balance.count):
            if c and (d != du or same_ok):
                line.first_free(line.by_division[d], line.division_head, d, EACH, places)
        return places

    def holder_search(self) -> Callable[[int, int, bool], list[int]]:
        """`holders_of(u, d, inside)`: for each of u's interests, the first free holder in
        division d (`inside`) or outside it, if within the hours window. A closure over the
        lists: it runs for nearly everyone, and attribute look-ups were a tenth of its time."""
        ahead, pdiv, poff, big, n = self.line.ahead, self.place_division, self.place_offset, self.big, self.n
        in_big, big_head, rest, skip, heads = self.in_big, self.big_head, self.rest, self.skip, self.heads
        offset, interest_ids, nobody = self.offset, self.interest_ids, self.divisions
        width = (nobody + 1) * 2

        def holders_of(u: int, d: int, inside: bool) -> list[int]:
            limit = offset[u] + HOURS_WINDOW_MINUTES
            search_big = d == big if inside else d != big
            search_rest = not inside or d != big
            if d == big:
                d, inside = nobody, False  # what rest holds is all outside big
            which = d * 2 + (not inside)
            found: list[int] = []
            for t in interest_ids[u]:
                best = n
                if search_big:
                    held, h = in_big[t], big_head[t]
                    best = held[h]
                    while ahead[best] != best:
                        h += 1
                        best = held[h]
                    big_head[t] = h
                if search_rest:
                    held, nx, key = rest[t], skip[t], t * width + which
                    h = heads[key]
                    while True:
                        while nx[h] != h:  # path halving over holders known to be taken
                            nx[h] = nx[nx[h]]
                            h = nx[h]
                        q = held[h]
                        if ahead[q] != q:
                            if q < 0:
                                break
                            nx[h] = h + 1  # taken: every search steps over it from now on
                        elif (pdiv[q] == d) is inside:
                            if q < best:
                                best = q
                            break
                        h += 1
                    heads[key] = h
                if best < n and poff[best] <= limit:
                    found.append(best)
            return found

        return holders_of

    def nearest(self, p: int, du: int, only: int, same_ok: bool) -> list[int]:
        """The first NEAREST free people ahead on the line whom the rule allows, in line order:
        in the one division required, or outside du, or anyone."""
        line = self.line
        places: list[int] = []
        if only >= 0:
            line.first_free(line.by_division[only], line.division_head, only, NEAREST, places, LOOK)
            return places
        ahead, next_free, n, pdiv = line.ahead, line.next_free, self.n, self.place_division
        if same_ok:
            q = next_free(p + 1)
        elif du == self.big:
            line.first_free(self.not_big, self.not_big_head, 0, NEAREST, places, LOOK)
            return places
        else:
            # Everything before outside[du] is taken or in du, both for good.
            q = self.outside[du]
            while q < n and (ahead[q] != q or pdiv[q] == du):
                q = next_free(q) if ahead[q] != q else q + 1
            self.outside[du] = q
        while q < n:
            if same_ok or pdiv[q] != du:
                places.append(q)
                if len(places) == NEAREST:
                    break
            q = next_free(q + 1)
        return places
