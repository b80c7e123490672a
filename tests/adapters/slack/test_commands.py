"""Every `/jembatan` subcommand, typed in Slack and answered through its response_url."""

from __future__ import annotations

import json

from tests.adapters.slack.conftest import ADMIN, CHANNEL, Harness
from tests.adapters.slack.fake_slack import user_ids


async def test_help_and_unknown_words_answer_with_the_usage(harness: Harness) -> None:
    for text in ("", "help", "wat is this"):
        answer = await harness.slash("U1", text)
        assert answer["response_type"] == "ephemeral"
        assert "`/jembatan join [division]`" in answer["text"]
    assert "`/jembatan round now`" in (await harness.slash("U1", "help admin"))["text"]


async def test_join_in_a_channel_without_a_program_says_an_admin_must_run_setup(harness: Harness) -> None:
    answer = await harness.slash("U1", "join Finance")
    assert "setup" in answer["text"] and "no Jembatan program" in answer["text"]


async def test_member_commands_change_the_profile_and_membership(program: Harness) -> None:
    h = program
    h.fake.add_user("U1", "Ana")
    assert "Welcome to Jembatan" in (await h.slash("U1", "join Finance"))["text"]
    assert "already in" in (await h.slash("U1", "join"))["text"]
    assert "Sales" in (await h.slash("U1", "division Sales"))["text"]
    assert "Europe/Amsterdam" in (await h.slash("U1", "timezone europe/amsterdam"))["text"]
    assert "I don't know the time zone" in (await h.slash("U1", "timezone Mars/Base"))["text"]
    assert "jazz, climbing" in (await h.slash("U1", "interests jazz, climbing"))["text"]
    assert "Paused for 2 weeks" in (await h.slash("U1", "pause 2"))["text"]
    assert "whole number of weeks" in (await h.slash("U1", "pause forever"))["text"]
    status = (await h.slash("U1", "status"))["text"]
    assert "paused until" in status and "Sales" in status and "jazz" in status
    assert "Welcome back" in (await h.slash("U1", "resume"))["text"]
    assert "left Jembatan" in (await h.slash("U1", "leave"))["text"]
    assert "You've left" in (await h.slash("U1", "status"))["text"]


async def test_shoutout_posts_to_the_channel_with_mentions_and_no_mass_ping(program: Harness) -> None:
    h = program
    h.fake.add_user("U1", "Ana")
    h.fake.add_user("U2", "Budi")
    await h.slash("U1", "join Finance")
    answer = await h.slash("U1", "shoutout <@U2|budi> shipped onboarding <!channel> #teamwork")
    assert "Shout-out posted for <@U2>" in answer["text"]
    await h.deliver()
    [post] = h.fake.posts(CHANNEL)
    shown = json.dumps(post.args["blocks"])
    assert "<@U2>" in shown and "<@U1>" in shown and "#teamwork" in shown
    assert "<!channel>" not in shown and "<!channel>" not in post.args["text"]
    assert "Mention who" in (await h.slash("U1", "shoutout thanks everyone"))["text"]
    assert "others" in (await h.slash("U1", "shoutout <@U1|ana> me"))["text"]


async def test_commands_that_say_payload_are_answered(program: Harness) -> None:
    # Bolt's parser took any body containing "payload" for a button click, and answered 404.
    h = program
    h.fake.add_user("U1", "Ana")
    h.fake.add_user("U2", "Budi")
    await h.slash("U1", "join Finance")
    answer = await h.slash("U1", "shoutout <@U2|budi> thanks for the payload fix")
    assert "Shout-out posted for <@U2>" in answer["text"]
    await h.deliver()
    [post] = h.fake.posts(CHANNEL)
    assert "thanks for the payload fix" in json.dumps(post.args["blocks"])
    answer = await h.slash(ADMIN, "setup shoutouts=<#C0PAYLOAD|payload-team>")
    assert answer["text"].startswith("Updated <#C0PAIRS>"), answer
    assert "Payload" in (await h.slash("U1", "division Payload"))["text"]


async def test_leaderboard_export_and_forget(program: Harness) -> None:
    h = program
    h.fake.add_user("U1", "Ana")
    await h.slash("U1", "join Finance")
    assert "No shout-outs or meetups" in (await h.slash("U1", "leaderboard week"))["text"]
    assert "Choose `week`" in (await h.slash("U1", "leaderboard decade"))["text"]
    assert "everything Jembatan stores" in (await h.slash("U1", "export"))["text"]
    [upload] = h.fake.called("files.completeUploadExternal")
    assert upload.args["channel_id"].startswith("D")  # privately, in the person's DM with the app
    [content] = h.fake.uploads.values()
    assert json.loads(content)["division"] == "Finance"
    assert "forget confirm" in (await h.slash("U1", "forget"))["text"]
    assert "data is erased" in (await h.slash("U1", "forget confirm"))["text"]
    assert "not taking part" in (await h.slash("U1", "status"))["text"]


