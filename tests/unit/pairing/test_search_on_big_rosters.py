"""The local search's interests-first pass (pairs on big rosters): it trades nothing the rules
rank higher for shared interests, and finds some."""

from __future__ import annotations

import random

from bot.domain.pairing import PairingRequest
from bot.domain.pairing.improve import BEAM, CHAIN_DEPTH, LocalSearch
from bot.domain.pairing.roster import Roster, index_request
from bot.domain.pairing.weights import Weights
from tests.unit.pairing.builders import roster


def _standing(people: Roster, weights: Weights, groups: list[list[int]]) -> tuple[int, int, int]:
    """(total weight, crossing pairs, pairs sharing an interest)."""
    division, interests = people.division, people.interests
    return (
        sum(weights.pair(a, b) for a, b in groups),
        sum(division[a] != division[b] for a, b in groups),
        sum(bool(interests[a] & interests[b]) for a, b in groups),
    )


def test_interests_first_finds_shared_interests_and_loses_no_crossing() -> None:
    people = index_request(PairingRequest(roster(2_000, seed=5)))
    weights = Weights(people, cross_division=True)
    order = sorted(range(people.size), key=people.offset_key.__getitem__)
    groups = [order[i : i + 2] for i in range(0, people.size, 2)]  # along the time-zone line
    before = _standing(people, weights, groups)

    search = LocalSearch(people, weights, groups, order, random.Random(3))
    search.run(4_000, cross=True, interests_first=True)

    after = _standing(people, weights, groups)
    assert sorted(x for g in groups for x in g) == list(range(people.size))
    assert after[0] > before[0]  # some move was found, and none lowered the total
    assert after[1] >= before[1]
    assert after[2] > before[2]
    assert (
        search.evaluations < 4_000 + CHAIN_DEPTH * BEAM * 7
    )  # the budget holds: the last person tried finishes
