"""Indexing a request: the whole-array (numpy) way big rosters take gives the very Roster the
per-pair way gives, over every shape of history a caller may hand in.

The engine's choices all follow from the Roster, so a difference here, in one cost or one bit,
would be a different grouping at 100,000 members than the small-roster tests check.
"""

from __future__ import annotations

import random
from array import array
from datetime import date, timedelta
from itertools import combinations

import pytest

from bot.domain.pairing import FlatGroups, Member, PairingRequest, PastGroup, PastRound
from bot.domain.pairing.repeats import BLOCKED
from bot.domain.pairing.roster import UNKNOWN_OFFSET_SPACING, Roster, index_request

FIELDS = (
    "members",
    "division",
    "division_names",
    "offset_key",
    "interests",
    "interest_ids",
    "interest_names",
    "blocked",
    "never_met",
    "seen_divisions",
)
INTERESTS = ("chess", "coffee", "cycling", "football", "music", "running")


def _members(rng: random.Random, n: int, divisions: int) -> list[Member]:
    people = [
        Member(
            f"U{rng.randrange(10**6):06d}",
            rng.choice([None, *(f"D{d}" for d in range(divisions))]),
            rng.choice([None, -300, 0, 330, 420]),
            frozenset(rng.sample(INTERESTS, rng.randint(0, 3))),
        )
        for _ in range(n)
    ]
    if rng.random() < 0.5:
        people.sort(key=lambda m: m.id)  # the usual order: by id already
    return people + rng.sample(people, 2)  # the same person twice


def _groups(rng: random.Random, ids: list[str], sizes: tuple[int, ...]) -> list[list[str]]:
    pool = ids[:]
    rng.shuffle(pool)
    groups = []
    while len(pool) >= 4:
        size = rng.choice(sizes)
        groups.append([pool.pop() for _ in range(size)])
    return groups


def _round(rng: random.Random, members: list[Member], week: int, kind: str) -> PastRound:
    when = date(2026, 1, 5) + timedelta(weeks=week)
    ids = [m.id for m in members]
    gone = [f"X{i}" for i in range(5)]  # no longer on the roster
    if kind == "positions":  # pairs only, as the bot's store hands them in
        at = array("i", rng.sample(range(len(members)), len(members) // 2 * 2))
        if rng.random() < 0.3:
            at.append(at[0])  # an odd one at the end, left out
        return PastRound(when, FlatGroups(members, at))
    if kind == "flat groups":  # positions, groups of 2-4, some said whether they met
        at, starts, met = array("i"), array("l", [0]), {}
        odd = [[0, 0, 1], [2], [3, 3], [4, 5, 4, 6], [], [7, 8, 9, 7]]  # someone twice, one alone
        for g, group in enumerate(_groups(rng, list(range(len(members))), (2, 2, 3, 4)) + odd):
            at.extend(group)
            starts.append(len(at))
            if rng.random() < 0.4:
                met[g] = rng.random() < 0.3
        met[len(starts) + 5] = False  # a group that is not there
        return PastRound(when, FlatGroups(members, at, starts, met))
    if kind == "id pairs":  # pairs only, by id, some with people who left
        groups = _groups(rng, ids + gone, (2,))
        return PastRound(when, tuple(PastGroup(tuple(g), rng.choice([None, True])) for g in groups))
    # By id, groups of 2-4, said or not, people who left, someone twice, a == b pairs.
    groups = _groups(rng, ids + gone, (2, 3, 4))
    groups += [[ids[0], ids[0]], [ids[1], ids[1], ids[2]], [gone[0], ids[3]]]
    return PastRound(when, [PastGroup(tuple(g), rng.choice([None, True, False])) for g in groups])


def _request(seed: int) -> PairingRequest:
    rng = random.Random(seed)
    members = _members(rng, rng.randint(8, 60), rng.choice([1, 3, 8]))
    kinds = ["positions", "flat groups", "id pairs", "mixed"]
    history = [_round(rng, members, week, rng.choice(kinds)) for week in range(rng.randint(1, 9))]
    rng.shuffle(history)  # by date, whatever order they come in
    ids = [m.id for m in members]
    blocked = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 8))]
    blocked += [(ids[0], ids[0]), (ids[1], "X9"), *blocked[:2]]  # oneself, someone gone, twice
    return PairingRequest(members, history, blocked, seed=seed)  # type: ignore[arg-type]


def _assert_same(got: Roster, want: Roster) -> None:
    for name in FIELDS:
        assert getattr(got, name) == getattr(want, name), name
    assert list(got.penalty.items()) == list(want.penalty.items())
    assert (got.penalty.mask, got.penalty.maybe) == (want.penalty.mask, want.penalty.maybe)


