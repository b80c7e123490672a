"""The fake Slack's opt-in rate limits behave as Slack documents: a workspace's burst of
conversations.open, then 429 with Retry-After; posts limited per channel; workspaces apart;
and a request sent before its Retry-After is counted against the app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.adapters.slack.fake_slack import FakeSlack, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def limited() -> AsyncIterator[tuple[FakeSlack, Clock, str]]:
    clock = Clock()
    fake = FakeSlack(rate_limits=RateLimits(clock=clock))
    fake.tokens["xoxb-other"] = "T0OTHER"
    for i in range(30):
        fake.add_user(f"U{i:02d}")
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, clock, str(server.make_url("/api/"))
    await server.close()


async def call(url: str, method: str, token: str = "xoxb-test-token", **args: str) -> tuple[int, str | None]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + method, data=args, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        await response.read()
        return response.status, response.headers.get("Retry-After")


async def test_opens_past_the_burst_get_429_with_retry_after_per_workspace(
    limited: tuple[FakeSlack, Clock, str],
) -> None:
    fake, clock, url = limited
    answers = [await call(url, "conversations.open", users=f"U{i:02d}") for i in range(11)]
    assert [s for s, _ in answers[:10]] == [200] * 10
    assert answers[10] == (429, "2")  # one open per 1.2 s: the next is 1.2 s away, said as 2
    assert (await call(url, "conversations.open", "xoxb-other", users="U20"))[0] == 200  # its own budget
    clock.now = 1.0
    await call(url, "conversations.open", users="U11")  # before its Retry-After
    assert fake.throttle.early == 1
    clock.now = 3.5
    assert (await call(url, "conversations.open", users="U12"))[0] == 200
    assert fake.throttle.early == 1


async def test_posts_are_limited_per_channel(limited: tuple[FakeSlack, Clock, str]) -> None:
    fake, clock, url = limited
    assert (await call(url, "chat.postMessage", channel="C1", text="a"))[0] == 200
    assert (await call(url, "chat.postMessage", channel="C2", text="b"))[0] == 200
    assert await call(url, "chat.postMessage", channel="C1", text="c") == (429, "1")
    clock.now = 1.0
    assert (await call(url, "chat.postMessage", channel="C1", text="d"))[0] == 200
    assert fake.throttle.refused == 1 and fake.throttle.early == 0


async def test_without_rate_limits_nothing_is_refused() -> None:
    fake = FakeSlack()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/api/"))
        statuses = [(await call(url, "chat.postMessage", channel="C1", text="x"))[0] for _ in range(5)]
    finally:
        await server.close()
    assert statuses == [200] * 5 and fake.throttle.refused == 0
