"""Which pairs keep the cross-division ceiling within reach while people are being paired.

With m people still to pair and a largest division of M, at most min(⌊m/2⌋, m − M) more
pairs can cross. A greedy pass that only ever takes a pair which keeps
cross-so-far + that bound unchanged ends exactly at the ceiling. Working the conditions out
once gives a few integer comparisons per candidate (see `admissible`).
"""

from __future__ import annotations


class DivisionBalance:
    """Head counts per division of the people not yet paired."""

    __slots__ = ("count", "freq", "largest", "remaining")

    def __init__(self, division: list[int], divisions: int) -> None:
        self.count = [0] * divisions
        for d in division:
            self.count[d] += 1
        self.freq = [0] * (len(division) + 1)  # how many divisions have each head count
        for c in self.count:
            self.freq[c] += 1
        self.largest = max(self.count, default=0)
        self.remaining = len(division)

    def remove(self, d: int) -> None:
        c = self.count[d]
        self.freq[c] -= 1
        self.freq[c - 1] += 1
        self.count[d] = c - 1
        self.remaining -= 1
        while self.largest > 0 and self.freq[self.largest] == 0:
            self.largest -= 1

    def remove_pair(self, du: int, dv: int) -> None:
        """`remove` for both of a pair, in one call (the greedy pass on big rosters makes 50,000)."""
        count, freq = self.count, self.freq
        c = count[du]
        freq[c] -= 1
        freq[c - 1] += 1
        count[du] = c - 1
        c = count[dv]
        freq[c] -= 1
        freq[c - 1] += 1
        count[dv] = c - 1
        self.remaining -= 2
        big = self.largest
        while big > 0 and freq[big] == 0:
            big -= 1
        self.largest = big

    def admissible(self, du: int, dv: int) -> bool:
        """Does pairing a member of du with one of dv keep the most crossing pairs reachable?"""
        m, big = self.remaining, self.largest
        if du == dv:
            # Only the largest division may pair inside itself, and only while it holds more
            # than half: then it has more people than the others can take.
            return self.count[du] == big and big > (m + 1) // 2
        hits = (self.count[du] == big) + (self.count[dv] == big)
        return hits == self.freq[big] or 2 * big < m

    def partner_rule(self, du: int) -> tuple[int, bool]:
        """Where a member of du may find a partner: (the one division it must be, or -1 for any
        other division; whether du itself will do). The same conditions as `admissible`, solved."""
        m, big = self.remaining, self.largest
        if 2 * big < m:
            return -1, False
        only = -1
        if self.count[du] != big or self.freq[big] == 2:
            # Someone outside the largest division must take one of its members; and when two
            # divisions hold half each, each must take the other.
            count = self.count
            only = count.index(big)
            if only == du:
                only = count.index(big, du + 1)
        return only, self.count[du] == big and big > (m + 1) // 2
