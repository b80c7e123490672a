"""The Messenger and Directory ports over the real client: Slack's answers sorted for the relay."""

from __future__ import annotations

import time

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from adapters.slack.clients import StaticToken, Workspaces, retry_handlers
from adapters.slack.directory import SlackDirectory
from adapters.slack.messenger import SlackMessenger
from bot.domain.model import Platform, TenantRef
from bot.messages import Attachment, Notice, ToGroup
from bot.ports import DeliveryFailed
from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.fake_slack import FakeSlack

TENANT = TenantRef(Platform.SLACK, "T0ACME")


def ports(fake: FakeSlack, base_url: str | None = None) -> tuple[SlackMessenger, SlackDirectory]:
    workspaces = Workspaces(StaticToken(fake.bot_token), base_url or fake.base_url + "/api/", timeout=5)
    return SlackMessenger(workspaces), SlackDirectory(workspaces)


async def test_a_group_dm_for_the_groups_people_and_a_post_in_it(fake: FakeSlack) -> None:
    messenger, _ = ports(fake)
    for user in ("U1", "U2", "U3"):
        fake.add_user(user)
    conversation = await messenger.open_group(TENANT, ToGroup(5, ("U1", "U2", "U3"), "C0PAIRS", "intro"))
    assert conversation.startswith("G")
    [call] = fake.called("conversations.open")
    assert sorted(call.args["users"].split(",")) == ["U1", "U2", "U3"]
    ts = await messenger.post(TENANT, conversation, Notice("hello"), "jb42")
    assert fake.messages[(conversation, ts)].text == "hello"
    assert fake.posts()[0].args["metadata"]["event_payload"] == {"key": "jb42"}
    assert fake.posts()[0].token == fake.bot_token


async def test_a_direct_post_and_an_upload_reach_the_person(fake: FakeSlack) -> None:
    messenger, _ = ports(fake)
    fake.add_user("U1")
    await messenger.post_direct(TENANT, "U1", Notice("a word"), "jb1")
    assert fake.posts()[0].args["channel"] == "U1"
    await messenger.send_file(TENANT, "U1", Attachment("chart.png", b"\x89PNG...", "Chart"))
    assert list(fake.uploads.values()) == [b"\x89PNG..."]
    [done] = fake.called("files.completeUploadExternal")
    assert done.args["channel_id"].startswith("D") and done.args["files"][0]["title"] == "Chart"


async def test_a_429_reaches_the_caller_at_once_with_its_retry_after(fake: FakeSlack) -> None:
    # The relay's pace in the database is the only retry: the client neither sleeps nor sends again.
    messenger, _ = ports(fake)
    fake.fail("chat.postMessage", status=429, retry_after=30)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as failed:
        await messenger.post(TENANT, "C1", Notice("x"), "k")
    assert time.monotonic() - started < 5
    assert failed.value.retryable and failed.value.retry_after == 30 and not failed.value.tenant_gone
    assert len(fake.posts()) == 1  # the refused request, and no second one
    assert all(not isinstance(h, AsyncRateLimitErrorRetryHandler) for h in retry_handlers())


@pytest.mark.parametrize(
    ("status", "error", "retryable", "gone"),
    [
        (500, "fatal_error", True, False),
        (503, "service_unavailable", True, False),
        (502, "bad_gateway", True, False),
        (200, "channel_not_found", False, False),
        (200, "not_in_channel", False, False),
        (200, "invalid_auth", False, True),
        (200, "account_inactive", False, True),
        (200, "token_revoked", False, True),
    ],
)
async def test_slack_errors_are_sorted_for_the_relay(
    fake: FakeSlack, status: int, error: str, retryable: bool, gone: bool
) -> None:
    messenger, _ = ports(fake)
    fake.fail("chat.postMessage", status=status, error=error, times=2)
    with pytest.raises(DeliveryFailed) as failed:
        await messenger.post(TENANT, "C1", Notice("x"), "k")
    assert (failed.value.reason, failed.value.retryable, failed.value.tenant_gone) == (error, retryable, gone)


async def test_an_unreachable_slack_is_retryable(fake: FakeSlack) -> None:
    messenger, directory = ports(fake, "http://127.0.0.1:9/api/")
    with pytest.raises(DeliveryFailed) as failed:
        await messenger.post(TENANT, "C1", Notice("x"), "k")
    assert failed.value.retryable and failed.value.reason.startswith("connection")
    # Asking who is around does not cost people their round when Slack cannot answer.
    assert await directory.still_present(TENANT, ["U1", "U2"]) == {"U1", "U2"}
    assert await directory.is_platform_admin(TENANT, "U1") is False


async def test_the_directory_knows_names_departures_and_admins(fake: FakeSlack) -> None:
    _, directory = ports(fake)
    fake.add_user("U1", "Ana", admin=True)
    fake.add_user("U2", "Budi", deleted=True)
    fake.add_user("U3", owner=True)
    for i in range(450):
        fake.add_user(f"U9{i:04d}")
    assert await directory.display_name(TENANT, "U1") == "Ana"
    assert await directory.display_name(TENANT, "U404") == "U404"
    wanted = ["U1", "U2", "U3", "U90449"]
    assert await directory.still_present(TENANT, wanted) == {"U1", "U3", "U90449"}
    assert len(fake.called("users.list")) == 3  # 200 a page
    assert await directory.is_platform_admin(TENANT, "U1")
    assert await directory.is_platform_admin(TENANT, "U3")
    assert not await directory.is_platform_admin(TENANT, "U90001")
    calls = len(fake.called("users.info"))
    assert await directory.is_platform_admin(TENANT, "U1")  # remembered for a few minutes
    assert len(fake.called("users.info")) == calls


async def test_a_429_holds_the_workspace_in_the_outbox_until_retry_after(program: Harness) -> None:
    # Slack's Retry-After reaches the outbox, which sends nothing to the workspace before it
    # ends (and, through the pace row, neither does any other replica).
    h = program
    h.fake.add_user("U1", "Ana")
    h.fake.add_user("U2", "Budi")
    await h.slash("U1", "join Finance")
    assert "Shout-out posted" in (await h.slash("U1", "shoutout <@U2|budi> fixed the build"))["text"]
    h.fake.fail("chat.postMessage", status=429, retry_after=30)
    started = time.monotonic()
    await h.deliver()
    assert time.monotonic() - started < 10  # no sleeping through the 30 s inside the client
    assert len(h.fake.posts()) == 1  # the refused post only
    h.clock.advance(seconds=29)
    await h.deliver()
    assert len(h.fake.posts()) == 1  # nothing before the Retry-After is over
    h.clock.advance(seconds=2)
    await h.deliver()
    posts = h.fake.posts()
    assert len(posts) == 2 and "fixed the build" in str(posts[1].args)


async def test_the_dashboards_recheck_asks_slack_again_not_the_five_minute_memory(fake: FakeSlack) -> None:
    # The dashboard asks again a minute after its last answer; a demoted admin must be refused
    # then, not only once the directory's memory of the old answer runs out minutes later.
    _, directory = ports(fake)
    fake.add_user("U1", "Ana", admin=True)
    assert await directory.is_platform_admin(TENANT, "U1")
    fake.add_user("U1", "Ana", admin=False)  # demoted in Slack
    assert await directory.is_platform_admin(TENANT, "U1")  # chat's commands: remembered
    assert not await directory.is_platform_admin_now(TENANT, "U1")
    assert not await directory.is_platform_admin(TENANT, "U1")  # and the memory is corrected
