"""Groups of three and four repeat a pair only when no grouping of the same sizes avoids it.

Scenarios like a peer project's stress tests: up to 13 people, groups of 3 or 4, a few earlier
rounds as history. Brute force (tests/unit/pairing/oracle.py) gives the fewest repeats any
grouping into the planned sizes can have; the engine must have exactly that many.
"""

from __future__ import annotations

import random
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import Member, PairingRequest, PastRound, make_groups
from bot.domain.pairing.sizes import group_sizes
from tests.unit.pairing import oracle
from tests.unit.pairing.builders import past_round, result_pairs, roster


def _history(ids: list[str], k: int, rounds: int, rng: random.Random) -> list[PastRound]:
    """Earlier rounds in groups of about k; no pair meets twice, so fewest repeats = least cost."""
    met: set[frozenset[str]] = set()
    history: list[PastRound] = []
    for week in range(rounds):
        people = ids[:]
        rng.shuffle(people)
        groups = []
        for start in range(0, len(people), k):
            group = people[start : start + k]
            pairs = {frozenset(p) for p in combinations(group, 2)}
            if len(group) > 1 and not pairs & met:
                groups.append(group)
                met |= pairs
        history.append(past_round(week, groups))
    return history


@st.composite
def small_rounds(draw: st.DrawFn) -> PairingRequest:
    n = draw(st.integers(min_value=2, max_value=13))
    k = draw(st.sampled_from((3, 4, 3, 4, 2)))
    rng = random.Random(draw(st.integers(0, 2**31)))
    divisions = draw(st.lists(st.sampled_from("AAAABBCD"), min_size=n, max_size=n))
    members = [Member(f"m{i:02d}", d, rng.choice([0, 60, 420])) for i, d in enumerate(divisions)]
    history = _history([m.id for m in members], rng.choice((k, 3, 4)), draw(st.integers(0, 6)), rng)
    return PairingRequest(members, history=history, group_size=k, seed=draw(st.integers(0, 99)))


def _repeats(request: PairingRequest, pairs: list[frozenset[str]]) -> int:
    met = {frozenset(p) for r in request.history for g in r.groups for p in combinations(g.members, 2)}
    return sum(p in met for p in pairs)


@settings(max_examples=150, deadline=None)
@given(small_rounds())
def test_up_to_13_people_the_engine_repeats_no_more_pairs_than_brute_force(
    request: PairingRequest,
) -> None:
    result = make_groups(request)
    fewest = oracle.fewest_repeats(request, group_sizes(len(request.members), request.group_size))
    assert fewest is not None
    assert sorted(len(g.members) for g in result.groups) == sorted(
        group_sizes(len(request.members), request.group_size)
    )
    assert _repeats(request, result_pairs(result)) == fewest == result.metrics.repeats


def test_the_peer_stress_scenario_13_people_in_threes_after_three_rounds() -> None:
    """13 people, three earlier rounds of trios: a grouping without any repeat exists."""
    members = [Member(f"p{i:02d}", "ABCD"[i % 4], 0) for i in range(13)]
    ids = [m.id for m in members]
    history = _history(ids, 3, 3, random.Random(5))
    for k in (3, 4):
        request = PairingRequest(members, history=history, group_size=k)
        fewest = oracle.fewest_repeats(request, group_sizes(13, k))
        assert make_groups(request).metrics.repeats == fewest


@settings(max_examples=25, deadline=None)
@given(st.integers(14, 40), st.sampled_from((3, 4)), st.integers(0, 2**31))
def test_beyond_13_no_swap_between_two_groups_would_remove_a_repeat(n: int, k: int, seed: int) -> None:
    rng = random.Random(seed)
    members = roster(n, divisions=4, seed=seed)
    history = _history([m.id for m in members], k, rng.randint(4, 12), rng)
    request = PairingRequest(members, history=history, group_size=k, seed=seed)
    met = {frozenset(p) for r in history for g in r.groups for p in combinations(g.members, 2)}
    groups = [list(g.members) for g in make_groups(request).groups]

    def repeats(group: list[str]) -> int:
        return sum(frozenset(p) in met for p in combinations(group, 2))

    for g, h in combinations(range(len(groups)), 2):
        before = repeats(groups[g]) + repeats(groups[h])
        if not before:
            continue
        for a in groups[g]:
            for b in groups[h]:
                after = repeats([b if x == a else x for x in groups[g]]) + repeats(
                    [a if y == b else y for y in groups[h]]
                )
                assert after >= before, f"swapping {a} and {b} removes a repeat"