@pytest.mark.parametrize("seed", range(60))
def test_the_whole_array_way_gives_the_same_roster(seed: int) -> None:
    request = _request(seed)
    _assert_same(index_request(request, bulk=True), index_request(request, bulk=False))


def test_a_history_with_nothing_in_it_gives_the_same_roster() -> None:
    members = [Member(f"U{i}", "D") for i in range(6)]
    for history in (
        [PastRound(date(2026, 1, 5), ())],
        [PastRound(date(2026, 1, 5), [PastGroup(("U1", "X"))])],
    ):
        for blocked in ([], [("U1", "U2")]):
            request = PairingRequest(members, history, blocked)
            _assert_same(index_request(request, bulk=True), index_request(request, bulk=False))


def test_more_divisions_than_a_bit_set_word_still_gives_the_same_roster() -> None:
    members = [Member(f"U{i:03d}", f"D{i}") for i in range(80)]
    history = [PastRound(date(2026, 1, 5), FlatGroups(members, array("i", range(80))))]
    roster = index_request(PairingRequest(members, history), bulk=True)
    _assert_same(roster, index_request(PairingRequest(members, history), bulk=False))
    assert roster.seen_divisions[79] == 1 << roster.division[78]


def test_what_each_member_is_indexed_by_is_as_given() -> None:
    # A reference for the per-member fields, as they were worked out before they went through
    # C-level map()s, on a roster with unknown time zones, no division, shared interests.
    request = _request(7)
    roster = index_request(request)
    members = sorted({m.id: m for m in reversed(request.members)}.values(), key=lambda m: m.id)
    assert roster.members == members
    names = sorted({m.division for m in members}, key=lambda d: (d is not None, d or ""))
    assert roster.division == [names.index(m.division) for m in members]
    assert roster.offset_key == [
        m.utc_offset_minutes if m.utc_offset_minutes is not None else UNKNOWN_OFFSET_SPACING * (i + 1)
        for i, m in enumerate(members)
    ]
    tags = sorted({t for m in members for t in m.interests})
    assert roster.interest_ids == [sorted(tags.index(t) for t in m.interests) for m in members]
    assert roster.interests == [sum(1 << tags.index(t) for t in m.interests) for m in members]
    n = len(members)
    where = {m.id: i for i, m in enumerate(members)}
    assert roster.blocked == {
        min(where[a], where[b]) * n + max(where[a], where[b])
        for a, b in request.blocked
        if a in where and b in where and a != b
    }


def test_a_pair_grouped_in_several_rounds_costs_each_time() -> None:
    members = [Member(f"U{i}", "D" if i % 2 else "E") for i in range(4)]
    pairs = FlatGroups(members, array("i", [0, 1, 2, 3]))
    trio = [PastGroup(("U0", "U1", "U2"), met=False)]
    history = [
        PastRound(date(2026, 1, 5) + timedelta(weeks=w), g) for w, g in enumerate([pairs, trio, pairs])
    ]
    bulk, pure = (index_request(PairingRequest(members, history), bulk=b) for b in (True, False))
    _assert_same(bulk, pure)
    assert len(bulk.penalty) == len({frozenset(p) for p in [(0, 1), (2, 3), *combinations(range(3), 2)]})
    assert bulk.never_met == {bulk.key(0, 2), bulk.key(1, 2)}


def test_a_history_of_more_than_127_rounds_gives_the_same_roster() -> None:
    # Each time's cost slot (2 per round, and one for a block) once sat in a byte: from 128
    # rounds on, old times took a recent time's cost and blocks a repeat's.
    members = [Member(f"U{i:02d}", f"D{i % 3}") for i in range(12)]
    rng = random.Random(5)
    history = []
    for week in range(130):
        at = array("i", rng.sample(range(12), 12))
        history.append(PastRound(date(2024, 1, 1) + timedelta(weeks=week), FlatGroups(members, at)))
    history.append(PastRound(date(2020, 1, 6), [PastGroup(("U00", "U01", "U02"), met=False)]))
    blocked = [("U00", "U01"), ("U03", "U04"), ("U05", "U11")]
    request = PairingRequest(members, history, blocked)
    bulk = index_request(request, bulk=True)
    _assert_same(bulk, index_request(request, bulk=False))
    assert [bulk.penalty[bulk.key(a, b)] for a, b in [(0, 1), (3, 4), (5, 11)]] == [-BLOCKED] * 3
