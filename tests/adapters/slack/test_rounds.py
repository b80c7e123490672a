"""Rounds on Slack: group DMs, intros with buttons, clicks, check-ins, and rate limits mid-round."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from bot.actions import MeetupAction, encode
from bot.domain.model import Outcome
from tests.adapters.slack.conftest import ADMIN, CHANNEL, Harness
from tests.adapters.slack.fake_slack import user_ids

DIVISIONS = ("Finance", "Sales", "Legal", "Engineering", "People")


def intros(h: Harness) -> list[tuple[str, str]]:
    """(conversation, ts) of every intro: the messages with meetup buttons."""
    return [
        key
        for key, m in h.fake.messages.items()
        if any(b.get("type") == "actions" and "jb:meetup" in json.dumps(b) for b in m.blocks)
        and "Hello" in json.dumps(m.blocks[0])
    ]


def delivered(h: Harness, channel: str) -> list[object]:
    return [m for (where, _), m in h.fake.messages.items() if where == channel]


async def small_round(h: Harness, people: int = 4) -> None:
    await h.join_everyone({f"U{i:02d}": DIVISIONS[i % len(DIVISIONS)] for i in range(people)})
    assert "Round started" in (await h.slash(ADMIN, "round now"))["text"]
    await h.deliver()


async def test_a_round_for_40_people_opens_one_group_dm_and_posts_one_intro_per_group(
    program: Harness,
) -> None:
    h = program
    people = {f"U{i:02d}": DIVISIONS[i % 5] for i in range(40)}
    await h.join_everyone(people)
    started = time.monotonic()
    answer = await h.slash(ADMIN, "round now")
    assert "Round started: 20 groups, 0 people without a partner" in answer["text"]
    await h.deliver()
    opened = user_ids(h.fake.called("conversations.open"))
    assert len(opened) == 20 and len(set(opened)) == 20
    assert sorted(u for group in opened for u in group) == sorted(people)
    # Every pair crosses divisions: 40 people in 5 even divisions allow it.
    assert all(len({people[u] for u in group}) == 2 for group in opened)
    posted = h.fake.posts()
    conversations = [c.args["channel"] for c in posted if c.args["channel"].startswith("G")]
    assert len(conversations) == 20 and len(set(conversations)) == 20
    assert len(intros(h)) == 20
    [announcement] = h.fake.posts(CHANNEL)
    shown = json.dumps(announcement.args["blocks"])
    assert all(f"<@{u}>" in shown for u in people)
    # Delivering again sends nothing twice.
    await h.deliver()
    assert len(h.fake.posts()) == len(posted)
    assert time.monotonic() - started < 20


async def test_an_intro_names_both_people_with_an_icebreaker_a_window_and_three_buttons(
    program: Harness,
) -> None:
    h = program
    await small_round(h, 2)
    [(channel, ts)] = intros(h)
    blocks = h.fake.messages[(channel, ts)].blocks
    text = json.dumps(blocks, ensure_ascii=False)
    assert "<@U00>" in text and "<@U01>" in text and "Finance" in text and "Sales" in text
    assert "Icebreaker" in text and "Good time to meet" in text
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for e in buttons["elements"]] == ["We met ✅", "Not yet", "Skip this round"]


async def test_a_click_updates_the_message_for_everyone_once(program: Harness) -> None:
    h = program
    await small_round(h, 2)
    [(channel, ts)] = intros(h)
    group_id = int(
        next(
            e["action_id"]
            for b in h.fake.messages[(channel, ts)].blocks
            if b["type"] == "actions"
            for e in b["elements"]
        ).split(":")[2]
    )
    met = encode(MeetupAction(group_id, Outcome.MET))
    response = await h.click("U00", met, channel, ts, respond="first")
    assert response.status == 200
    [update] = h.fake.called("chat.update")
    assert update.args["channel"] == channel and update.args["ts"] == ts
    message = h.fake.messages[(channel, ts)]
    assert "<@U00> says you met" in json.dumps(message.blocks)
    assert any(b["type"] == "actions" for b in message.blocks)  # the group can still change its answer
    assert [r["text"] for r in h.fake.responses if r["_url"] == "first"] == ["Thanks! Glad you met. 🙌"]
    # The other person clicks the same button on the updated message: nothing changes twice.
    await h.click("U01", met, channel, ts, respond="second")
    assert len(h.fake.called("chat.update")) == 1
    assert "Already recorded" in next(r["text"] for r in h.fake.responses if r["_url"] == "second")
    # A replay of the first click (same trigger_id) acts once, too.
    payload = h.block_actions("U00", met, channel, ts, trigger="trig-replay")
    await h.interaction(payload)
    await h.interaction(payload)
    assert len(h.fake.called("chat.update")) == 1
    # Changing the answer updates the message again.
    await h.click("U01", encode(MeetupAction(group_id, Outcome.NOT_YET)), channel, ts)
    assert len(h.fake.called("chat.update")) == 2
    assert "<@U01> says not yet" in json.dumps(h.fake.messages[(channel, ts)].blocks)
    assert json.dumps(h.fake.messages[(channel, ts)].blocks).count("jb-status") == 1


async def test_someone_outside_the_group_cannot_answer_for_it(program: Harness) -> None:
    h = program
    await small_round(h, 2)
    [(channel, ts)] = intros(h)
    action = next(
        e["action_id"]
        for b in h.fake.messages[(channel, ts)].blocks
        if b["type"] == "actions"
        for e in b["elements"]
    )
    h.fake.add_user("U99")
    await h.click("U99", action, channel, ts, respond="outsider")
    assert not h.fake.called("chat.update")
    assert "another group" in next(r["text"] for r in h.fake.responses if r["_url"] == "outsider")


async def test_check_ins_arrive_in_the_same_group_dm_with_the_buttons(program: Harness) -> None:
    h = program
    await small_round(h, 2)
    [(channel, _)] = intros(h)
    opened = len(h.fake.called("conversations.open"))
    h.clock.advance(days=4)
    await h.slack.jembatan.ticker.tick()
    await h.deliver()
    checkins = [c for c in h.fake.posts(channel) if "Halfway" in c.args["text"]]
    assert len(checkins) == 1
    assert "jb:meetup" in json.dumps(checkins[0].args["blocks"])
    assert len(h.fake.called("conversations.open")) == opened  # the same conversation, not a new one


async def test_rate_limits_during_a_round_are_retried_until_everything_is_delivered(program: Harness) -> None:
    h = program
    await h.join_everyone({f"U{i:02d}": DIVISIONS[i % 5] for i in range(10)})
    # Two 429s in a row: the client's own retry (after Retry-After) meets the second, so the
    # relay gets the 429 and schedules the row again; a 503 and a dropped open go the same way.
    h.fake.fail("chat.postMessage", status=429, retry_after=1, times=2)
    h.fake.fail("conversations.open", status=503, error="service_unavailable", times=2)
    await h.slash(ADMIN, "round now")
    first = await h.slack.jembatan.relay.drain()
    assert first.retried >= 1
    for _ in range(5):
        h.clock.advance(minutes=2)
        await h.deliver()
    assert len(intros(h)) == 5
    assert len(delivered(h, CHANNEL)) == 1
    # Each refusal cost one call, nothing was posted twice, and every group DM was opened once.
    assert len(h.fake.called("chat.postMessage")) == 5 + 1 + 2
    assert len(h.fake.called("conversations.open")) == 5 + 2
    assert len({c.args["channel"] for c in h.fake.posts() if c.args["channel"].startswith("G")}) == 5


async def test_a_refused_channel_fails_that_message_only(program: Harness) -> None:
    h = program
    h.fake.missing_channels.add(CHANNEL)
    await small_round(h, 4)
    assert len(intros(h)) == 2
    assert len(h.fake.posts(CHANNEL)) == 1  # tried once, not retried: channel_not_found
    h.clock.advance(minutes=30)
    await h.deliver()
    assert len(h.fake.posts(CHANNEL)) == 1
    # The admin who set the program up hears of it, in a DM, with what to do.
    [told] = [m for m in h.fake.messages.values() if m.channel == "D0ADMIN"]
    assert f"<#{CHANNEL}>" in told.text and "channel_not_found" in told.text
    assert "`/invite @Jembatan`" in told.text


async def test_a_still_in_answer_from_a_direct_message_updates_that_message(program: Harness) -> None:
    from bot.actions import StillInAction
    from bot.domain.model import Platform, StillInChoice, TenantRef
    from bot.messages import Button, Notice

    h = program
    await h.join_everyone({"U1": "Finance"})
    await h.slash("U1", "pause")
    keep = encode(StillInAction(1, StillInChoice.KEEP))
    ts = await h.slack.messenger.post_direct(
        TenantRef(Platform.SLACK, h.team), "U1", Notice("Still in?", (Button(keep, "Keep me in"),)), "k1"
    )
    await h.click("U1", keep, "D1", ts, respond="still")
    assert "you're back" in next(r["text"] for r in h.fake.responses if r["_url"] == "still")
    assert "you're back" in json.dumps(h.fake.messages[("D1", ts)].blocks)
    assert "You're in" in (await h.slash("U1", "status"))["text"]


async def test_the_relay_at_the_adapters_pace_waits_its_interval_between_sends(program: Harness) -> None:
    from adapters.slack.main import SEND_INTERVAL
    from bot.delivery import Relay

    h = program
    await h.join_everyone({f"U{i:02d}": DIVISIONS[i % len(DIVISIONS)] for i in range(6)})
    await h.slash(ADMIN, "round now")
    pauses: list[tuple[int, float]] = []

    async def sleep(seconds: float) -> None:
        pauses.append((len(h.fake.posts()), seconds))
        h.clock.advance(seconds=seconds)

    jembatan = h.slack.jembatan
    relay = Relay(jembatan.store, h.slack.messenger, h.clock, min_interval=SEND_INTERVAL, sleep=sleep)
    report = await relay.run_once()
    # Three intros and the announcement, the workspace's next slot waited for before each one
    # after the first: three pauses of the interval, none after the last.
    assert report.sent == 4 and len(h.fake.posts()) == 4
    assert len(pauses) == 3
    assert all(abs(seconds - SEND_INTERVAL) < 1e-6 for _, seconds in pauses)
    # Each intro also opens a group DM: conversations.open (Tier 3) allows about 50 a minute.
    assert 60 / SEND_INTERVAL <= 50


async def test_the_milestone_digest_goes_to_the_shoutout_channel_set_up(program: Harness) -> None:
    h = program
    assert "Updated" in (await h.slash(ADMIN, "setup shoutouts=<#C0KUDOS|kudos>"))["text"]
    await small_round(h, 2)
    [(channel, ts)] = intros(h)
    group_id = next(
        e["action_id"]
        for b in h.fake.messages[(channel, ts)].blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ).split(":")[2]
    await h.click("U00", encode(MeetupAction(int(group_id), Outcome.MET)), channel, ts)
    # Not in the evening (nobody is pinged after working hours) …
    h.clock.now = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 18:00 in Jakarta
    await h.slack.jembatan.ticker.tick()
    await h.deliver()
    assert not h.fake.posts("C0KUDOS")
    # … but the next morning, after the program's 09:00, in the channel set up for shout-outs.
    h.clock.now = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)  # 09:30 in Jakarta
    await h.slack.jembatan.ticker.tick()
    await h.deliver()
    [digest] = h.fake.posts("C0KUDOS")
    shown = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert "milestones" in shown and "<@U00>" in shown and "<@U01>" in shown
    assert len(h.fake.posts(CHANNEL)) == 1  # the pairing channel had the announcement only
