"""A crash between making a group's private thread and recording it: the retry finds the thread
it made instead of making a second one, and the intro goes there once."""

from __future__ import annotations

import re

import pytest

from bot.store.rounds import Groups
from tests.adapters.discord.conftest import Env
from tests.adapters.discord.test_rounds import start_round


async def test_a_crash_before_the_thread_is_recorded_makes_no_second_thread(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    everyone = await start_round(env, 6)
    recorded = Groups.set_conversation
    calls, crashes = [], []

    async def crash_once(self: Groups, group_id: int, conversation_id: str) -> None:
        calls.append(group_id)
        if len(calls) == 2:  # the second group: another group's thread already exists
            crashes.append(conversation_id)
            raise RuntimeError("the process died here")  # the thread exists; our record does not
        await recorded(self, group_id, conversation_id)

    monkeypatch.setattr(Groups, "set_conversation", crash_once)
    await env.deliver()
    env.clock.advance(minutes=5)  # past the retry's backoff
    await env.deliver()

    threads = env.fake.threads()
    assert len(threads) == 3  # one per group: the orphan was found again, not made twice
    assert str(crashes[0]) in {th["id"] for th in threads}
    for thread in threads:
        (intro,) = env.fake.messages.get(int(thread["id"]), [])  # its intro, once
        named = sorted(int(u) for u in re.findall(r"<@(\d+)>", intro["content"]))
        assert sorted(env.fake.thread_members[int(thread["id"])]) == named  # and only its people
    members = sorted(u for th in threads for u in env.fake.thread_members[int(th["id"])])
    assert members == sorted(p.user_id for p in everyone)
    assert {status for status, _, _ in (await env.outbox()).values()} == {"sent"}
