"""A round's channel post names the first groups and counts the rest; every group still gets its intro."""

from bot.messages import Intro, RoundAnnouncement
from tests.drive import Driver


async def test_a_round_of_more_groups_than_are_listed_says_how_many_more(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({f"U{i:02d}": ("Sales", "Finance", "Legal", "Ops")[i % 4] for i in range(64)})
    await drive.run_round()
    [sent] = drive.messenger.of_kind(RoundAnnouncement)
    announcement = sent.message
    assert isinstance(announcement, RoundAnnouncement)
    assert announcement.text.startswith("32 ")  # the whole round is counted
    assert len(announcement.group_lines) == 30 and announcement.more == "… and 2 more."
    assert len(drive.messenger.of_kind(Intro)) == 32  # and every group hears in its own intro
