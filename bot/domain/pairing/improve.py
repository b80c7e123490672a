"""Local search: move people between groups whenever the pair weights say it is better.

Two kinds of move. A swap trades two people between any two groups. A chain works on pairs:
a leaves its partner x for c, c's partner takes d, d's partner takes e, and the last one
left takes x — an alternating path, the move exact matching is built on. A move breaks and
makes at most sixteen pairs (a swap between two groups of five), and blocks, repeats and
crossings each outweigh all lower tiers over sixteen pairs, so "total weight went up"
means "the rules, compared in order, got better": a move never trades a crossing pair for
nicer hours, nor a repeat for anything below it.

Candidates come from where a better partner is likely: near a group mate or near oneself
on the time-zone line, among nearby people who share an interest, and among nearby people
whose own group falls short. Someone who found nothing is not tried again until their
group changes. Work is bounded by a count of evaluations, not by the clock, so a seed
always gives the same groups.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import CROSS, HOURS, HOURS_WINDOW_MINUTES, Weights

NEARBY = 24  # how far along the time-zone line to look for someone
TRIES = 3  # candidates of each kind per person and pass
CHAIN_DEPTH = 4  # pairs an alternating path may pass through
BEAM = 4  # open ends carried from one step of the path search to the next
SAMPLED_COST = 8  # evaluations a person drawn for `interests_first` takes, at least (14 at 100,000)


class LocalSearch:
    """Improves `groups` in place; `run` spends at most a given number of move evaluations."""

    def __init__(
        self, roster: Roster, weights: Weights, groups: list[list[int]], order: list[int], rng: random.Random
    ) -> None:
        self.roster = roster
        self.pair = weights.pair
        self.groups = groups
        self.order = order
        self.rng = rng
        n = roster.size
        self.group_of = [-1] * n
        for g, members in enumerate(groups):
            for a in members:
                self.group_of[a] = g
        self.position = [0] * n
        for p, i in enumerate(order):
            self.position[i] = p
        self.holders: list[list[int]] = [[] for _ in roster.interest_names]  # positions, west to east
        for p, i in enumerate(order):
            for t in roster.interest_ids[i]:
                self.holders[t].append(p)
        self.interests_of = roster.interest_ids
        self.short: list[int] = []  # positions of people whose group falls short, west to east
        self.evaluations = 0
        self.held: dict[int, int] = {}  # pair group -> its weight, for the pairs weighed so far

    # -- moves -----------------------------------------------------------------------------

    def swap_gain(self, a: int, b: int) -> int:
        pair = self.pair
        gain = 0
        for x in self.groups[self.group_of[a]]:
            if x != a:
                gain += pair(b, x) - pair(a, x)
        for y in self.groups[self.group_of[b]]:
            if y != b:
                gain += pair(a, y) - pair(b, y)
        self.evaluations += 1
        return gain

    def swap(self, a: int, b: int) -> None:
        ga, gb = self.group_of[a], self.group_of[b]
        self.held.pop(ga, None)
        self.held.pop(gb, None)
        self.groups[ga][self.groups[ga].index(a)] = b
        self.groups[gb][self.groups[gb].index(b)] = a
        self.group_of[a], self.group_of[b] = gb, ga

    def partner(self, a: int) -> int:
        """a's partner if a is in a pair, else -1."""
        members = self.groups[self.group_of[a]]
        if len(members) != 2:
            return -1
        return members[1] if members[0] == a else members[0]

    def best_chain(self, a: int) -> tuple[int, list[int]]:
        """The best alternating path found from a, as (gain, [c, d, ...]).

        a leaves its partner x for c, c's partner takes d, d's partner takes e, ..., and the
        last one left takes x. Paths grow breadth first, each person on at most one of them,
        and only while the pairs made so far weigh at least as much as the pairs broken (so a
        path may run through equally good pairs, as interest-sharing pairs often are); the
        BEAM most promising open ends go on to the next step, and the first step that closes
        with a gain ends the search, so the shortest improvement wins.
        """
        x = self.partner(a)
        if x < 0:
            return 0, []
        pair, groups, group_of, held = self.pair, self.groups, self.group_of, self.held
        base = self.held_weight(group_of[a])
        best_gain, best_path = 0, []
        frontier: list[tuple[int, int, list[int]]] = [(0, a, [])]  # (gain so far, open end, path)
        used = {a, x}
        for _ in range(CHAIN_DEPTH):
            grown: list[tuple[int, int, list[int]]] = []
            for made, open_end, path in frontier:
                for c in self.candidates(open_end):
                    members = groups[group_of[c]]
                    if len(members) != 2 or c in used:
                        continue
                    c2 = members[1] if members[0] == c else members[0]
                    if c2 in used:
                        continue
                    self.evaluations += 1
                    was = held.get(group_of[c])  # held_weight, written out
                    if was is None:
                        was = held[group_of[c]] = pair(c, c2)
                    gained = made + pair(open_end, c) - was
                    if gained < 0:
                        continue
                    used.add(c)
                    used.add(c2)
                    total = gained + pair(c2, x) - base
                    if total > best_gain:
                        best_gain, best_path = total, [*path, c]
                    grown.append((gained, c2, [*path, c]))
            if best_gain > 0 or not grown:
                break
            grown.sort(key=lambda entry: -entry[0])
            frontier = grown[:BEAM]
        return best_gain, best_path

    def held_weight(self, g: int) -> int:
        """The weight of pair group g as it stands (remembered until a move changes it)."""
        weight = self.held.get(g)
        if weight is None:
            a, b = self.groups[g]
            weight = self.held[g] = self.pair(a, b)
        return weight

    def apply_chain(self, a: int, path: list[int]) -> None:
        x = self.partner(a)
        open_end, slot = a, self.group_of[a]
        for c in path:
            c2, gc = self.partner(c), self.group_of[c]
            self.held.pop(slot, None)
            self.groups[slot][:] = [open_end, c]
            self.group_of[open_end] = self.group_of[c] = slot
            open_end, slot = c2, gc
        self.held.pop(slot, None)
        self.groups[slot][:] = [open_end, x]
        self.group_of[open_end] = self.group_of[x] = slot

    # -- where to look -----------------------------------------------------------------------

    def candidates(self, a: int) -> list[int]:
        """People a might do better with: nearby, sharing an interest, or stuck somewhere worse.

        (Written out with the random draws in a fixed order: this runs for every step of every
        path the search weighs.)"""
        order, random, group_of = self.order, self.rng.random, self.group_of
        p, last = self.position[a], len(order) - 1
        found = [
            order[min(max(p + int(random() * (2 * NEARBY + 1)) - NEARBY, 0), last)] for _ in range(TRIES)
        ]
        mine = self.interests_of[a]
        if mine:
            for _ in range(TRIES - 1):
                places = self.holders[mine[int(random() * len(mine))]]
                at = bisect_left(places, p) + int(random() * 9) - 4  # one of the 9 holders nearest
                found.append(order[places[min(max(at, 0), len(places) - 1)]])
        short = self.short
        if short:
            for _ in range(TRIES - 1):
                at = bisect_left(short, p) + int(random() * 7) - 3  # one of the 7 short nearest
                found.append(order[short[min(max(at, 0), len(short) - 1)]])
        ga = group_of[a]
        return [c for c in dict.fromkeys(found) if group_of[c] != ga and group_of[c] >= 0]

    def best_swap(self, a: int) -> tuple[int, int]:
        """The best swap partner for a among sampled candidates, and its gain."""
        ga = self.group_of[a]
        best, best_gain = -1, 0
        seen: list[int] = []
        for x in self.groups[ga]:
            if x != a:
                seen.extend(self.candidates(x))  # could replace a next to x
        for c in self.candidates(a):
            seen.extend(self.groups[self.group_of[c]])  # a could join c's group
        for b in seen:
            if self.group_of[b] == ga:
                continue
            gain = self.swap_gain(a, b)
            if gain > best_gain:
                best, best_gain = b, gain
        return best, best_gain

    # -- driver --------------------------------------------------------------------------------

    def worklist(self, cross: bool, with_interests: bool) -> tuple[list[int], list[int]]:
        """Who to try to move: people whose group falls short (worst first), then, when asked,
        people who share no interest with anyone in their group."""
        roster = self.roster
        interests, n, division, offset = roster.interests, roster.size, roster.division, roster.offset_key
        maybe, mask, window = roster.penalty.maybe, roster.penalty.mask, HOURS_WINDOW_MINUTES
        short_by = self._shortfall(cross)
        short: list[tuple[int, int]] = []
        bored: list[int] = []
        for members in self.groups:
            if len(members) == 2:
                a, b = members
                key = a * n + b if a < b else b * n + a
                # `short_by`'s first test, written out: nearly every pair passes it
                if (
                    -window <= offset[a] - offset[b] <= window
                    and (not cross or division[a] != division[b])
                    and not maybe[key >> 3 & mask] >> (key & 7) & 1
                ):
                    gap = 0
                else:
                    gap = short_by(a, b)
                if gap > 0:
                    short.append((-gap, a))
                    short.append((-gap, b))
                elif with_interests and not interests[a] & interests[b]:
                    bored.extend(x for x in members if interests[x])
                continue
            for a in members:
                gap = sum(short_by(a, x) for x in members if x != a)
                if gap > 0:
                    short.append((-gap, a))
                elif (
                    with_interests
                    and interests[a]
                    and not any(interests[a] & interests[x] for x in members if x != a)
                ):
                    bored.append(a)
        short.sort()
        self.rng.shuffle(bored)
        return [a for _, a in short], bored

    def _shortfall(self, cross: bool) -> Callable[[int, int], int]:
        """`short_by(a, b)`: how far the pair falls short of crossing (when `cross`, as the
        weights were made) with overlapping hours, 0 if it does not.

        Every tier below hours adds to a weight and none takes away, so a pair that never
        met, crosses and overlaps is never short: that is told from three list lookups, and
        only the rest (a few percent after the sweep) is weighed."""
        roster, pair = self.roster, self.pair
        n, division, offset, window = roster.size, roster.division, roster.offset_key, HOURS_WINDOW_MINUTES
        maybe, mask = roster.penalty.maybe, roster.penalty.mask
        ideal = (CROSS if cross else 0) + HOURS

        def short_by(a: int, b: int) -> int:
            key = a * n + b if a < b else b * n + a
            if (
                -window <= offset[a] - offset[b] <= window
                and (not cross or division[a] != division[b])
                and not maybe[key >> 3 & mask] >> (key & 7) & 1
            ):
                return 0
            return max(0, ideal - pair(a, b))

        return short_by

    def run(self, budget: int, *, cross: bool, passes: int = 8, interests_first: bool = False) -> None:
        """Moves people while the weights say it is better, in passes, until `budget` move
        evaluations are spent or a pass moves nobody.

        Each pass tries the people whose group falls short first, worst first; from the
        second pass on, then those who share no interest with their group. With
        `interests_first` the first pass instead tries the people of bigger groups that fall
        short (the odd one out's trio, seated after the repairs), then people drawn at random
        from pairs that share no interest, with no look at every pair first: for pairs on big
        rosters, where the repairs have done what the shortfalls allow for pairs and the budget
        reaches few people (see engine.py)."""
        if len(self.groups) < 2:
            return
        settled: set[int] = set()  # tried and found nothing; tried again once their group changes
        for pass_ in range(passes):
            if pass_ == 0 and interests_first:
                short = self.short_in_bigger(cross)
                bored = self.sample_bored(budget // SAMPLED_COST)
            else:
                short, bored = self.worklist(cross, with_interests=pass_ > 0)
            self.short = sorted(self.position[a] for a in short)
            moved = 0
            for a in short + bored:
                if self.evaluations >= budget:
                    return
                if a not in settled:
                    moved += self._move(a, settled)
            if moved == 0 and pass_ > 0:
                return

    def short_in_bigger(self, cross: bool) -> list[int]:
        """People in groups of three or more who fall short, worst first. The repairs mend
        pairs only: the odd one out is seated after them, and their trio may hold a repeat
        or a pair inside one division that only the search mends (a handful of groups)."""
        short_by = self._shortfall(cross)
        short: list[tuple[int, int]] = []
        for members in self.groups:
            if len(members) != 2:
                for a in members:
                    gap = sum(short_by(a, x) for x in members if x != a)
                    if gap > 0:
                        short.append((-gap, a))
        short.sort()
        return [a for _, a in short]

    def sample_bored(self, count: int) -> list[int]:
        """`count` people (with interests; fewer if there are not so many) from pairs drawn at
        random that share none."""
        groups, interests = self.groups, self.roster.interests
        out: list[int] = []
        # A third of pairs or so share no interest after the sweep: four draws a person is plenty.
        for g in self.rng.sample(range(len(groups)), min(len(groups), 4 * count)):
            members = groups[g]
            if len(members) == 2 and not interests[members[0]] & interests[members[1]]:
                out.extend(x for x in members if interests[x])
                if len(out) >= count:
                    break
        return out

    def _move(self, a: int, settled: set[int]) -> bool:
        """Makes a's best move found, if any gains; False (and a settled) if none does."""
        before = [x for x in self.groups[self.group_of[a]]]
        if len(before) == 2:
            # For pairs a chain covers every swap (a swap is the one-step chain).
            gain, path = self.best_chain(a)
            if gain > 0:
                touched = [a, *before, *path, *(self.partner(c) for c in path)]
                self.apply_chain(a, path)
                settled.difference_update(touched)
                return True
        else:
            b, gain = self.best_swap(a)
            if gain > 0:
                touched = [*before, *self.groups[self.group_of[b]]]
                self.swap(a, b)
                settled.difference_update(touched)
                return True
        settled.add(a)
        return False
