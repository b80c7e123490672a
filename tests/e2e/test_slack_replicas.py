"""Three `jembatan run slack --mode http` processes on one PostgreSQL database, each ticking,
on the real clock (issue 13, item 5).

First, bench/ack_load.py in small: 400 signed commands from 50 clients spread over three
processes are each acknowledged within Slack's 3 s, none with a 5xx, and every
acknowledged one is done once (answered once, its delivery id recorded once); none told
"busy" is done. The same burst at a bare Bolt app runs beside it (the figure is the README's).

Two programs are set up, people join, and then both programs are moved to the next minute
(today, UTC), as soon as the first process serves. When the minute comes, all three tickers
see both rounds due at once: each program gets one round for that period, every intro is sent
once, and a command that Slack retries on another process (same trigger id) acts once. While
the minute comes, 100 people type a command at once, spread over the three: each gets one
answer.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench import ack_load
from tests.e2e.bursts import burst
from tests.e2e.conftest import ADMIN
from tests.e2e.harness import (
    DB_POLL,
    POSTGRES_ENV,
    SLACK_READY,
    FakeSlackServer,
    Jembatan,
    SlackClient,
    Stopwatch,
    posted_keys,
    query,
    slack_process,
    wait_until,
)

REPLICAS = 3
PROGRAMS = ("C0REPA", "C0REPB")
PEOPLE = 12
LEAD = timedelta(seconds=5)  # two set-up commands take well under a second; the slot comes after
SHOUTOUT = "kept three replicas honest"
BURST = "C0BURST"


def people(channel: str) -> list[str]:
    return [f"U{channel[-4:]}{i:03d}" for i in range(PEOPLE)]


@dataclass(repr=False)
class Observed:
    fake: FakeSlackServer
    database_url: str
    processes: list[Jembatan]
    slot: datetime
    marks: list[int] = field(default_factory=list)  # each process's log where the slot came
    retried: list[str] = field(default_factory=list)  # response_url names of the retried command
    burst: tuple[Counter[str], Counter[str]] = (Counter(), Counter())  # unanswered, answered twice


def _ids(args: dict[str, Any]) -> list[str]:
    value = args.get("users")
    return [i for i in (value if isinstance(value, list) else str(value or "").split(",")) if i]


def next_slot(now: datetime) -> datetime:
    """The first whole minute at least LEAD from now."""
    at = now + LEAD
    return datetime.fromtimestamp(math.ceil(at.timestamp() / 60) * 60, UTC)


@pytest.fixture(scope="module")
def observed(fake_slack: FakeSlackServer, e2e_postgres_url: str, processes: list[Jembatan]) -> Observed:
    clock = Stopwatch("replicas")
    started = [slack_process(fake_slack, e2e_postgres_url, name=f"slack-{n + 1}") for n in range(REPLICAS)]
    processes.extend(p for p, _ in started)
    # One process first, alone on the CPU, so the set-up comes soon; the others start while
    # the minute comes (one not up yet when the rounds fall due runs them at its first tick).
    started[0][0].start().wait_log(SLACK_READY)
    for process, _ in started[1:]:
        process.start()
    clients = [SlackClient(fake_slack, url) for _, url in started]
    clock.lap("one process ready")

    # Set up for a day far off, everyone joins, then the schedule moves to the next minute:
    # only the two re-set-ups lie between choosing the minute and reaching it.
    far = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
    for channel in PROGRAMS:
        said = clients[0].command(ADMIN, f"setup weekly {far} 09:00 tz=UTC", channel)
        assert "set up" in said["text"], said

    def join(args: tuple[int, str, str]) -> None:
        n, user, channel = args
        fake_slack.add_user(user, f"Person {user}")
        said = clients[0].command(user, f"join {('Finance', 'Sales', 'Legal')[n % 3]}", channel)
        assert "Welcome" in said["text"], said

    everyone = [(n, u, c) for c in PROGRAMS for n, u in enumerate(people(c))]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(join, everyone))

    slot = next_slot(datetime.now(UTC))
    seen = Observed(fake_slack, e2e_postgres_url, [p for p, _ in started], slot)
    setup = f"setup weekly {slot.strftime('%A').lower()} {slot:%H:%M} tz=UTC"
    for channel in PROGRAMS:
        said = clients[0].command(ADMIN, setup, channel)
        assert f" round: {slot:%Y-%m-%d %H:%M}" in said["text"], said  # "Next round" on a change
    clock.lap(f"set up and joined; the rounds are due at {slot:%H:%M:%S}")
    assert datetime.now(UTC) < slot, "the set-up took longer than LEAD; raise it"
    for process, _ in started:
        process.wait_log(SLACK_READY)
    clock.lap("three processes ready")

    # Slack retries a command it thinks timed out, and the retry may reach any replica.
    giver, receiver = people(PROGRAMS[0])[:2]
    text = f"shoutout <@{receiver}|someone> {SHOUTOUT}"
    name = clients[0].send_command(giver, text, PROGRAMS[0], trigger="trig-retried-shoutout")
    for retry in (1, 2):
        clients[retry].send_command(
            giver, text, PROGRAMS[0], name=name, trigger="trig-retried-shoutout", retry=retry
        )
    seen.retried.append(name)

    # While the minute comes: 100 people type at once, spread over the three processes.
    said = clients[0].command(ADMIN, "setup weekly friday 09:00 tz=UTC", BURST)
    assert "set up" in said["text"], said
    seen.burst = burst(fake_slack, clients[0], seen.processes, BURST)
    clock.lap("burst answered")

    # The minute comes; a tick at most 5 s later sees both rounds due, in every process.
    def rounds_run() -> bool:
        return len(query(e2e_postgres_url, "SELECT id FROM rounds")) >= len(PROGRAMS)

    until_slot = (slot - datetime.now(UTC)).total_seconds()
    wait_until(rounds_run, until_slot + 60, "both scheduled rounds", every=DB_POLL)

    clock.lap("both rounds ran")
    seen.marks = [p.mark() for p in seen.processes]

    def delivered() -> bool:
        left = query(e2e_postgres_url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
        return left == [(0,)]

    wait_until(delivered, 90, "every intro sent", every=DB_POLL)
    clock.lap("every intro sent")
    for process, mark in zip(seen.processes, seen.marks, strict=True):
        process.wait_ticks(2, after=mark)  # each ticked twice more: a second round had its chance
    clock.lap("two more ticks in each process")
    return seen


# Defined before the scenario's tests, so it runs before the scenario's three processes start.
def test_a_burst_over_three_processes_is_acknowledged_in_time_and_done_once() -> None:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    commands = 400  # about 15 s on a quiet 2-core machine, six processes started included
    args = ["--replicas", str(REPLICAS), "--commands", str(commands), "--workspaces", "3", "--rounds", "2"]
    args += ["--idle", "0", "--postgres", server]
    report = asyncio.run(ack_load.run(ack_load.parse_args(args)))
    out = report.jembatan
    assert out.acks.statuses == {200: commands}, out.acks.line()  # no 5xx, and every request answered
    assert out.acks.max_ms < 3000, out.acks.line()  # Slack shows an error past 3 s
    assert out.acked > 0 and out.acked + out.busy == commands
    assert (out.lost, out.twice, out.busy_recorded) == (0, 0, 0)
    assert out.recorded == {1: out.acked}  # each acknowledged command's delivery id, once
    assert report.tracebacks == 0
    assert report.bare is not None and report.bare.statuses == {200: commands}


def test_each_process_ticks(observed: Observed) -> None:
    for process in observed.processes:
        assert process.running, process.tail()
        assert process.logged("tick done", process.starts[-1]), process.name


def test_one_round_per_program_and_period(observed: Observed) -> None:
    rounds = query(
        observed.database_url,
        "SELECT p.channel_id, r.period FROM rounds r JOIN programs p ON p.id = r.program_id ORDER BY 1",
    )
    assert rounds == [(c, observed.slot.date().isoformat()) for c in PROGRAMS]
    ran = [line for p in observed.processes for line in p.logged("for program")]
    assert len(ran) == len(PROGRAMS), ran


def test_every_intro_is_sent_once(observed: Observed) -> None:
    groups = query(
        observed.database_url,
        "SELECT p.channel_id, g.conversation_id FROM groups g JOIN rounds r ON r.id = g.round_id "
        "JOIN programs p ON p.id = r.program_id",
    )
    assert Counter(c for c, _ in groups) == {c: PEOPLE // 2 for c in PROGRAMS}
    posts = Counter(c.args.get("channel") for c in observed.fake.posts())
    assert {conversation: posts[conversation] for _, conversation in groups} == {
        conversation: 1 for _, conversation in groups
    }
    for channel in PROGRAMS:
        assert posted_keys(observed.fake, channel, observed.database_url, "announce:") == [1], channel
    statuses = dict(query(observed.database_url, "SELECT status, count(*) FROM outbox GROUP BY status"))
    assert statuses.keys() == {"sent"}, statuses


def test_a_retried_command_on_another_process_acts_once(observed: Observed) -> None:
    rows = query(observed.database_url, "SELECT count(*) FROM shoutouts")
    assert rows == [(1,)]
    posted = [c for c in observed.fake.posts(PROGRAMS[0]) if SHOUTOUT in str(c.args)]
    assert len(posted) == 1, [c.args.get("text") for c in posted]
    answers = observed.fake.responses(observed.retried[0])
    assert len([a for a in answers if "Shout-out posted" in a.get("text", "")]) == 1, answers


def test_a_burst_of_100_commands_over_three_processes_is_answered_once_each(observed: Observed) -> None:
    unanswered, twice = observed.burst
    assert (unanswered, twice) == ({}, {}), f"unanswered: {unanswered}; answered twice: {twice}"
