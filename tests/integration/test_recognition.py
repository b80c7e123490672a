"""Meetups reported with a click, milestones celebrated once a day, shout-outs with care."""

from bot import commands as c
from bot.messages import ShoutOut
from tests.drive import Driver


async def _paired(drive: Driver, people: dict[str, str | None]) -> None:
    await drive.setup()
    await drive.join_many(people)
    await drive.run_round()


async def test_a_click_records_the_outcome_and_a_second_click_changes_nothing(drive: Driver) -> None:
    await _paired(drive, {"U1": "Sales", "U2": "Finance"})
    group = (await drive.latest_groups())[0]
    first = await drive.say("U1", c.RecordOutcome(group.id, "met"))
    assert first.update and "says you met" in first.update
    second = await drive.say("U2", c.RecordOutcome(group.id, "met"))
    assert "Already recorded" in second.text
    stats = await drive.say("U-ADMIN", c.ShowStats(), admin=True)
    assert "Meetup rate: 100%" in stats.text


async def test_people_outside_the_group_cannot_press_its_buttons(drive: Driver) -> None:
    await _paired(drive, {"U1": "Sales", "U2": "Finance"})
    group = (await drive.latest_groups())[0]
    reply = await drive.say("U-STRANGER", c.RecordOutcome(group.id, "met"))
    assert "another group" in reply.text
    assert (await drive.latest_groups())[0].outcome.value == "pending"


async def test_a_replayed_click_acts_once(drive: Driver) -> None:
    await _paired(drive, {"U1": "Sales", "U2": "Finance"})
    group = (await drive.latest_groups())[0]
    await drive.say("U1", c.RecordOutcome(group.id, "not_yet"), delivery_id="trigger-1")
    await drive.say("U1", c.RecordOutcome(group.id, "met"), delivery_id="trigger-2")
    replay = await drive.say("U1", c.RecordOutcome(group.id, "not_yet"), delivery_id="trigger-1")
    assert "arrived twice" in replay.text
    assert (await drive.latest_groups())[0].outcome.value == "met"


async def test_first_meetups_are_celebrated_in_one_daily_post_not_one_each(drive: Driver) -> None:
    await _paired(drive, {f"U{i}": ["Sales", "Finance"][i % 2] for i in range(6)})
    for group in await drive.latest_groups():
        await drive.say(group.user_ids[0], c.RecordOutcome(group.id, "met"))
    drive.clock.advance(hours=2)
    await drive.tick()
    await drive.tick()
    posts = drive.messenger.of_kind(ShoutOut)
    assert len(posts) == 1
    text = posts[0].message.text  # type: ignore[union-attr]
    assert text.startswith("First Jembatan meetup for") and all(f"<@U{i}>" in text for i in range(6))
    drive.clock.advance(days=1)
    await drive.tick()
    assert len(drive.messenger.of_kind(ShoutOut)) == 1  # nothing new, nothing posted


async def test_milestones_wait_for_the_programs_local_morning(drive: Driver) -> None:
    await _paired(drive, {"U1": "Sales", "U2": "Finance"})
    group = (await drive.latest_groups())[0]
    drive.clock.advance(hours=14)  # 23:01 in Jakarta
    await drive.say("U1", c.RecordOutcome(group.id, "met"))
    await drive.tick()
    assert drive.messenger.of_kind(ShoutOut) == []
    drive.clock.advance(hours=10)  # 09:01 next day
    await drive.tick()
    assert len(drive.messenger.of_kind(ShoutOut)) == 1


async def test_shoutouts_go_to_the_shoutout_channel_without_mass_pings(drive: Driver) -> None:
    await drive.setup(shoutout_channel="C-KUDOS")
    await drive.join_many({"U1": "Sales", "U2": "Finance"})
    reply = await drive.say("U1", c.GiveShoutOut(("U2", "U3"), "<!channel> shipped it #Teamwork"))
    assert "<@U2>, <@U3>" in reply.text
    post = drive.messenger.sent and drive.messenger.sent[-1]
    await drive.app.relay.drain()
    post = drive.messenger.of_kind(ShoutOut)[0]
    assert post.conversation == "C-KUDOS"
    assert "<!channel>" not in post.message.text  # type: ignore[union-attr]
    assert post.message.tags == ("teamwork",)  # type: ignore[union-attr]


async def test_no_self_shoutouts_and_a_weekly_allowance(drive: Driver) -> None:
    await drive.setup()
    await drive.join_many({"U1": "Sales"})
    self_praise = await drive.say("U1", c.GiveShoutOut(("U1",), "I am great"))
    assert "others" in self_praise.text
    for n in range(5):
        reply = await drive.say("U1", c.GiveShoutOut(("U2",), f"thanks #{n}"))
        assert "posted" in reply.text
    sixth = await drive.say("U1", c.GiveShoutOut(("U2",), "one more"))
    assert "weekly limit" in sixth.text
    await drive.app.relay.drain()
    assert len(drive.messenger.of_kind(ShoutOut)) == 5
    drive.clock.advance(days=7, minutes=1)
    assert "posted" in (await drive.say("U1", c.GiveShoutOut(("U2",), "new week"))).text


async def test_leaderboard_counts_shoutouts_received_and_meetups(drive: Driver) -> None:
    await _paired(drive, {"U1": "Sales", "U2": "Finance"})
    group = (await drive.latest_groups())[0]
    await drive.say("U1", c.RecordOutcome(group.id, "met"))
    await drive.say("U1", c.GiveShoutOut(("U2",), "great chat"))
    board = await drive.say("U1", c.Leaderboard("month"))
    lines = board.text.splitlines()
    assert lines[1].startswith("1. <@U2> – 2 points · 1 received · 0 given")
    assert "<@U1> – 1 point · 0 received · 1 given" in lines[2]
    by_division = await drive.say("U1", c.Leaderboard("all", by_division=True))
    assert "1. Finance – 2 points" in by_division.text
    assert "week`, `month` or `all`" in (await drive.say("U1", c.Leaderboard("year"))).text


async def test_five_colleagues_from_three_divisions_are_celebrated_once_each(drive: Driver) -> None:
    divisions = ["Sales", "Finance", "Legal", "People", "Ops", "Eng"]
    await drive.setup()
    await drive.join_many({f"U{i}": division for i, division in enumerate(divisions)})
    for _ in range(6):  # five rounds meet everyone once; the sixth must not celebrate again
        await drive.run_round()
        for group in await drive.latest_groups():
            await drive.say(group.user_ids[0], c.RecordOutcome(group.id, "met"))
        drive.clock.advance(hours=1)
        await drive.tick()  # the day's milestone digest
    lines = [
        line
        for sent in drive.messenger.of_kind(ShoutOut)
        for line in sent.message.text.splitlines()  # type: ignore[union-attr]
    ]

    def celebrated(words: str, user: str) -> int:
        return sum(1 for line in lines if words in line and f"<@{user}>" in line)

    for i in range(6):
        assert celebrated("First Jembatan meetup", f"U{i}") == 1
        assert celebrated("5 colleagues met through Jembatan", f"U{i}") == 1
        assert celebrated("met colleagues from 3 other divisions", f"U{i}") == 1
