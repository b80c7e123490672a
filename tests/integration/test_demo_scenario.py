"""The demo's scenario is the core's: it plays on any stage, not only the console's, and the
same seed plays the same demo."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from bot.app import Demo, DemoResult, build, upgrade
from bot.domain.model import Outcome
from bot.messages import Intro, Reply, RoundAnnouncement
from tests.fakes import FakeMessenger


class Recorded:
    """A stage that keeps what happened instead of printing it."""

    def __init__(self) -> None:
        self.story: list[tuple[object, ...]] = []

    def said(self, user: str, typed: str, reply: str) -> None:
        self.story.append(("said", user, typed, reply))

    def joined(self, others: int) -> None:
        self.story.append(("joined", others))

    def mistake_ahead(self) -> None:
        self.story.append(("mistake ahead",))

    def round_begins(self, number: int, period: str) -> None:
        self.story.append(("round", number, period))

    def round_posted(self) -> None:
        self.story.append(("posted",))

    def clicked(self, counts: Mapping[Outcome, int]) -> None:
        self.story.append(("clicked", dict(counts)))

    def checkin_begins(self) -> None:
        self.story.append(("check-in",))

    def checked_in(self, groups: int) -> None:
        self.story.append(("checked in", groups))

    def stats(self, reply: Reply) -> None:
        self.story.append(("stats", reply.message is not None, len(reply.attachments)))


async def _play(folder: Path, seed: int = 7) -> tuple[DemoResult, Recorded, FakeMessenger]:
    await asyncio.to_thread(folder.mkdir)
    demo = Demo(members=10, rounds=2, seed=seed, folder=folder)
    stage, messenger = Recorded(), FakeMessenger()
    await upgrade(demo.database_url)
    app = build(demo.settings, messenger, demo.colleagues, demo.clock)
    try:
        return await demo.play(app, stage), stage, messenger
    finally:
        await app.close()


async def test_the_demo_plays_on_a_stage_that_is_not_the_console(tmp_path: Path) -> None:
    result, stage, messenger = await _play(tmp_path / "demo")
    assert (result.members, result.rounds, result.groups) == (10, 2, 10)
    assert result.chart.read_bytes().startswith(b"\x89PNG")
    assert result.tenant_id is not None and result.names["U000"] == "Admin Ratna"
    kinds = [step[0] for step in stage.story]
    assert [step[1] for step in stage.story if step[0] == "round"] == [1, 2]
    first_round = kinds.index("round")
    assert kinds[first_round - 3 : first_round] == ["joined", "mistake ahead", "said"]  # the bad pause
    assert kinds[first_round : first_round + 4] == ["round", "posted", "clicked", "check-in"]
    said = [str(step[2]) for step in stage.story if step[0] == "said"]
    assert said[0].startswith("/jembatan setup weekly") and "/jembatan pause 20" in said
    assert any("shoutout" in typed for typed in said)
    assert stage.story[-1] == ("stats", True, 1)
    assert len(messenger.of_kind(RoundAnnouncement)) == 2 and len(messenger.of_kind(Intro)) == 10


async def test_the_same_seed_plays_the_same_demo(tmp_path: Path) -> None:
    first, second, other = (
        await _play(tmp_path / "a"),
        await _play(tmp_path / "b"),
        await _play(tmp_path / "c", seed=8),
    )
    assert first[1].story == second[1].story
    assert first[1].story != other[1].story
