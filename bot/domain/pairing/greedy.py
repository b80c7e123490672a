"""Greedy pairs along the time-zone line: the plain sweep (sweep.py), or for big rosters the
targeted one (targeted.py), which builds on it."""

from __future__ import annotations

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.sweep import Sweep
from bot.domain.pairing.targeted import TargetedSweep
from bot.domain.pairing.weights import Weights

# Members from which the sweep looks for interest holders by division (targeted.py). Below it
# the plain sweep keeps more pairs' hours together (on generated rosters of 2,000-10,000 the
# targeted one had up to 1.8 % fewer pairs overlapping in hours, for 2-18 % more sharing an
# interest; hours rank higher) and takes a tenth of a second at most; from 20,000 it is as good
# on hours, better on interests, and half the time (bench/PAIRING.md).
TARGETED_FROM = 20_000


def sweep_pairs(
    roster: Roster, weights: Weights, order: list[int], *, hold_ceiling: bool
) -> tuple[list[list[int]], list[int]]:
    """Pairs, and the people left without one (the odd one out, or those blocks stranded)."""
    kind = Sweep if roster.size < TARGETED_FROM else TargetedSweep
    return kind(roster, weights, order, hold_ceiling).run()
