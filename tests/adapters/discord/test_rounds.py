"""A round on Discord: the announcement, a private thread per group with its people added and an
intro with persistent buttons; rate limits, refused threads, blocked DMs and restarts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.discord.directory import DiscordDirectory
from adapters.discord.messenger import DiscordMessenger
from bot.domain.model import Lang
from bot.i18n import texts
from bot.messages import Notice
from tests.adapters.discord.conftest import ADMIN, Env
from tests.adapters.discord.fake_discord import Channel, Person, button_ids

t = texts(Lang.EN, "discord")  # what Discord users read
DIVISIONS = ("Sales", "Finance", "Legal", "Ops")
PRIVATE_THREAD = 12


def people(count: int) -> list[Person]:
    return [Person(600000000000000000 + i) for i in range(count)]


async def start_round(env: Env, count: int) -> list[Person]:
    await env.slash(ADMIN, "setup")
    joined = people(count)
    for i, person in enumerate(joined):
        await env.slash(person, "join", division=DIVISIONS[i % len(DIVISIONS)])
    started = await env.slash(ADMIN, "round-now")
    assert started.text.startswith("Round started"), started.text
    return joined


def thread_posts(env: Env) -> dict[int, list[dict]]:
    return {int(th["id"]): env.fake.messages.get(int(th["id"]), []) for th in env.fake.threads()}


async def test_a_round_of_40_people_gets_a_private_thread_members_and_an_intro_per_group(env: Env) -> None:
    everyone = await start_round(env, 40)
    report = await env.deliver()
    assert (report.sent, report.retried, report.failed) == (21, 0, 0)

    threads = env.fake.threads()
    assert len(threads) == 20
    assert {th["type"] for th in threads} == {PRIVATE_THREAD}
    assert {th["parent_id"] for th in threads} == {str(env.fake.program_channel)}
    assert all(th["thread_metadata"]["invitable"] is False for th in threads)
    members = env.fake.thread_members
    added = sorted(u for th in threads for u in members[int(th["id"])])
    assert added == sorted(p.user_id for p in everyone)  # everyone in exactly one thread

    for thread_id, posts in thread_posts(env).items():
        assert len(posts) == 1
        intro = posts[0]
        group = sorted(members[thread_id])
        assert sorted(int(u) for u in re.findall(r"<@(\d+)>", intro["content"])) == group
        assert sorted(intro["allowed_mentions"]["users"]) == group  # pings only the group
        assert intro["allowed_mentions"]["parse"] == []
        ids = button_ids(intro)
        assert [i.rsplit(":", 1)[1] for i in ids] == ["met", "not_yet", "skipped"]
        assert all(re.fullmatch(r"jb:meetup:\d+:[a-z_]+", i) for i in ids)
        assert "Icebreaker" in intro["embeds"][0]["description"]

    announcement = env.fake.messages[env.fake.program_channel][0]
    assert announcement["embeds"][0]["title"] == t("round.title")
    assert sorted(announcement["allowed_mentions"]["users"]) == sorted(p.user_id for p in everyone)
    # Every send carries the outbox key as a nonce Discord enforces.
    posts = env.fake.called("POST", r"/channels/\d+/messages")
    assert len(posts) == 21
    assert all(c.body and c.body["enforce_nonce"] is True and c.body["nonce"].startswith("jb") for c in posts)


@pytest.mark.parametrize("outcome", ["met", "not_yet", "skipped"])
async def test_buttons_work_after_the_client_restarts(env: Env, outcome: str) -> None:
    await start_round(env, 4)
    await env.deliver()
    thread_id, posts = next(iter(thread_posts(env).items()))
    intro = posts[0]
    first, second = env.fake.thread_members[thread_id]

    await env.restart()  # a new client, as after a deploy: no views in memory
    assert env.fake.identifies == 2

    button = next(i for i in button_ids(intro) if i.endswith(f":{outcome}"))
    answer = await env.send(env.payloads.click(Person(first), intro, button))
    assert answer.kind == 7  # the clicked message is updated for the whole group
    assert answer.update == t(f"outcome.update_{outcome}", user=f"<@{first}>")
    assert answer.ephemeral and answer.text == t(f"outcome.thanks_{outcome}")

    again = await env.send(env.payloads.click(Person(second), intro, button))
    assert again.text == t("outcome.already", outcome=t(f"outcome.name_{outcome}"))
    stranger = await env.send(env.payloads.click(Person(600000000000000099), intro, button))
    assert stranger.text == t("error.not_your_group") and stranger.update is None
    status = await env.slash(Person(first), "status")
    assert t("status.current", partners=f"<@{second}>", outcome=t(f"outcome.name_{outcome}")) in status.text


STILL_IN = [
    ("keep", t("still_in.kept"), t("status.state_active")),
    ("later", t("still_in.later", date="2027-01-18"), t("status.state_paused_until", date="2027-01-18")),
    ("out", t("still_in.out"), t("status.state_left")),
]


@pytest.mark.parametrize(("choice", "update", "state"), STILL_IN, ids=[c[0] for c in STILL_IN])
async def test_after_three_silent_rounds_the_still_in_question_is_answered_by_button(
    env: Env, choice: str, update: str, state: str
) -> None:
    quiet, other = await start_round(env, 2)  # a Friday; rounds are on Mondays at 09:00 UTC
    assert env.app is not None
    for monday in (7, 14, 21):  # nobody says whether they met, three rounds running
        env.clock.now = datetime(2026, 12, monday, 9, 1, tzinfo=UTC)
        assert len((await env.app.ticker.tick()).rounds) == 1
        await env.deliver()
    assert (await env.slash(quiet, "status")).text.startswith(t("status.state_paused"))

    (question,) = env.fake.messages[env.fake.dm_channels[quiet.user_id]]
    assert question["content"] == t("notice.still_in", rounds=3)
    ids = button_ids(question)
    assert [i.split(":")[3] for i in ids] == [
        f"keep@{env.fake.guild_id}",
        f"later@{env.fake.guild_id}",
        f"out@{env.fake.guild_id}",
    ]
    button = next(i for i in ids if i.split(":")[3].startswith(choice))
    answer = await env.send(env.payloads.click(quiet, question, button, dm=True))
    assert answer.kind == 7 and answer.update == update  # the question now shows the answer
    assert answer.ephemeral and answer.text == update

    assert (await env.slash(quiet, "status")).text.startswith(state)
    assert (await env.slash(other, "status")).text.startswith(t("status.state_paused"))  # theirs, unanswered


async def test_a_short_429_is_waited_out_by_discord_py_and_a_long_one_goes_back_to_the_relay(
    env: Env,
) -> None:
    await start_round(env, 8)
    thread_messages = rf"/channels/(?!{env.fake.program_channel})\d+/messages"
    env.fake.rate_limit("POST", thread_messages, retry_after=0.05)  # seconds: discord.py retries
    env.fake.rate_limit("POST", r"/channels/\d+/threads", retry_after=120)  # too long: relay retries
    first = await env.deliver()
    # The long Retry-After holds the whole server, not only the refused row: the intros after
    # it wait too (the relay keeps the wait in the database, for every process).
    assert (first.sent, first.retried, first.failed) == (1, 1, 0)
    assert len(env.fake.threads()) == 0

    env.clock.advance(seconds=121)
    second = await env.deliver()
    assert (second.sent, second.retried, second.failed) == (4, 0, 0)
    posts = thread_posts(env)
    assert len(posts) == 4 and all(len(p) == 1 for p in posts.values())  # each intro once
    rate_limited = [c for c in env.fake.called("POST", thread_messages)]
    assert len(rate_limited) == 5  # four intros, one of them sent twice after the 429
    assert all(status == "sent" for status, _, _ in (await env.outbox()).values())


async def test_a_429_without_via_is_not_retried_by_discord_py_but_by_the_relay(env: Env) -> None:
    await start_round(env, 2)
    env.fake.fail("POST", r"/channels/\d+/messages", 429, {"message": "banned?", "retry_after": 5})
    first = await env.deliver()
    assert first.retried == 1
    env.clock.advance(seconds=60)
    assert (await env.deliver()).sent >= 1
    assert all(status == "sent" for status, _, _ in (await env.outbox()).values())


async def test_when_threads_are_forbidden_each_person_gets_the_intro_by_dm(env: Env) -> None:
    env.fake.forbid("POST", r"/channels/\d+/threads", 50013, "Missing Permissions")
    everyone = await start_round(env, 4)
    blocked = everyone[0]
    blocked_dm = env.fake.dm_channels.setdefault(blocked.user_id, env.fake.snowflake())
    env.fake.forbid("POST", rf"/channels/{blocked_dm}/messages", 50007, "Cannot send messages to this user")

    report = await env.deliver()
    assert (report.sent, report.failed) == (2, 1)  # the announcement, one intro; one partly refused
    assert env.fake.threads() == []
    dms = {user: env.fake.messages.get(channel, []) for user, channel in env.fake.dm_channels.items()}
    assert dms[blocked.user_id] == []
    for person in everyone[1:]:
        (intro,) = dms[person.user_id]
        ids = button_ids(intro)
        # A DM does not say which server a click belongs to, so the button carries it.
        assert all(i.endswith(f"@{env.fake.guild_id}") for i in ids)
        assert intro["allowed_mentions"]["parse"] == []

    # The refusal is on the intro's row, by name; the row is done, so nobody is asked again.
    partner = next(p for p in everyone[1:] if f"<@{blocked.user_id}>" in dms[p.user_id][0]["content"])
    refused = {k: v for k, v in (await env.outbox()).items() if v[0] == "failed"}
    ((key, (_, attempts, error)),) = refused.items()
    assert key.startswith("intro:") and attempts == 1
    assert error == f"DM refused (1 of 2 reached): {blocked.user_id} (50007 does not accept DMs)"
    env.clock.advance(hours=1)
    assert (await env.deliver()).sent == 0
    assert len(env.fake.called("POST", rf"/channels/{blocked_dm}/messages")) == 1
    partner_dm = env.fake.dm_channels[partner.user_id]
    assert len(env.fake.called("POST", rf"/channels/{partner_dm}/messages")) == 1  # their intro, once

    clicker = everyone[1]
    intro = dms[clicker.user_id][0]
    met = next(i for i in button_ids(intro) if ":met@" in i)
    await env.restart()
    answer = await env.send(env.payloads.click(clicker, intro, met, dm=True))
    assert answer.update == t("outcome.update_met", user=f"<@{clicker.user_id}>")
    assert answer.text == t("outcome.thanks_met")


async def test_someone_who_blocks_dms_is_recorded_and_not_retried(env: Env) -> None:
    alone = (await start_round(env, 1))[0]
    dm = env.fake.dm_channels.setdefault(alone.user_id, env.fake.snowflake())
    env.fake.forbid("POST", rf"/channels/{dm}/messages", 50007, "Cannot send messages to this user")
    report = await env.deliver()
    assert report.failed == 1
    env.clock.advance(hours=1)
    await env.deliver()
    attempts = env.fake.called("POST", rf"/channels/{dm}/messages")
    assert len(attempts) == 1
    status, tries, error = next(v for k, v in (await env.outbox()).items() if k.startswith("unpaired:"))
    assert (status, tries) == ("failed", 1) and "50007" in (error or "")


async def test_a_resend_with_the_same_key_returns_the_first_message(env: Env) -> None:
    assert env.client is not None
    messenger = DiscordMessenger(env.client)  # what the relay does after a crash between send and record
    channel = str(env.fake.program_channel)
    first = await messenger.post(env.tenant, channel, Notice("hello"), "jb77")
    again = await messenger.post(env.tenant, channel, Notice("hello"), "jb77")
    assert first == again
    assert len(env.fake.messages[env.fake.program_channel]) == 1


async def test_someone_who_left_the_server_is_not_paired(env: Env) -> None:
    await env.slash(ADMIN, "setup")
    stay, gone = people(3)[:2], people(3)[2]
    for i, person in enumerate([*stay, gone]):
        await env.slash(person, "join", division=DIVISIONS[i])
    del env.fake.members[gone.user_id]  # Discord now answers "Unknown Member" for them
    started = await env.slash(ADMIN, "round-now")
    assert started.text.startswith("Round started: 1 group, 0 people")
    await env.deliver()
    (thread,) = env.fake.threads()
    assert sorted(env.fake.thread_members[int(thread["id"])]) == [p.user_id for p in stay]


async def test_names_through_the_directory_port(env: Env) -> None:
    assert env.client is not None
    directory = DiscordDirectory(env.client)
    env.fake.add_member(42, "ana")
    assert await directory.display_name(env.tenant, "42") == "Ana"  # the global name
    assert await directory.still_present(env.tenant, ["42", "43"]) == {"42"}


async def test_the_check_in_goes_to_the_groups_own_thread(env: Env) -> None:
    await start_round(env, 4)
    await env.deliver()
    env.clock.advance(days=7)  # past half-way, before the next round
    assert env.app is not None
    assert (await env.app.ticker.tick()).checkins == 2
    await env.deliver()
    assert len(env.fake.threads()) == 2  # no new conversation for the check-in
    for thread_id, posts in thread_posts(env).items():
        intro, checkin = posts
        group = sorted(env.fake.thread_members[thread_id])
        assert sorted(checkin["allowed_mentions"]["users"]) == group
        assert button_ids(checkin) == button_ids(intro)


async def test_milestones_are_posted_in_the_shoutout_channel_in_the_morning(env: Env) -> None:
    first, second = await start_round(env, 2)  # a Friday, 03:00 UTC; the program's time is 09:00 UTC
    kudos = env.fake.add_channel("kudos")
    await env.fake.dispatch("CHANNEL_CREATE", env.fake.channels[kudos])
    await env.slash(ADMIN, "setup", shoutout_channel=Channel(kudos))
    await env.deliver()
    ((_, (intro,)),) = thread_posts(env).items()
    met = next(i for i in button_ids(intro) if i.endswith(":met"))
    assert (await env.send(env.payloads.click(first, intro, met))).text == t("outcome.thanks_met")
    assert env.app is not None
    assert (await env.app.ticker.tick()).digests == 0  # nobody is pinged before the program's morning

    env.clock.advance(hours=6, minutes=30)
    tick = await env.app.ticker.tick()
    assert (tick.digests, tick.delivery.sent) == (1, 1)
    (post,) = env.fake.messages[kudos]
    assert post["content"].startswith(t("milestone.title"))
    pair = sorted([first.user_id, second.user_id])
    described = {t("milestone.first_meetup", users=f"<@{a}>, <@{b}>") for a, b in (pair, pair[::-1])}
    assert post["embeds"][0]["description"] in described
    assert sorted(post["allowed_mentions"]["users"]) == pair
    (announcement,) = env.fake.messages[env.fake.program_channel]  # nothing more in the program channel
    assert announcement["embeds"][0]["title"] == t("round.title")


async def test_a_channel_the_bot_may_not_post_in_is_reported_to_the_admin_who_set_it_up(env: Env) -> None:
    channel = env.fake.program_channel
    env.fake.forbid("POST", rf"/channels/{channel}/messages", 50001, "Missing Access")
    await start_round(env, 4)
    await env.deliver()
    await env.deliver()  # the notice is queued when the announcement fails for good
    admin_dm = env.fake.dm_channels[ADMIN.user_id]
    (told,) = env.fake.messages[admin_dm]
    assert f"<#{channel}>" in told["content"] and "50001" in told["content"]
    assert "view that channel, send messages and create private threads" in told["content"]
    assert len(env.fake.threads()) == 2  # the groups themselves were not held back
