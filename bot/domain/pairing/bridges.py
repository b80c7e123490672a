"""Division-pair coverage: bring together divisions that have never met, without paying for it
in repeats or crossing pairs.

The weights push every person towards a partner from another division, but say nothing about
*which* divisions meet: with a big division, everyone else pairs with it and the small
divisions could go on never meeting each other. So, after the search, for each pair of
divisions that has not met in the history given nor in this round, the engine tries to make
one group hold both: someone from one takes the seat of a group mate of someone from the
other (a swap), and if that leaves a group without a crossing it had, the displaced person
moves once more, into a group with room for their division (a rotation through three
groups). A move is made only when repeats do not rise, crossing pairs do not fall, and more
division pairs have met than before; the soft tiers (hours, interests) may pay for it. So
coverage ranks below crossing and repeats and above the soft tiers.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

from bot.domain.pairing.roster import Roster

TRIES = 3  # members of each division tried per uncovered pair of divisions
ROTATE = 30  # groups weighed for the second move of a rotation
BUDGET = 8  # groups looked at per person, at most 20,000: cheap when little can be done


class _Round:
    def __init__(self, roster: Roster, groups: list[list[int]], met: list[int]) -> None:
        self.roster, self.groups, self.met = roster, groups, met
        self.d = len(roster.division_names)
        self.group_of = [-1] * roster.size
        self.budget = min(20_000, BUDGET * roster.size)
        self.count: dict[int, int] = {}  # division pair key -> pairs across it in this round
        for g, members in enumerate(groups):
            for a in members:
                self.group_of[a] = g
            for key in self._keys(members):
                self.count[key] = self.count.get(key, 0) + 1

    def _keys(self, members: list[int]) -> list[int]:
        division, d = self.roster.division, self.d
        keys = []
        for a, b in combinations(members, 2):
            da, db = division[a], division[b]
            if da != db:
                keys.append(da * d + db if da < db else db * d + da)
        return keys

    def _standing(self, members: list[int]) -> tuple[int, int]:
        """(repeat cost, crossing pairs) inside one group."""
        n, get, division = self.roster.size, self.roster.penalty.get, self.roster.division
        cost = cross = 0
        for a, b in combinations(members, 2):
            cost += get(a * n + b if a < b else b * n + a, 0)
            cross += division[a] != division[b]
        return cost, cross

    def covered(self, key: int) -> bool:
        a, b = divmod(key, self.d)
        return bool(self.met[a] >> b & 1) or self.count.get(key, 0) > 0

    def try_move(self, changed: dict[int, list[int]]) -> bool:
        """Make the move (group -> its new members) if it is better by the rules in order."""
        cost = cross = 0
        delta: dict[int, int] = {}
        for g, after in changed.items():
            before = self.groups[g]
            c0, x0 = self._standing(before)
            c1, x1 = self._standing(after)
            cost += c1 - c0
            cross += x1 - x0
            for key in self._keys(before):
                delta[key] = delta.get(key, 0) - 1
            for key in self._keys(after):
                delta[key] = delta.get(key, 0) + 1
        if cost > 0 or (cost == 0 and cross < 0):
            return False
        d, met, count = self.d, self.met, self.count
        gained = 0
        for key, change in delta.items():
            a, b = divmod(key, d)
            if met[a] >> b & 1 or not change:
                continue
            old = count.get(key, 0)
            gained += (old + change > 0) - (old > 0)
        if (cost, -cross, -gained) >= (0, 0, 0):
            return False
        for key, change in delta.items():
            if change:
                self.count[key] = self.count.get(key, 0) + change
        for g, after in changed.items():
            self.groups[g][:] = after
            for a in after:
                self.group_of[a] = g
        return True


def build_bridges(roster: Roster, groups: list[list[int]], rng: random.Random) -> None:
    division, d = roster.division, len(roster.division_names)
    if d < 3 or len(groups) < 2:
        return
    placed = sum(map(len, groups))
    if placed == 2 * len(groups) and 2 * max(Counter(division).values()) >= placed:
        return  # every pair must hold one of the biggest division's members to reach the ceiling
    met = [0] * d  # division -> bit set of divisions its members met within the history
    for i, seen in enumerate(roster.seen_divisions):
        met[division[i]] |= seen
    state = _Round(roster, groups, met)
    members_of: list[list[int]] = [[] for _ in range(d)]  # those placed: only they can move
    for i, g in enumerate(state.group_of):
        if g >= 0:
            members_of[division[i]].append(i)
    never = [
        a * d + b
        for a in range(d)
        for b in range(a + 1, d)
        if members_of[a] and members_of[b] and not met[a] >> b & 1
    ]
    if not never:
        return
    for key in never:
        if state.budget <= 0:
            return
        if state.covered(key):
            continue
        a, b = divmod(key, d)
        _bridge(state, rng.sample(members_of[a], min(TRIES, len(members_of[a]))), members_of[b], rng)


def _bridge(state: _Round, xs: list[int], others: list[int], rng: random.Random) -> None:
    ys = rng.sample(others, min(TRIES, len(others)))
    groups, group_of, division = state.groups, state.group_of, state.roster.division
    for x, y in [(x, y) for x in xs for y in ys] + [(y, x) for x in xs for y in ys]:
        if state.budget <= 0:
            return
        gx, gy = group_of[x], group_of[y]
        if gx == gy:
            return
        for z in list(groups[gx]):
            if z == x:
                continue
            # y takes z's seat next to x; z takes y's seat ...
            with_y = [y if m == z else m for m in groups[gx]]
            with_z = [z if m == y else m for m in groups[gy]]
            state.budget -= 1
            if state.try_move({gx: with_y, gy: with_z}):
                return
            # ... or z moves on once more, into a group without z's division, whose member c
            # takes y's old seat.
            dz = division[z]
            tried = 0
            for gc in rng.sample(range(len(groups)), min(len(groups), 4 * ROTATE)):
                state.budget -= 1
                if gc in (gx, gy) or any(division[m] == dz for m in groups[gc]):
                    continue
                tried += 1
                if tried > ROTATE:
                    break
                for c in groups[gc]:
                    state.budget -= 1
                    moved = {
                        gx: with_y,
                        gy: [c if m == y else m for m in groups[gy]],
                        gc: [z if m == c else m for m in groups[gc]],
                    }
                    if state.try_move(moved):
                        return
