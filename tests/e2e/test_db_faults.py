"""bench/db_faults.py --quick: PostgreSQL backends terminated mid-transaction during a round's
delivery and during a burst of commands; the same workers carry on and nothing is lost."""

from __future__ import annotations

import os

import pytest

from bench.db_faults import parse, run
from tests.conftest import POSTGRES_ENV

pytestmark = pytest.mark.e2e


async def test_terminated_backends_lose_nothing_and_need_no_restart() -> None:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    round_phase, commands = await run(parse(["--quick", "--server", server]))
    for phase in (round_phase, commands):
        assert phase.kills >= 1 and phase.lost == 0 and phase.recovered, phase.lines()
    assert commands.errors_seen == 0  # every acknowledged command was done, none answered with an error
    # A kill landing between Slack taking a post and the relay recording it may send that one
    # twice (at least once, by design); never more than once per kill.
    assert round_phase.duplicates <= round_phase.kills
