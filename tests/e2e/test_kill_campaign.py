"""A small kill -9 campaign on each platform: the real process, SIGKILLed at random moments in a
round and restarted until the outbox is drained, loses no intro and duplicates (almost) nothing.
The full campaign and its timings: bench/kill_campaign.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.kill_campaign import PLATFORMS, campaign

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("platform", ["slack", "discord"])
async def test_a_round_killed_again_and_again_loses_no_intro(platform: str, tmp_path: Path) -> None:
    # Each kind of kill once: right after the platform took a post, right after it made the
    # group's conversation (a Discord thread), at a random moment mid-round, during the start-up.
    modes = ("post", "open", "moment", "start-up")
    result = await campaign(
        PLATFORMS[platform],
        groups=24,
        kills=4,
        interval=0.3,
        seed=3,
        workdir=tmp_path,
        log=lambda _: None,
        modes=modes,
    )
    assert result.kills == 4 and result.starts == 5
    assert result.kills_during_post >= 1  # the worst moment came at least once
    assert result.lost == 0 and result.failed == 0
    if platform == "slack":
        # Slack has no idempotency key for a post: only a kill between Slack taking a post and
        # our recording it may show one twice.
        assert result.duplicates <= result.kills_during_post
    else:
        # Discord's enforced nonce and the numbered thread found again: nothing twice.
        assert result.kills_before_record >= 1
        assert result.duplicates == 0 and result.duplicate_threads == 0
    assert result.skipped_run_warnings == 0
