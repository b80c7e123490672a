"""The greedy pass keeps the cross-division ceiling in reach: its admissibility rule, checked."""

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pairing.balance import DivisionBalance


def most_crossing(counts: list[int]) -> int:
    m = sum(counts)
    return min(m // 2, m - max(counts, default=0))


@given(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=5), st.data())
def test_a_pair_is_admissible_exactly_when_the_ceiling_stays_reachable(
    counts: list[int], data: st.DataObject
) -> None:
    present = [d for d, c in enumerate(counts) if c]
    if sum(counts) < 2:
        return
    balance = DivisionBalance([d for d in present for _ in range(counts[d])], len(counts))
    du = data.draw(st.sampled_from(present))
    dv = data.draw(st.sampled_from([d for d in present if d != du or counts[du] >= 2]))
    after = counts[:]
    after[du] -= 1
    after[dv] -= 1
    keeps = (du != dv) + most_crossing(after) == most_crossing(counts)
    assert balance.admissible(du, dv) == keeps
    only, same_ok = balance.partner_rule(du)
    assert (same_ok if du == dv else only in (-1, dv)) == keeps


def test_removing_people_keeps_the_largest_count_current() -> None:
    balance = DivisionBalance([0, 0, 0, 1, 1, 2], 3)
    assert balance.largest == 3
    balance.remove(0)
    balance.remove(0)
    assert balance.largest == 2
    assert balance.remaining == 4
