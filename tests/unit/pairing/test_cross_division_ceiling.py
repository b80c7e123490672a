"""The cross-division ceiling: the closed form, and the engine reaching it."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import CrossDivisionMode, Member, PairingRequest, make_groups
from bot.domain.pairing.ceiling import cross_division_ceiling, dealt_ceiling, pair_ceiling
from bot.domain.pairing.sizes import group_sizes
from tests.unit.pairing import oracle
from tests.unit.pairing.builders import largest_division, roster

tiny_divisions = st.lists(st.sampled_from("AAAABBBCCD"), min_size=2, max_size=9)


@settings(max_examples=150, deadline=None)
@given(tiny_divisions, st.integers(min_value=2, max_value=4))
def test_dealing_reaches_the_brute_force_maximum_for_any_group_sizes(divisions: list[str], k: int) -> None:
    members = [Member(f"m{i}", d) for i, d in enumerate(divisions)]
    sizes = group_sizes(len(members), k)
    found = oracle.best(PairingRequest(members, group_size=k), sizes)
    assert found is not None
    codes = [ord(d) for d in divisions]
    assert dealt_ceiling(codes, sizes) == found[1]
    assert cross_division_ceiling(codes, sizes) == found[1]


@pytest.mark.parametrize(
    ("n", "largest", "expected"),
    [
        (10, 3, 5),  # min(n/2, n - L) = min(5, 7)
        (10, 8, 2),
        (11, 5, 7),  # odd: the trio's three pairs all cross
        (11, 8, 4),  # odd and dominated: n - L + 1
        (11, 11, 0),
        (2, 1, 1),
        (3, 2, 2),
    ],
)
def test_pair_ceiling_closed_form(n: int, largest: int, expected: int) -> None:
    assert pair_ceiling(n, largest) == expected


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=300),
    divisions=st.integers(min_value=1, max_value=12),
    skew=st.floats(min_value=0.0, max_value=3.0),
    k=st.integers(min_value=2, max_value=4),
    seed=st.integers(min_value=0, max_value=2**31),
    mode=st.sampled_from([CrossDivisionMode.PREFER, CrossDivisionMode.REQUIRE]),
)
def test_without_history_or_blocks_the_ceiling_is_reached(
    n: int, divisions: int, skew: float, k: int, seed: int, mode: CrossDivisionMode
) -> None:
    members = roster(n, divisions=divisions, seed=seed, skew=skew)
    result = make_groups(PairingRequest(members, group_size=k, cross_division=mode, seed=seed))
    assert result.metrics.cross_division_pairs == result.metrics.ceiling
    if mode is CrossDivisionMode.REQUIRE:  # everyone placed sits in a group across divisions
        division = {m.id: m.division for m in members}
        assert all(len({division[x] for x in g.members}) > 1 for g in result.groups)
    elif k == 2:
        assert result.metrics.ceiling == pair_ceiling(n, largest_division(members))
        if n % 2 == 0:  # the formula, word for word
            assert result.metrics.ceiling == min(n // 2, n - largest_division(members))


def test_a_dominant_division_pairs_every_outsider_with_one_of_its_own() -> None:
    members = [Member(f"E{i}", "Eng") for i in range(30)] + [Member(f"S{i}", f"S{i % 3}") for i in range(10)]
    result = make_groups(PairingRequest(members))
    assert result.metrics.cross_division_pairs == 10 == result.metrics.ceiling
    for group in result.groups:
        divisions = Counter(m[0] for m in group.members)
        assert divisions["S"] <= 1


def test_people_without_a_division_count_as_one_more_division() -> None:
    members = [Member(f"N{i}", None) for i in range(4)] + [Member(f"S{i}", "Sales") for i in range(4)]
    result = make_groups(PairingRequest(members))
    assert result.metrics.cross_division_pairs == 4 == result.metrics.ceiling
    assert all({m[0] for m in g.members} == {"N", "S"} for g in result.groups)
