"""The local search's interests-first pass (pairs on big rosters): it trades nothing the rules
rank higher for shared interests, and finds some."""

from __future__ import annotations

import random

from bot.domain.pairing import Member, PairingRequest
from bot.domain.pairing.improve import BEAM, CHAIN_DEPTH, LocalSearch
from bot.domain.pairing.roster import Roster, index_request
from bot.domain.pairing.weights import Weights
from tests.unit.pairing.builders import past_round, roster


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


def test_interests_first_still_mends_a_trio_with_a_repeat_first() -> None:
    # The odd one out is seated after the repairs, into a pair: their trio may hold a repeat
    # that only the search mends. Nobody shares an interest and every pair weighs the same, so
    # the interests-first draws find nothing, and weigh long paths of equal pairs doing so.
    members = [Member(f"U{i:02d}", "A", 0, frozenset({f"t{i}"})) for i in range(41)]
    met = past_round(0, [["U00", "U01"]], True)
    people = index_request(PairingRequest(members, history=[met]))
    weights = Weights(people, cross_division=True)
    order = list(range(people.size))
    groups = [[0, 1, 2]] + [[i, i + 1] for i in range(3, 41, 2)]
    assert people.key(0, 1) in people.penalty

    LocalSearch(people, weights, groups, order, random.Random(1)).run(300, cross=True, interests_first=True)

    assert sorted(x for g in groups for x in g) == order
    trio = next(g for g in groups if len(g) == 3)
    assert not any(people.key(a, b) in people.penalty for a in trio for b in trio if a < b)
