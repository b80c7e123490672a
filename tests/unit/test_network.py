"""Reach against its ceiling, and cross-division colleagues per person, from plain facts."""

from collections import Counter
from datetime import date

from bot.domain.model import Outcome
from bot.domain.network import cross_colleagues, histogram, reach
from bot.domain.stats import GroupFact, RoundFact, StatsFacts, compute


def _group(*seats: tuple[str, str | None], outcome: Outcome = Outcome.MET) -> GroupFact:
    return GroupFact(tuple(k for k, _ in seats), tuple(d for _, d in seats), outcome)


def test_a_round_dominated_by_one_division_has_a_ceiling_below_every_pair() -> None:
    # Three of Sales and one of Finance: only one of the two pairs can ever cross.
    round_ = [_group(("a", "Sales"), ("b", "Sales")), _group(("c", "Sales"), ("d", "Finance"))]
    assert reach(round_) == reach(list(reversed(round_)))
    found = reach(round_)
    assert (found.pairs, found.cross_pairs, found.ceiling) == (2, 1, 1)


def test_a_pair_without_divisions_does_not_count_as_crossing_as_in_the_stats() -> None:
    found = reach([_group(("a", None), ("b", None)), _group(("c", "Sales"), ("d", "Legal"))])
    assert found.cross_pairs == 1  # two without a division are not counted as crossing
    assert found.ceiling >= found.cross_pairs


def test_cross_colleagues_counts_distinct_people_met_in_another_division() -> None:
    rounds = [
        [_group(("a", "Sales"), ("b", "Legal")), _group(("c", "Sales"), ("d", "Sales"))],
        [
            _group(("a", "Sales"), ("b", "Legal")),
            _group(("a", "Sales"), ("e", "Ops"), outcome=Outcome.PENDING),
        ],
    ]
    met = cross_colleagues(rounds)
    assert met == {"a": {"b"}, "b": {"a"}}  # the same colleague twice counts once; unmet pairs not at all
    assert histogram([0, 1, 1, 7, 5], top=5) == (1, 2, 0, 0, 0, 2)


def test_a_pair_of_someone_with_a_division_and_someone_without_crosses_whichever_seat_is_first() -> None:
    # The stats sort people's keys, the dashboard reads seats in order: a rule that depends on
    # which of the two comes first gives /jembatan stats and the dashboard different shares.
    for seats in ((("a", "Sales"), ("b", None)), (("a", None), ("b", "Sales"))):
        assert reach([_group(*seats)]).cross_pairs == 1, seats
        assert cross_colleagues([[_group(*seats)]]) == {"a": {"b"}, "b": {"a"}}, seats
        facts = StatsFacts(Counter(), (), (RoundFact(date(2026, 1, 5), (_group(*seats),), ()),), ())
        assert compute(facts).cross_division_share == 1.0, seats
