"""Rule 1, for any roster: everyone placed exactly once, never a blocked pair, sizes as promised.

Rosters of 0–300 people with random divisions, time zones, interests, blocks, history, and
people who paused (they appear in history and blocks but are not in the request).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from itertools import combinations

import networkx as nx  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import (
    CrossDivisionMode,
    PairingRequest,
    PairingResult,
    PastRound,
    UnpairedReason,
    make_groups,
)
from bot.domain.pairing.sizes import group_sizes
from tests.unit.pairing.builders import past_round, placed, roster


@dataclass(frozen=True)
class Scenario:
    request: PairingRequest
    paused: tuple[str, ...]


@st.composite
def scenarios(draw: st.DrawFn, max_size: int = 300, min_size: int = 0) -> Scenario:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    seed = draw(st.integers(min_value=0, max_value=2**31))
    rng = random.Random(seed)
    everyone = roster(n + draw(st.integers(0, 5)), divisions=draw(st.integers(1, 10)), seed=seed)
    paused = everyone[n:]
    everyone_ids = [m.id for m in everyone]
    history: list[PastRound] = []
    for week in range(draw(st.integers(0, 6))):
        ids = everyone_ids[:]
        rng.shuffle(ids)
        k = rng.randint(2, 4)
        history.append(
            past_round(
                week, [ids[i : i + k] for i in range(0, len(ids) - 1, k)], rng.choice([None, True, False])
            )
        )
    blocks = draw(st.integers(0, 3 * max(n, 1)))
    pick = (rng.sample(everyone_ids, 2) for _ in range(blocks if len(everyone_ids) >= 2 else 0))
    blocked = [(a, b) for a, b in pick]
    if n and draw(st.booleans()):  # someone who blocked everybody
        blocked += [(everyone_ids[0], other) for other in everyone_ids[1:]]
    request = PairingRequest(
        members=everyone[:n],
        history=history,
        blocked=blocked,
        group_size=draw(st.integers(2, 4)),
        cross_division=draw(st.sampled_from(list(CrossDivisionMode))),
        seed=seed,
    )
    return Scenario(request, tuple(m.id for m in paused))


def check_rule_one(request: PairingRequest, result: PairingResult) -> None:
    ids = sorted(m.id for m in request.members)
    out = placed(result) + [u.member for u in result.unpaired]
    assert sorted(out) == ids, "everyone exactly once"
    blocked = {frozenset(p) for p in request.blocked}
    for group in result.groups:
        assert 2 <= len(group.members) <= max(3, request.group_size + 1)
        assert not any(frozenset(p) in blocked for p in combinations(group.members, 2)), "a blocked pair"
    if len(ids) < 2:
        assert all(u.reason is UnpairedReason.ALONE for u in result.unpaired)
        assert len(result.unpaired) == len(ids)
    elif request.cross_division is CrossDivisionMode.REQUIRE:
        allowed = {UnpairedReason.BLOCKED, UnpairedReason.SAME_DIVISION_ONLY}
        assert all(u.reason in allowed for u in result.unpaired)
        division = {m.id: m.division for m in request.members}
        assert all(len({division[x] for x in g.members}) > 1 for g in result.groups), "one division"
    else:
        assert all(u.reason is UnpairedReason.BLOCKED for u in result.unpaired)
    if not request.blocked and len(ids) >= 2:
        sizes = sorted((len(g.members) for g in result.groups), reverse=True)
        seated = len(ids) - len(result.unpaired)  # in `require` mode some may sit out
        assert sizes == group_sizes(seated, request.group_size)


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_everyone_is_placed_once_and_blocked_pairs_never_meet(scenario: Scenario) -> None:
    result = make_groups(scenario.request)
    check_rule_one(scenario.request, result)
    assert not set(placed(result)) & set(scenario.paused)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_size=60))
def test_pairs_leave_out_only_whom_no_matching_can_place(scenario: Scenario) -> None:
    mode = scenario.request.cross_division  # `require` may seat fewer on purpose: tested elsewhere
    mode = CrossDivisionMode.PREFER if mode is CrossDivisionMode.REQUIRE else mode
    request = replace(scenario.request, group_size=2, cross_division=mode)
    result = make_groups(request)
    check_rule_one(request, result)
    graph = nx.Graph()
    graph.add_nodes_from(m.id for m in request.members)
    blocked = {frozenset(p) for p in request.blocked}
    graph.add_edges_from(
        (a.id, b.id) for a, b in combinations(request.members, 2) if frozenset((a.id, b.id)) not in blocked
    )
    most = len(nx.max_weight_matching(graph, maxcardinality=True))
    assert len(placed(result)) >= 2 * most
    for left in result.unpaired:  # and none of them fits as a third into any pair
        for group in result.groups:
            if len(group.members) == 2:
                assert any(frozenset((left.member, x)) in blocked for x in group.members)


@settings(max_examples=40, deadline=None)
@given(scenarios(max_size=150))
def test_the_same_request_gives_the_same_groups_in_any_input_order(scenario: Scenario) -> None:
    first = make_groups(scenario.request)
    again = make_groups(scenario.request)
    members = list(scenario.request.members)
    random.Random(7).shuffle(members)
    shuffled = make_groups(
        replace(scenario.request, members=members, blocked=list(reversed(list(scenario.request.blocked))))
    )
    for other in (again, shuffled):
        assert other.groups == first.groups
        assert other.unpaired == first.unpaired
        assert other.relaxed == first.relaxed
        assert replace(other.metrics, seconds=0) == replace(first.metrics, seconds=0)


def test_another_seed_may_pair_differently() -> None:
    members = roster(60)
    outcomes = {make_groups(PairingRequest(members, seed=s)).groups for s in range(5)}
    assert len(outcomes) > 1


@settings(max_examples=12, deadline=None)
@given(scenarios(min_size=200))
def test_rule_one_holds_on_the_biggest_rosters_too(scenario: Scenario) -> None:
    check_rule_one(scenario.request, make_groups(scenario.request))
