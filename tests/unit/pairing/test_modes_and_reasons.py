"""Cross-division modes, the reasons each group gets, and what the result says had to bend."""

from __future__ import annotations

from itertools import combinations

from bot.domain.pairing import CrossDivisionMode, Member, PairingRequest, Reason, Relaxed, make_groups
from tests.unit.pairing.builders import member, roster


def _lopsided() -> list[Member]:
    return [Member(f"E{i}", "Eng", 420) for i in range(12)] + [
        Member(f"S{i}", "Sales", 420) for i in range(4)
    ]


def test_require_mode_reports_every_same_division_pair_it_could_not_avoid() -> None:
    result = make_groups(PairingRequest(_lopsided(), cross_division=CrossDivisionMode.REQUIRE))
    same = [g for g in result.groups if len({m[0] for m in g.members}) == 1]
    assert len(same) == 4  # 12 engineers, 4 outsiders: four Eng pairs are unavoidable
    assert result.metrics.cross_division_pairs == result.metrics.ceiling == 4
    relaxed = [r for r in result.relaxed if r.rule is Relaxed.REQUIRE_CROSS_DIVISION]
    assert sorted(r.members for r in relaxed) == sorted(g.members for g in same)


def test_require_mode_bends_nothing_when_every_pair_can_cross() -> None:
    result = make_groups(
        PairingRequest(roster(40, divisions=5, skew=0.0), cross_division=CrossDivisionMode.REQUIRE)
    )
    assert result.metrics.cross_division_pairs == result.metrics.ceiling == 20
    assert result.relaxed == ()


def test_prefer_mode_does_the_same_without_reporting_relaxations() -> None:
    result = make_groups(PairingRequest(_lopsided(), cross_division=CrossDivisionMode.PREFER))
    assert result.metrics.cross_division_pairs == 4
    assert result.relaxed == ()


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
