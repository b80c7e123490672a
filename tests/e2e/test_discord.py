"""The real `jembatan run discord` process against the local Discord (REST and gateway), on
the real clock: set-up, twelve joins and `round-now` make one private thread per group with
one intro each; a restart (a new gateway session) makes no thread and sends no message twice,
and runs no second round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.adapters.discord.fake_discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Person
from tests.e2e.harness import (
    DB_POLL,
    FakeDiscordServer,
    Jembatan,
    Stopwatch,
    discord_process,
    query,
    wait_until,
)

ADMIN = Person(500000000000000001, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
PEOPLE = [Person(700000000000000000 + i) for i in range(12)]
DIVISIONS = ("Finance", "Engineering", "Operations")
PRIVATE_THREAD = 12


@dataclass(repr=False)
class Observed:
    fake: FakeDiscordServer
    database_url: str
    process: Jembatan
    before_restart: dict[str, Any]


def snapshot(fake: FakeDiscordServer) -> dict[str, Any]:
    """Threads (with members and messages) and the program channel's messages, as the fake saw."""

    def take(f: Any) -> dict[str, Any]:
        return {
            "threads": {
                int(t["id"]): {
                    "type": t["type"],
                    "members": sorted(f.thread_members.get(int(t["id"]), [])),
                    "messages": len(f.messages.get(int(t["id"]), [])),
                }
                for t in f.threads()
            },
            "channel": len(f.messages.get(f.program_channel, [])),
            "posts": len(f.called("POST", r"/channels/\d+/messages")),
        }

    return fake.call(take)


@pytest.fixture(scope="module")
def observed(fake_discord: FakeDiscordServer, sqlite_url: str, processes: list[Jembatan]) -> Observed:
    clock = Stopwatch("discord")
    process = discord_process(fake_discord, sqlite_url)
    processes.append(process)
    process.start()
    fake_discord.connected(1)
    clock.lap("connected")
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
    said = fake_discord.slash(ADMIN, "setup", weekday=later, time="09:00", timezone="UTC")
    assert "set up" in said.text, said.text
    for i, person in enumerate(PEOPLE):
        said = fake_discord.slash(person, "join", division=DIVISIONS[i % 3])
        assert "Welcome" in said.text, said.text
    said = fake_discord.slash(ADMIN, "round-now")
    assert "Round started: 6 group" in said.text, said.text
    clock.lap("set up, joined, round started")

    def delivered() -> bool:
        left = query(sqlite_url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
        return left == [(0,)] and snapshot(fake_discord)["channel"] >= 1

    wait_until(delivered, 60, "the round delivered", every=DB_POLL)
    before = snapshot(fake_discord)
    clock.lap("delivered")

    assert process.stop() == 0, process.tail()
    restarted = process.mark()
    process.start()
    fake_discord.connected(2)
    process.wait_ticks(1, after=restarted)  # a whole tick of the new process (it delivers too)
    clock.lap("restarted, a tick")
    return Observed(fake_discord, sqlite_url, process, before)


def test_round_now_makes_one_private_thread_per_group_with_one_intro(observed: Observed) -> None:
    groups = query(
        observed.database_url,
        "SELECT g.id, g.conversation_id FROM groups g JOIN rounds r ON r.id = g.round_id",
    )
    threads = observed.before_restart["threads"]
    assert len(groups) == 6 and len(threads) == 6, (groups, threads)
    assert {int(conversation) for _, conversation in groups} == set(threads)
    assert {t["type"] for t in threads.values()} == {PRIVATE_THREAD}
    assert sorted(t["messages"] for t in threads.values()) == [1] * 6
    everyone = sorted(m for t in threads.values() for m in t["members"])
    assert everyone == sorted(p.user_id for p in PEOPLE)  # each person in exactly one thread
    assert observed.before_restart["channel"] == 1  # the announcement


def test_a_restart_creates_no_thread_and_sends_nothing_twice(observed: Observed) -> None:
    after = snapshot(observed.fake)
    assert after == observed.before_restart
    assert observed.fake.call(lambda f: f.identifies) == 2  # it did log in again
    assert query(observed.database_url, "SELECT count(*) FROM rounds") == [(1,)]
