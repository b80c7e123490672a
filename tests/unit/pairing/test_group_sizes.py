"""Group sizes: the target size, the remainder absorbed in groups of k-1 or k+1, never a group of 1."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pairing import PairingRequest, make_groups
from bot.domain.pairing.sizes import group_sizes
from tests.unit.pairing.builders import roster


@given(st.integers(min_value=2, max_value=2000), st.integers(min_value=2, max_value=4))
def test_sizes_add_up_and_stay_within_one_of_the_target(n: int, k: int) -> None:
    sizes = group_sizes(n, k)
    assert sum(sizes) == n
    assert min(sizes) >= 2
    if n >= 2 * k:  # enough people for the remainder to be absorbed
        assert all(k - 1 <= s <= k + 1 for s in sizes)
        assert sum(s != k for s in sizes) <= k // 2 + 1


@pytest.mark.parametrize("n", [3, 5, 7, 21, 99, 301])
def test_an_odd_count_in_pairs_makes_exactly_one_trio(n: int) -> None:
    result = make_groups(PairingRequest(roster(n), group_size=2))
    assert sorted(len(g.members) for g in result.groups) == [2] * (n // 2 - 1) + [3]


@pytest.mark.parametrize(
    ("n", "k", "expected"),
    [
        (4, 3, [4]),
        (5, 3, [3, 2]),
        (7, 3, [4, 3]),
        (8, 3, [3, 3, 2]),
        (5, 4, [5]),
        (6, 4, [3, 3]),
        (7, 4, [4, 3]),
        (9, 4, [5, 4]),
        (10, 4, [4, 3, 3]),
        (11, 4, [4, 4, 3]),
        (2, 4, [2]),
        (3, 4, [3]),
    ],
)
def test_remainders_are_absorbed_the_documented_way(n: int, k: int, expected: list[int]) -> None:
    assert group_sizes(n, k) == expected
    result = make_groups(PairingRequest(roster(n), group_size=k))
    assert sorted((len(g.members) for g in result.groups), reverse=True) == expected


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 13, 40, 101])
def test_nobody_is_ever_left_in_a_group_of_one(n: int, k: int) -> None:
    result = make_groups(PairingRequest(roster(n), group_size=k))
    assert all(len(g.members) >= 2 for g in result.groups)
    assert not result.unpaired


@pytest.mark.parametrize("k", [1, 5, 0])
def test_group_sizes_outside_two_to_four_are_refused(k: int) -> None:
    with pytest.raises(ValueError, match="group size"):
        make_groups(PairingRequest(roster(4), group_size=k))
