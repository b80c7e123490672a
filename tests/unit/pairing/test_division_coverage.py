"""Every pair of divisions meets over a season, not only every division with the biggest one.

With one big division, reaching the cross-division ceiling pairs most people with it, and two
small divisions could go on never meeting. The engine brings together division pairs that have
not met yet whenever that costs neither a repeat nor a crossing pair.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest

from bot.domain.pairing import PairingRequest, PastRound, make_groups
from tests.unit.pairing.builders import roster, round_from


@pytest.mark.parametrize(("n", "divisions", "k"), [(200, 8, 2), (240, 12, 2), (150, 8, 3), (160, 8, 4)])
def test_over_twelve_rounds_every_pair_of_divisions_meets_at_no_cost(n: int, divisions: int, k: int) -> None:
    members = roster(n, divisions=divisions, seed=3, skew=1.3)
    division = {m.id: m.division for m in members}
    largest = max(Counter(division.values()).values())
    assert 2 * largest < n  # else reaching the ceiling leaves small divisions no room to meet
    history: list[PastRound] = []
    met: set[frozenset[str | None]] = set()
    for week in range(12):
        result = make_groups(PairingRequest(members, history=history, group_size=k, seed=week))
        assert result.metrics.repeats == 0
        if k == 2:  # groups of 3-4 with a history may fall a pair short (bench/PAIRING.md)
            assert result.metrics.cross_division_pairs == result.metrics.ceiling
        for g in result.groups:
            met |= {frozenset((division[a], division[b])) for a, b in combinations(g.members, 2)}
        history.append(round_from(result, week))
    crossing = {p for p in met if len(p) == 2}
    assert len(crossing) == divisions * (divisions - 1) // 2
