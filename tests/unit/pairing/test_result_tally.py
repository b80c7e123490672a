"""What the result says about its groups (reasons, shared interests, metrics) is what the groups
are: recounted here from the members, pair by pair, with the engine's own pair weights."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from bot.domain.pairing import (
    CrossDivisionMode,
    Member,
    PairingRequest,
    PairingResult,
    ProposedGroup,
    Reason,
    make_groups,
)
from bot.domain.pairing.roster import index_request
from bot.domain.pairing.weights import HOURS_WINDOW_MINUTES, Weights
from tests.unit.pairing.builders import INTERESTS, ZONES, past_round


def _request(n: int, size: int, mode: CrossDivisionMode, seed: int) -> PairingRequest:
    """Unknown zones and divisions, history that met, did not meet or did not say, and blocks."""
    rng = random.Random(seed)
    members = [
        Member(
            f"U{i:04d}",
            rng.choice([None, "Sales", "Ops", "Eng", "Legal"]),
            rng.choice([None, *ZONES]),
            frozenset(rng.sample(INTERESTS, rng.randint(0, 3))),
        )
        for i in range(n)
    ]
    ids = [m.id for m in members]
    history = []
    for week in range(3):
        rng.shuffle(ids)
        step = rng.choice([2, 3])
        groups = [ids[i : i + step] for i in range(0, n - 1, step)]
        history.append(past_round(week, [g for g in groups if len(g) > 1], rng.choice([None, True, False])))
    blocked = [(rng.choice(ids), rng.choice(ids)) for _ in range(n // 6)]
    return PairingRequest(members, history, blocked, size, mode, seed)


def _recount(request: PairingRequest, result: PairingResult) -> None:
    roster = index_request(request)
    weights = Weights(roster, cross_division=request.cross_division is not CrossDivisionMode.OFF)
    at = {m.id: i for i, m in enumerate(roster.members)}
    cross = hours = shared = repeats = weak = objective = 0
    relaxed = []
    for group in result.groups:
        people = [at[u] for u in group.members]
        pairs = [(a, b) for a, b in combinations(people, 2)]
        keys = [roster.key(a, b) for a, b in pairs]
        grouped_before = [k for k in keys if roster.grouped_before(k)]
        met_before = [k for k in grouped_before if k not in roster.never_met]
        spans = [roster.division[a] != roster.division[b] for a, b in pairs]
        overlap = [abs(roster.offset_key[a] - roster.offset_key[b]) <= HOURS_WINDOW_MINUTES for a, b in pairs]
        common = set.intersection(*(set(m.interests) for m in _members(request, group)))
        objective += sum(weights.pair(a, b) for a, b in pairs)
        cross += sum(spans)
        hours += sum(overlap)
        shared += sum(bool(roster.interests[a] & roster.interests[b]) for a, b in pairs)
        repeats += len(grouped_before)
        weak += len(grouped_before) - len(met_before)
        if grouped_before:
            relaxed.append(group.members)
        known = all(m.utc_offset_minutes is not None for m in _members(request, group))
        expected = {
            Reason.CROSS_DIVISION: any(spans) and request.cross_division is not CrossDivisionMode.OFF,
            Reason.FIRST_MEETING: not met_before,
            Reason.HOURS_OVERLAP: all(overlap) and known,
            Reason.SHARED_INTEREST: bool(common),
        }
        assert group.reasons == {r for r, on in expected.items() if on}
        assert group.shared_interests == tuple(sorted(common))
    metrics = result.metrics
    assert (metrics.cross_division_pairs, metrics.hours_overlap_pairs, metrics.shared_interest_pairs) == (
        cross,
        hours,
        shared,
    )
    assert (metrics.repeats, metrics.weak_repeats, metrics.objective) == (repeats, weak, objective)
    assert [r.members for r in result.relaxed] == relaxed


def _members(request: PairingRequest, group: ProposedGroup) -> list[Member]:
    by_id = {m.id: m for m in request.members}
    return [by_id[u] for u in group.members]


@pytest.mark.parametrize("mode", list(CrossDivisionMode))
@pytest.mark.parametrize("size", [2, 3, 4])
@pytest.mark.parametrize("n", [9, 41, 160])
def test_reasons_and_metrics_are_what_the_groups_are(n: int, size: int, mode: CrossDivisionMode) -> None:
    request = _request(n, size, mode, seed=n * 10 + size)
    result = make_groups(request)
    assert result.groups
    _recount(request, result)
