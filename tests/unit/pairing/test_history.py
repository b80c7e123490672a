"""Rule 2: no repeats while any grouping avoids them; when one cannot, the oldest and the weakest."""

from __future__ import annotations

import random
from array import array
from datetime import date, timedelta
from itertools import combinations

import pytest

from bot.domain.pairing import (
    FlatGroups,
    Member,
    PairingRequest,
    PastGroup,
    PastRound,
    Reason,
    Relaxed,
    make_groups,
)
from bot.domain.pairing.repeats import BLOCKED, repeat_penalty
from bot.domain.pairing.roster import index_request
from tests.unit.pairing.builders import past_round, result_pairs, roster, round_from
from tests.unit.pairing.oracle import repeat_cost


@pytest.mark.parametrize("window", [1, 10, 24, 49])
def test_a_year_of_weekly_rounds_never_repeats_within_the_window(window: int) -> None:
    # 100 people, each round fed the last `window` rounds: whenever n >= 2K + 2 a perfect
    # matching avoiding all of them exists (Dirac), and the engine must find it.
    members = roster(100, seed=window)
    assert len(members) >= 2 * window + 2
    history: list[PastRound] = []
    for week in range(52):
        result = make_groups(PairingRequest(members, history=history[-window:], seed=week))
        recent = {
            p
            for past in history[-window:]
            for p in (frozenset(x) for g in past.groups for x in combinations(g.members, 2))
        }
        assert not recent & set(result_pairs(result)), f"week {week} repeats a pair"
        assert result.metrics.repeats == 0
        assert not result.relaxed
        history.append(round_from(result, week))


def test_half_a_year_of_rounds_of_400_has_no_repeats_and_keeps_the_ceiling() -> None:
    members = roster(400, seed=26)
    history: list[PastRound] = []
    for week in range(26):
        result = make_groups(PairingRequest(members, history=history, seed=week))
        assert result.metrics.repeats == 0
        assert result.metrics.ceiling - result.metrics.cross_division_pairs <= 1
        history.append(round_from(result, week))


def _everyone_met_everyone(people: list[str], rounds: int) -> list[PastRound]:
    """Round-robin history in which every pair met, week after week."""
    history, ring = [], people[:]
    week = 0
    while week < rounds:
        half = len(ring) // 2
        history.append(past_round(week, list(zip(ring[:half], reversed(ring[half:]), strict=True))))
        ring = [ring[0], ring[-1], *ring[1:-1]]
        week += 1
    return history


def test_when_repeats_are_unavoidable_the_pairs_that_met_longest_ago_meet_again() -> None:
    people = ["A", "B", "C", "D"]
    history = _everyone_met_everyone(people, 3)  # weeks 0, 1, 2: each pair met exactly once
    members = [Member(p, p) for p in people]
    result = make_groups(PairingRequest(members, history=history))
    oldest = {frozenset(g.members) for g in history[0].groups}
    assert set(result_pairs(result)) == oldest
    assert result.metrics.repeats == 2
    assert {r.rule for r in result.relaxed} == {Relaxed.NO_REPEAT}
    assert {frozenset(r.members) for r in result.relaxed} == oldest
    assert all(Reason.FIRST_MEETING not in g.reasons for g in result.groups)


def test_a_pair_that_did_not_meet_counts_as_a_much_weaker_repeat() -> None:
    people = ["A", "B", "C", "D"]
    history = _everyone_met_everyone(people, 3)
    # The most recent round's pairs were introduced but did not meet: they go first.
    latest = history[-1]
    history[-1] = past_round(2, [g.members for g in latest.groups], met=False)
    result = make_groups(PairingRequest([Member(p, p) for p in people], history=history))
    assert set(result_pairs(result)) == {frozenset(g.members) for g in latest.groups}
    assert result.metrics.repeats == 2
    assert result.metrics.weak_repeats == 2
    assert all(Reason.FIRST_MEETING in g.reasons for g in result.groups)  # they still never met


def test_avoiding_a_repeat_beats_crossing_divisions() -> None:
    # Two Sales and two Eng; both cross pairs met last week, the same-division pairs never did.
    members = [Member("S1", "Sales"), Member("S2", "Sales"), Member("E1", "Eng"), Member("E2", "Eng")]
    history = [past_round(0, [["S1", "E1"], ["S2", "E2"]]), past_round(1, [["S1", "E2"], ["S2", "E1"]])]
    result = make_groups(PairingRequest(members, history=history))
    assert set(result_pairs(result)) == {frozenset(("S1", "S2")), frozenset(("E1", "E2"))}
    assert result.metrics.repeats == 0


def test_history_with_people_who_left_is_ignored_for_them() -> None:
    members = roster(20)
    history = [past_round(0, [["U0000", "GONE1"], ["U0001", "GONE2"]])]
    result = make_groups(PairingRequest(members, history=history))
    assert result.metrics.repeats == 0
    assert len(result.groups) == 10


def _as_flat(past: PastRound, members: list[Member]) -> PastRound:
    """The round as positions in `members`; people not in it are left out, as the engine would."""
    position = {m.id: i for i, m in enumerate(members)}
    at, starts = array("i"), array("l", [0])
    for g in past.groups:
        at.extend(position[u] for u in g.members if u in position)
        starts.append(len(at))
    met = {i: g.met for i, g in enumerate(past.groups) if g.met is not None}
    return PastRound(past.date, FlatGroups(members, at, starts, met))


