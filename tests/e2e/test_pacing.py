"""bench/pacing.py --quick's invariants: against a fake Slack that enforces Slack's limits, a
round is delivered whole, the paced relay meets no 429, and no request ever comes before the
Retry-After it was given, paced or not, with one workspace or two. Its timings: the bench."""

from __future__ import annotations

import pytest

from bench.pacing import run

pytestmark = pytest.mark.e2e


async def test_a_round_against_slack_limits_is_delivered_whole_and_never_early() -> None:
    one, two, unpaced = await run(pairs=12, speed=20.0)
    for outcome in (one, two, unpaced):
        assert outcome.early == 0, outcome.lines(20.0)
        assert outcome.sends == 13 * len(outcome.seconds)  # each group's intro and the announcement
    assert set(two.seconds) == {"T0A", "T0B"}
    # Paced at the documented rate, the relay stays within each workspace's budget.
    assert one.refused == 0 and two.refused == 0
