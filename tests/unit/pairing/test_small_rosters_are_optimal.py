"""Brute force over every grouping of up to ten people: nobody does better by the rules in order."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import Member, PairingRequest, PastRound, make_groups
from bot.domain.pairing.sizes import group_sizes
from tests.unit.pairing import oracle
from tests.unit.pairing.builders import past_round, result_pairs


@st.composite
def tiny_requests(draw: st.DrawFn) -> PairingRequest:
    n = draw(st.integers(min_value=2, max_value=10))
    rng = random.Random(draw(st.integers(0, 2**31)))
    divisions = draw(st.lists(st.sampled_from("AAAABBCD"), min_size=n, max_size=n))
    members = [Member(f"m{i}", d, rng.choice([0, 60, 420])) for i, d in enumerate(divisions)]
    ids = [m.id for m in members]
    history: list[PastRound] = []
    for week in range(draw(st.integers(0, 3))):
        rng.shuffle(ids)
        history.append(
            past_round(week, [ids[i : i + 2] for i in range(0, n - 1, 2)], rng.choice([None, False]))
        )
    blocked = [(a, b) for a, b in (rng.sample(ids, 2) for _ in range(draw(st.integers(0, 2))))]
    return PairingRequest(members, history=history, blocked=blocked, group_size=draw(st.integers(2, 4)))


@settings(max_examples=120, deadline=None)
@given(tiny_requests())
def test_the_engine_matches_brute_force_on_repeats_then_crossings(request: PairingRequest) -> None:
    result = make_groups(request)
    best = oracle.best(request, group_sizes(len(request.members), request.group_size))
    if best is None:  # blocks rule out the planned sizes: someone had to be left out
        assert result.unpaired
        return
    assert not result.unpaired
    cost = oracle.repeat_cost(request)
    division = {m.id: m.division for m in request.members}
    pairs = result_pairs(result)
    assert sum(cost.get(p, 0) for p in pairs) == best[0]
    assert sum(len({division[x] for x in p}) == 2 for p in pairs) == best[1]
    assert result.metrics.cross_division_pairs == best[1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("AAAAABBBCCD"), min_size=2, max_size=10), st.integers(2, 4))
def test_without_history_the_cross_division_count_is_the_brute_force_maximum(
    divisions: list[str], k: int
) -> None:
    members = [Member(f"m{i}", d) for i, d in enumerate(divisions)]
    request = PairingRequest(members, group_size=k)
    best = oracle.best(request, group_sizes(len(members), k))
    assert best is not None
    result = make_groups(request)
    assert result.metrics.cross_division_pairs == best[1] == result.metrics.ceiling
