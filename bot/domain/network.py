"""Does the network across divisions grow? Per-round reach against its ceiling, distinct
cross-division colleagues per person, participation over time: pure functions of plain facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from bot.domain.model import Outcome
from bot.domain.pairing.ceiling import cross_division_ceiling
from bot.domain.stats import GroupFact, crosses


@dataclass(frozen=True, slots=True)
class Reach:
    pairs: int
    cross_pairs: int
    ceiling: int  # the most cross-division pairs any grouping of the same people could have had


def reach(groups: Sequence[GroupFact]) -> Reach:
    """Pairs across divisions in one round, and the ceiling the engine is measured by.

    A pair crosses as the stats count it (`crosses`). For the ceiling, people without a
    division count as a division of their own each."""
    pairs = cross = 0
    labels: list[int] = []
    numbering: dict[str, int] = {}
    for group in groups:
        for a, b in combinations(group.divisions, 2):
            pairs += 1
            cross += crosses(a, b)
        for division in group.divisions:
            if division is None:
                labels.append(-len(labels) - 1)  # unique: nobody shares "no division"
            else:
                labels.append(numbering.setdefault(division, len(numbering)))
    sizes = [len(g.members) for g in groups]
    ceiling = cross_division_ceiling(labels, sizes) if labels else 0
    return Reach(pairs, cross, max(ceiling, cross))


def cross_colleagues(rounds: Iterable[Sequence[GroupFact]]) -> dict[str, set[str]]:
    """For each person key: the distinct people from another division they have met."""
    met: dict[str, set[str]] = {}
    for groups in rounds:
        for group in groups:
            if group.outcome is not Outcome.MET:
                continue
            divisions = dict(zip(group.members, group.divisions, strict=True))
            for a, b in combinations(group.members, 2):
                if crosses(divisions[a], divisions[b]):
                    met.setdefault(a, set()).add(b)
                    met.setdefault(b, set()).add(a)
    return met


def histogram(counts: Iterable[int], top: int = 5) -> tuple[int, ...]:
    """How many people have 0, 1, … top-1, and top-or-more of something."""
    tally = Counter(min(c, top) for c in counts)
    return tuple(tally.get(i, 0) for i in range(top + 1))
