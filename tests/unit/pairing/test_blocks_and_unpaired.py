"""Blocked pairs never meet; people are left out only when nobody can take them, and told why."""

from __future__ import annotations

from itertools import combinations

from bot.domain.pairing import Member, PairingRequest, Unpaired, UnpairedReason, make_groups
from tests.unit.pairing.builders import result_pairs, roster


def test_nobody_to_pair_with_is_reported_as_alone() -> None:
    assert make_groups(PairingRequest([])).groups == ()
    result = make_groups(PairingRequest([Member("U1", "Sales")]))
    assert result.groups == ()
    assert result.unpaired == (Unpaired("U1", UnpairedReason.ALONE),)


def test_someone_who_blocked_everyone_is_left_out_as_blocked() -> None:
    members = roster(9)
    hermit = members[0].id
    blocked = [(hermit, m.id) for m in members[1:]]
    result = make_groups(PairingRequest(members, blocked=blocked))
    assert result.unpaired == (Unpaired(hermit, UnpairedReason.BLOCKED),)
    assert sorted(len(g.members) for g in result.groups) == [2, 2, 2, 2]


def test_two_people_who_blocked_each_other_are_both_left_out() -> None:
    result = make_groups(PairingRequest([Member("A", "x"), Member("B", "y")], blocked=[("B", "A")]))
    assert result.groups == ()
    assert {u.reason for u in result.unpaired} == {UnpairedReason.BLOCKED}


def test_blocks_that_force_a_partner_are_honoured() -> None:
    # C blocked everyone but D; A and B must then pair, whatever divisions say.
    members = [Member("A", "x"), Member("B", "x"), Member("C", "y"), Member("D", "z")]
    blocked = [("C", "A"), ("C", "B")]
    result = make_groups(PairingRequest(members, blocked=blocked))
    assert set(result_pairs(result)) == {frozenset("AB"), frozenset("CD")}


def test_blocked_pairs_are_never_grouped_in_a_large_roster() -> None:
    members = roster(500)
    ids = [m.id for m in members]
    blocked = [(a, b) for a, b in combinations(ids[:40], 2)]  # 40 people who block each other
    for k in (2, 3, 4):
        result = make_groups(PairingRequest(members, blocked=blocked, group_size=k))
        assert not {frozenset(p) for p in blocked} & set(result_pairs(result))
        assert result.unpaired == ()


def test_someone_with_a_single_unblocked_colleague_is_grouped_with_them() -> None:
    members = [Member(x, x) for x in "ABCDE"]
    blocked = [("E", "A"), ("E", "B"), ("E", "C")]  # E can only sit with D
    for seed in range(5):
        result = make_groups(PairingRequest(members, blocked=blocked, seed=seed))
        (home,) = [g for g in result.groups if "E" in g.members]
        assert home.members == ("D", "E")
        assert not result.unpaired
