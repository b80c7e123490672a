"""Cross-division modes, the reasons each group gets, and what the result says had to bend."""

from __future__ import annotations

from itertools import combinations

import pytest

from bot.domain.pairing import (
    CrossDivisionMode,
    Member,
    PairingRequest,
    PairingResult,
    Reason,
    UnpairedReason,
    make_groups,
)
from tests.unit.pairing.builders import member, roster


def _lopsided() -> list[Member]:
    return [Member(f"E{i}", "Eng", 420) for i in range(12)] + [
        Member(f"S{i}", "Sales", 420) for i in range(4)
    ]


def _divisions_of(result: PairingResult) -> list[set[str]]:
    return [{m[0] for m in g.members} for g in result.groups]


def test_require_mode_never_groups_people_inside_one_division_and_says_who_sits_out() -> None:
    result = make_groups(PairingRequest(_lopsided(), cross_division=CrossDivisionMode.REQUIRE))
    assert all(len(d) > 1 for d in _divisions_of(result))
    # 4 outsiders: three Eng–Sales pairs and, as an odd count allows, one Eng–Eng–Sales trio
    assert sorted(len(g.members) for g in result.groups) == [2, 2, 2, 3]
    assert sorted(u.reason for u in result.unpaired) == [UnpairedReason.SAME_DIVISION_ONLY] * 7
    assert {u.member[0] for u in result.unpaired} == {"E"}
    assert result.metrics.cross_division_pairs == result.metrics.ceiling == 5
    assert result.relaxed == ()


def test_prefer_mode_keeps_everyone_and_pairs_the_surplus_inside_its_division() -> None:
    result = make_groups(PairingRequest(_lopsided(), cross_division=CrossDivisionMode.PREFER))
    assert result.unpaired == ()
    assert len(result.groups) == 8
    assert result.metrics.cross_division_pairs == 4
    assert result.relaxed == ()


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("n", [5, 9, 16, 40, 301])
def test_require_mode_places_as_many_as_it_can_in_mixed_groups(n: int, k: int) -> None:
    members = [Member(f"E{i:03d}", "Eng", 420) for i in range(n - n // 4)] + [
        Member(f"S{i:03d}", "Sales" if i % 2 else "Ops", 420) for i in range(n // 4)
    ]
    result = make_groups(PairingRequest(members, group_size=k, cross_division=CrossDivisionMode.REQUIRE))
    assert all(len(d) > 1 for d in _divisions_of(result))
    assert {u.reason for u in result.unpaired} <= {UnpairedReason.SAME_DIVISION_ONLY}
    outsiders = n // 4
    placed = sum(len(g.members) for g in result.groups)
    assert placed + len(result.unpaired) == n
    # Every outsider is placed, and with pairs the one trio takes a second engineer.
    assert all(m[0] != "S" for m in (u.member for u in result.unpaired))
    if k == 2:
        assert placed == 2 * outsiders + (1 if n - 2 * outsiders > 0 and outsiders else 0)


def test_require_mode_with_one_division_seats_nobody() -> None:
    members = [Member(f"E{i}", "Eng") for i in range(5)]
    result = make_groups(PairingRequest(members, cross_division=CrossDivisionMode.REQUIRE))
    assert result.groups == ()
    assert [u.reason for u in result.unpaired] == [UnpairedReason.SAME_DIVISION_ONLY] * 5


def test_require_mode_bends_nothing_when_every_pair_can_cross() -> None:
    result = make_groups(
        PairingRequest(roster(40, divisions=5, skew=0.0), cross_division=CrossDivisionMode.REQUIRE)
    )
    assert result.metrics.cross_division_pairs == result.metrics.ceiling == 20
    assert result.relaxed == () and result.unpaired == ()


def test_off_mode_ignores_divisions_and_never_claims_crossing_as_a_reason() -> None:
    members = [Member(f"E{i}", "Eng", 420) for i in range(4)] + [
        Member(f"S{i}", "Sales", -300) for i in range(4)
    ]
    result = make_groups(PairingRequest(members, cross_division=CrossDivisionMode.OFF))
    # With divisions out of the picture, working hours decide: Jakarta with Jakarta, New York with New York.
    assert all(len({m[0] for m in g.members}) == 1 for g in result.groups)
    assert all(Reason.CROSS_DIVISION not in g.reasons for g in result.groups)
    assert all(Reason.HOURS_OVERLAP in g.reasons for g in result.groups)


def test_crossing_divisions_outranks_working_hours() -> None:
    members = [Member(f"E{i}", "Eng", 420) for i in range(4)] + [
        Member(f"S{i}", "Sales", -300) for i in range(4)
    ]
    result = make_groups(PairingRequest(members))
    assert result.metrics.cross_division_pairs == 4
    assert all(Reason.HOURS_OVERLAP not in g.reasons for g in result.groups)


def test_working_hours_outrank_shared_interests() -> None:
    members = [
        member(1, "Eng", 420, "chess"),
        member(2, "Sales", 420),
        member(3, "Eng", -300),
        member(4, "Sales", -300, "chess"),
    ]
    result = make_groups(PairingRequest(members))
    assert sorted(g.members for g in result.groups) == [("U0001", "U0002"), ("U0003", "U0004")]


def test_groups_say_why_they_were_made_and_name_shared_interests_in_order() -> None:
    members = [member(1, "Eng", 420, "coffee", "chess", "music"), member(2, "Sales", 480, "music", "chess")]
    (group,) = make_groups(PairingRequest(members)).groups
    assert group.reasons == {
        Reason.CROSS_DIVISION,
        Reason.FIRST_MEETING,
        Reason.HOURS_OVERLAP,
        Reason.SHARED_INTEREST,
    }
    assert group.shared_interests == ("chess", "music")


def test_unknown_time_zones_never_claim_overlapping_hours() -> None:
    (group,) = make_groups(PairingRequest([member(1, "Eng", None), member(2, "Sales", None)])).groups
    assert Reason.HOURS_OVERLAP not in group.reasons


def test_a_trio_shares_only_what_all_three_share() -> None:
    members = [
        member(1, "A", 0, "chess", "music"),
        member(2, "B", 0, "chess"),
        member(3, "C", 0, "chess", "music"),
    ]
    (group,) = make_groups(PairingRequest(members)).groups
    assert group.shared_interests == ("chess",)


def test_groups_come_out_sorted_by_id_whatever_the_input_order() -> None:
    result = make_groups(PairingRequest(list(reversed(roster(31)))))
    firsts = [g.members[0] for g in result.groups]
    assert firsts == sorted(firsts)
    assert all(list(g.members) == sorted(g.members) for g in result.groups)


def test_metrics_count_pairs_inside_groups() -> None:
    members = roster(12)
    division = {m.id: m.division for m in members}
    result = make_groups(PairingRequest(members, group_size=4))
    inside = [(a, b) for g in result.groups for a, b in combinations(g.members, 2)]
    assert result.metrics.pairs == len(inside) == 3 * 6
    assert result.metrics.cross_division_pairs == sum(division[a] != division[b] for a, b in inside)
