"""bench/pacing.py --quick's invariants: against a fake Slack that enforces Slack's limits, a
round is delivered whole, the paced relay meets no 429, no request ever comes before the
Retry-After it was given, nor to a workspace while one of its Retry-Afters runs, paced or not,
with one workspace or two, and two relays on one PostgreSQL send a workspace no more than one
would. Its timings: the bench."""

from __future__ import annotations

import os

import pytest

from bench.pacing import run
from tests.conftest import POSTGRES_ENV

pytestmark = pytest.mark.e2e


async def test_a_round_against_slack_limits_is_delivered_whole_and_never_early() -> None:
    server = os.environ.get(POSTGRES_ENV)
    scenarios = (1, 2, 3, 4) if server else (1, 2, 3)
    outcomes = await run(pairs=12, speed=20.0, scenarios=scenarios, **({"server": server} if server else {}))
    for outcome in outcomes:
        assert outcome.early == 0 and outcome.early_in_workspace == 0, outcome.lines(20.0)
        assert outcome.sends == 13 * len(outcome.seconds)  # each group's intro and the announcement
        assert all(peak <= outcome.peak_limit for peak in outcome.peak.values()), outcome.lines(20.0)
    one, two = outcomes[0], outcomes[1]
    assert set(two.seconds) == {"T0A", "T0B"}
    # Paced at the documented rate, the relay stays within each workspace's budget.
    assert one.refused == 0 and two.refused == 0
    if server:
        # Two relays share each workspace's budget: still no 429.
        assert outcomes[3].relays == 2 and outcomes[3].refused == 0, outcomes[3].lines(20.0)