@pytest.mark.parametrize(
    "rounds",
    [
        [[("U0000", "U0001"), ("U0002", "U0003")]],  # pairs only: the quick path
        [[("U0000", "U0001"), ("U0002", "U0003", "U0004")]],  # a trio
        [[("U0000", "U0001"), ("U0002", "GONE")], [("U0000", "U0001")]],  # someone left; met twice
        [[("U0000", "U0001"), ("U0001", "U0000")]],  # a pair listed twice in one round
        [[("U0000", "U0000"), ("U0002", "U0003")]],  # a careless group of one person
    ],
)
@pytest.mark.parametrize("met", [None, False])
def test_history_reads_the_same_as_plain_groups_or_flat(
    rounds: list[list[tuple[str, ...]]], met: bool | None
) -> None:
    members = roster(12, seed=3)
    shuffled = members[::-1]  # given out of order: positions are in the caller's order, not by id
    plain = [past_round(week, groups, met) for week, groups in enumerate(rounds)]
    assert _as_flat(plain[0], members).groups[0] == plain[0].groups[0]
    requests = [
        PairingRequest(given, history=[_as_flat(past, of) for past in plain])
        for given in (members, shuffled)
        for of in (given, list(given))  # the request's own list: positions; another: by id
    ]
    for key in ("penalty", "never_met", "seen_divisions"):
        as_plain = getattr(index_request(PairingRequest(members, history=plain)), key)
        for request in requests:
            assert as_plain == getattr(index_request(request), key)
    indexed = index_request(requests[0])
    assert indexed.penalty  # the history counted
    first, second = indexed.members[0].id, indexed.members[1].id
    assert (first, second) == ("U0000", "U0001")
    times = sum(g.members in {("U0000", "U0001"), ("U0001", "U0000")} for past in plain for g in past.groups)
    costs = sorted(repeat_penalty(age, met) for age in range(1, len(rounds) + 1))
    if times == len(rounds):  # once a round: each round's cost, by its age
        assert indexed.penalty[indexed.key(0, 1)] == sum(costs)
    elif times == 2:  # twice in the one round
        assert indexed.penalty[indexed.key(0, 1)] == 2 * costs[0]
    for request in requests:
        assert make_groups(PairingRequest(members, history=plain)).groups == make_groups(request).groups


def test_a_flat_round_reads_as_its_groups_and_refuses_positions_outside_the_roster() -> None:
    members = roster(5, seed=4)
    pairs = FlatGroups(members, array("i", [0, 1, 2, 3]))  # no starts: every group a pair
    mixed = FlatGroups(members, array("i", [4, 0, 1, 2, 3]), array("l", [0, 3, 5]), {1: False})
    assert [g.members for g in pairs] == [("U0000", "U0001"), ("U0002", "U0003")]
    assert [(g.members, g.met) for g in mixed] == [
        (("U0004", "U0000", "U0001"), None),
        (("U0002", "U0003"), False),
    ]
    assert mixed[-1] == mixed[1] and mixed[0:1] == [mixed[0]] and len(mixed) == 2
    with pytest.raises(IndexError):
        mixed[2]
    with pytest.raises(ValueError, match="outside the member list"):
        FlatGroups(members, array("i", [0, 5]))


@pytest.mark.parametrize(
    ("seed", "weeks", "mixed"), [(1, 30, True), (2, 30, True), (3, 30, True), (4, 1, False)]
)
def test_every_pair_costs_what_the_published_rule_says_blocks_and_unmet_included(
    seed: int, weeks: int, mixed: bool
) -> None:
    # The indexed costs (sorted arrays behind a bit filter) against the rule summed pair by pair:
    # a pair the filter wrongly turned away, or times of one pair not added up, shows here.
    rng = random.Random(seed)
    members = roster(70, seed=seed)
    ids = [m.id for m in members]
    rounds = []
    for week in range(weeks):
        shuffled = rng.sample(ids, len(ids))
        groups, at = [], 0
        while at < len(shuffled):
            size = rng.choice((2, 2, 2, 3, 4)) if mixed else 2
            met = rng.choice((None, None, True, False)) if mixed else None
            groups.append(PastGroup(tuple(shuffled[at : at + size]), met))
            at += size
        rounds.append(PastRound(date(2026, 1, 5) + timedelta(weeks=week), groups))
    blocked = [tuple(rng.sample(ids, 2)) for _ in range(40)]
    request = PairingRequest(members, history=rounds, blocked=blocked)
    indexed = index_request(request)

    cost = repeat_cost(PairingRequest(members, history=rounds))
    said = {p for p, c in cost.items() if c}
    unmet_only = {
        p
        for p in said
        if all(g.met is False for r in rounds for g in r.groups if p <= set(g.members) and len(g.members) > 1)
    }
    blocks = {frozenset(p) for p in blocked}
    if mixed:  # bigger groups, pairs that did not meet, blocked pairs who were grouped: all here
        assert any(len(g.members) > 2 for r in rounds for g in r.groups) and unmet_only and blocks & said
    for i, j in combinations(range(len(members)), 2):
        pair, key = frozenset((indexed.members[i].id, indexed.members[j].id)), indexed.key(i, j)
        expected = -BLOCKED if pair in blocks else cost.get(pair, 0)
        assert indexed.penalty.get(key, 0) == expected
        assert (key in indexed.penalty) == (pair in blocks or pair in cost)
        assert (key in indexed.never_met) == (pair in unmet_only and pair not in blocks)
    assert len(indexed.penalty) == len(blocks | set(cost))
