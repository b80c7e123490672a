"""Admin stats from plain facts: each figure checked against a small history worked out by hand."""

from collections import Counter
from datetime import date

from bot.domain.model import Outcome
from bot.domain.stats import GroupFact, RoundFact, ShoutOutFact, StatsFacts, compute

MET, NOT_YET, PENDING = Outcome.MET, Outcome.NOT_YET, Outcome.PENDING


def _facts() -> StatsFacts:
    # Round 1: ana (Sales) × budi (Eng) met; citra (Sales) × dewi (Sales) did not.
    # Round 2: ana × citra met (same division); budi × dewi × eko (trio) met; one person blocked.
    # Round 3: ana × budi again (a repeat), still pending.
    return StatsFacts(
        statuses=Counter({"active": 4, "paused": 1, "left": 2}),
        current_members=("ana", "budi", "citra", "dewi", "eko"),
        rounds=(
            RoundFact(
                date(2026, 11, 2),
                (
                    GroupFact(("ana", "budi"), ("Sales", "Eng"), MET),
                    GroupFact(("citra", "dewi"), ("Sales", "Sales"), NOT_YET),
                ),
                (),
            ),
            RoundFact(
                date(2026, 11, 9),
                (
                    GroupFact(("ana", "citra"), ("Sales", "Sales"), MET),
                    GroupFact(("budi", "dewi", "eko"), ("Eng", "Sales", "People"), MET),
                ),
                ("blocked",),
            ),
            RoundFact(
                date(2026, 11, 16), (GroupFact(("ana", "budi"), ("Sales", "Eng"), PENDING),), ("alone",)
            ),
        ),
        shoutouts=(
            ShoutOutFact("Sales", ("Eng", "Sales"), False, ("budi", "citra")),
            ShoutOutFact("Eng", ("Sales",), False, ("ana",)),
            ShoutOutFact("Sales", ("Sales",), False, ("citra",)),
            ShoutOutFact(None, ("Sales",), True, ("ana",)),
        ),
    )


def test_participation_rounds_and_meetups() -> None:
    stats = compute(_facts())
    assert (stats.active, stats.paused, stats.left) == (4, 1, 2)
    assert (stats.rounds, stats.groups) == (3, 5)
    assert stats.meetup_rate == 3 / 5
    assert [round(r.meetup_rate, 2) for r in stats.trend] == [0.5, 1.0, 0.0]
    assert [r.people for r in stats.trend] == [4, 5, 2]


def test_cross_division_share_counts_pairs_inside_groups() -> None:
    stats = compute(_facts())
    # pairs: r1 ana-budi ✓, citra-dewi ✗; r2 ana-citra ✗, budi-dewi ✓, budi-eko ✓, dewi-eko ✓; r3 ana-budi ✓
    assert stats.cross_division_share == 5 / 7
    assert [round(r.cross_share, 2) for r in stats.trend] == [0.5, 0.75, 1.0]


def test_connections_median_and_repeats() -> None:
    stats = compute(_facts())
    # met pairs: ana-budi, ana-citra, budi-dewi, budi-eko, dewi-eko
    assert stats.connections == 5
    # colleagues met: ana 2, budi 3, citra 1, dewi 2, eko 2
    assert stats.median_colleagues_met == 2
    assert stats.repeat_rate == 1 / 7
    assert stats.unmatched == {"blocked": 1, "alone": 1}


def test_division_matrix_counts_met_pairs_by_division_pair() -> None:
    assert compute(_facts()).matrix == {
        ("Eng", "Sales"): 2,
        ("Sales", "Sales"): 1,
        ("Eng", "People"): 1,
        ("People", "Sales"): 1,
    }


def test_shoutouts_given_received_and_across_divisions() -> None:
    stats = compute(_facts())
    assert stats.shoutouts_given == 3
    assert stats.shoutouts_cross_division == 2  # Sales → Eng (and Sales), Eng → Sales
    assert stats.shoutouts_received == 4
    assert stats.people_recognised == 3
    assert stats.milestones == 1


def test_a_new_program_has_zeros_not_errors() -> None:
    stats = compute(StatsFacts(Counter(), (), (), ()))
    assert (stats.meetup_rate, stats.cross_division_share, stats.median_colleagues_met) == (0, 0, 0)
    assert stats.trend == () and stats.matrix == {}


def test_division_pair_coverage_counts_division_pairs_with_a_meetup() -> None:
    stats = compute(_facts())
    # Divisions taking part: Sales, Eng, People (3 pairs). Meetups across: Sales × Eng (r1, r2),
    # Eng × People and Sales × People (r2's trio); r3's Sales × Eng is still pending.
    assert (stats.division_pairs_met, stats.division_pairs) == (3, 3)


def test_division_pair_coverage_leaves_out_pairs_that_only_were_introduced() -> None:
    facts = StatsFacts(
        Counter({"active": 4}),
        ("ana", "budi", "citra", "dewi"),
        (
            RoundFact(
                date(2026, 11, 2),
                (
                    GroupFact(("ana", "budi"), ("Sales", "Eng"), MET),
                    GroupFact(("citra", "dewi"), ("Legal", None), MET),  # no division: not a pair
                ),
                (),
            ),
            RoundFact(date(2026, 11, 9), (GroupFact(("ana", "citra"), ("Sales", "Legal"), NOT_YET),), ()),
        ),
        (),
    )
    stats = compute(facts)
    assert (stats.division_pairs_met, stats.division_pairs) == (1, 3)  # of Sales, Eng, Legal


def test_a_new_program_has_no_division_pairs() -> None:
    stats = compute(StatsFacts(Counter(), (), (), ()))
    assert (stats.division_pairs_met, stats.division_pairs) == (0, 0)