async def test_admin_commands_for_a_workspace_admin(program: Harness) -> None:
    h = program
    for user, division in {"U1": "Finance", "U2": "Sales", "U3": "Legal", "U4": "Ops"}.items():
        h.fake.add_user(user)
        await h.slash(user, f"join {division}")
    assert "Updated <#C0PAIRS>" in (await h.slash(ADMIN, "setup biweekly thursday 10:30"))["text"]
    assert "Give a time as HH:MM" in (await h.slash(ADMIN, "setup 25:99"))["text"]
    assert "Preview of the next round" in (await h.slash(ADMIN, "round preview"))["text"]
    assert "never be paired" in (await h.slash(ADMIN, "block <@U1|a> <@U2|b>"))["text"]
    assert "Mention two different people" in (await h.slash(ADMIN, "block <@U1|a>"))["text"]
    assert "can now use" in (await h.slash(ADMIN, "admin add <@U3|c>"))["text"]
    assert "Round started: 2 groups" in (await h.slash(ADMIN, "round now"))["text"]
    assert "already run" in (await h.slash(ADMIN, "round now"))["text"]
    stats = await h.slash(ADMIN, "stats")
    assert "Jembatan stats for <#C0PAIRS>" in json.dumps(stats)
    assert stats["blocks"][0]["text"]["text"].startswith("*Jembatan stats")
    assert "CSV files" in (await h.slash(ADMIN, "export csv"))["text"]
    names = sorted(c.args["filename"] for c in h.fake.called("files.getUploadURLExternal"))
    assert "jembatan-stats.png" in names and any(n.endswith(".csv") for n in names)
    # A member an admin listed is an admin too, without being one in Slack.
    assert "Preview" in (await h.slash("U3", "round preview"))["text"]


async def test_the_stats_chart_goes_to_the_admins_dm_not_the_program_channel(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales"})
    await h.slash(ADMIN, "round now")
    await h.deliver()
    await h.slash(ADMIN, "stats")
    [chart] = h.fake.called("files.getUploadURLExternal")
    assert chart.args["filename"] == "jembatan-stats.png"
    [done] = h.fake.called("files.completeUploadExternal")
    assert done.args["channel_id"] == h.fake.dm_of(ADMIN) != CHANNEL
    assert h.fake.uploads[done.args["files"][0]["id"]].startswith(b"\x89PNG")


async def test_everyone_else_gets_a_polite_refusal_and_nothing_changes(program: Harness) -> None:
    h = program
    await h.join_everyone({"U1": "Finance", "U2": "Sales"})
    h.fake.add_user("U9", "Nina")
    for text in (
        "setup monthly",
        "round now",
        "stats",
        "block <@U1|a> <@U2|b>",
        "admin add <@U9|n>",
        "export csv",
    ):
        assert "only workspace admins" in (await h.slash("U9", text))["text"], text
    assert "only workspace admins" in (await h.slash("U9", "setup", channel="C0OTHER"))["text"]
    await h.deliver()
    # No round started: nobody was introduced and nothing was announced.
    assert not h.fake.called("conversations.open") and not h.fake.posts()
    assert not h.fake.called("files.getUploadURLExternal")
    assert "only workspace admins" in (await h.slash("U9", "round preview"))["text"]  # still not an admin
    assert "weekly" in (await h.slash(ADMIN, "setup"))["text"]  # the program is as it was
    # U1 and U2 were not blocked: the admin's round pairs them.
    assert "Round started: 1 group," in (await h.slash(ADMIN, "round now"))["text"]
    await h.deliver()
    assert user_ids(h.fake.called("conversations.open")) == [("U1", "U2")]


async def test_a_replayed_command_acts_once(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    first = await h.slash("U1", "join Finance", trigger="trig-same")
    again = await h.slash("U1", "join Finance", trigger="trig-same")
    assert "Welcome" in first["text"]
    assert "arrived twice" in again["text"]
    shout = await h.slash(ADMIN, "shoutout <@U1|a> great work", trigger="trig-shout")
    await h.slash(ADMIN, "shoutout <@U1|a> great work", trigger="trig-shout")
    assert "posted" in shout["text"]
    await h.deliver()
    assert len(h.fake.posts(CHANNEL)) == 1


async def test_commands_in_a_dm_with_the_app_use_the_only_program(program: Harness) -> None:
    h = program
    h.fake.add_user("U1")
    answer = await h.slash("U1", "join Finance", channel="D0ANA")
    assert "Welcome" in answer["text"]
    # `setup` is the one command a DM cannot stand in for: it names the pairing channel.
    answer = await h.slash(ADMIN, "setup weekly", channel="D0ADMIN")
    assert answer["text"] == "Run `/jembatan setup` in the channel where the pairs should be announced."
