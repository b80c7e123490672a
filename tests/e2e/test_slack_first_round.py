"""Set-up on any weekday, on the real clock: the first round is the one set-up announced.

One real `jembatan run slack --mode http` process serves eight channels at once: seven set
up for a slot on each of the last seven days (tz=UTC, five minutes before now: today's and
yesterday's lie inside the two-day catch-up window, the others outside it), one set up with
the defaults (Monday 09:00). Twelve people join the first seven, one person the last. After
two more ticks nothing may have run: no round, no announcement, no intro, no "nobody to pair
with" DM (issue 10, defect 1).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.bursts import burst
from tests.e2e.conftest import ADMIN
from tests.e2e.harness import (
    SLACK_READY,
    FakeSlackServer,
    Jembatan,
    SlackClient,
    Stopwatch,
    query,
    slack_process,
)

NOW = datetime.now(UTC)
DIVISIONS = ("Finance", "Engineering", "Operations")


def _last_monday_nine(now: datetime) -> datetime:
    day = now.date() - timedelta(days=now.weekday())
    slot = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return slot if slot <= now else slot - timedelta(days=7)


@dataclass
class Case:
    name: str
    channel: str
    setup: str
    joiners: int
    slot: datetime  # the latest slot at or before now, by the set-up's rule
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def users(self) -> list[str]:
        return [f"U{self.channel[-2:]}{i:03d}" for i in range(self.joiners)]


def _cases() -> list[Case]:
    cases = []
    for back in range(7):
        slot = NOW - timedelta(days=back, minutes=5)
        weekday = slot.strftime("%A").lower()
        name = f"{back}-days-ago-{weekday}"
        setup = f"setup weekly {weekday} {slot:%H:%M} tz=UTC"
        cases.append(Case(name, f"C0DAY{back:02d}", setup, 12, slot.replace(second=0, microsecond=0)))
    cases.append(Case("default-monday-0900", "C0DEF07", "setup", 1, _last_monday_nine(NOW)))
    return cases


CASES = _cases()


def _param(case: Case) -> Any:
    return pytest.param(case, id=case.name)


@dataclass
class Scenario:
    fake: FakeSlackServer
    process: Jembatan
    database_url: str
    url: str
    cases: list[Case]


@pytest.fixture(scope="module")
def scenario(fake_slack: FakeSlackServer, sqlite_url: str, processes: list[Jembatan]) -> Scenario:
    clock = Stopwatch("first-round")
    process, url = slack_process(fake_slack, sqlite_url)
    processes.append(process)
    process.start().wait_log(SLACK_READY)
    client = SlackClient(fake_slack, url)
    clock.lap("ready")
    # The default case first, its one person right after the set-up: a round run at the next
    # tick finds them alone and sends the "nobody to pair with" DM the issue saw.
    for case in reversed(CASES):
        case.answers["setup"] = client.command(ADMIN, case.setup, case.channel)
        if case.joiners == 1:
            fake_slack.add_user(case.users[0], "Alone")
            case.answers[case.users[0]] = client.command(case.users[0], "join", case.channel)

    def join_all(case: Case) -> None:
        for i, user in enumerate(case.users):
            fake_slack.add_user(user, f"Person {user}")
            case.answers[user] = client.command(user, f"join {DIVISIONS[i % 3]}", case.channel)

    # A few channels at a time, one person after another in each, as people trickle in.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(join_all, [c for c in CASES if c.joiners > 1]))
    clock.lap("set up and joined")
    process.wait_ticks(2)
    clock.lap("two ticks")
    return Scenario(fake_slack, process, sqlite_url, url, CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_no_round_before_the_announced_first_round(scenario: Scenario, case: Case) -> None:
    said = case.answers["setup"]["text"]
    first = re.search(r"First round: (\d{4}-\d\d-\d\d \d\d:\d\d)", said)
    assert first, said
    assert datetime.fromisoformat(first[1]).replace(tzinfo=UTC) > NOW, said  # (in UTC for these)
    for user in case.users:
        assert "Welcome to Jembatan" in case.answers[user]["text"], case.answers[user]

    rounds = query(
        scenario.database_url,
        "SELECT r.period FROM rounds r JOIN programs p ON p.id = r.program_id WHERE p.channel_id = :c",
        c=case.channel,
    )
    posted = [c.args.get("text", "")[:80] for c in scenario.fake.posts(case.channel)]
    people = set(case.users)
    opened = [c for c in scenario.fake.calls("conversations.open") if people & set(_ids(c.args))]
    dms = {scenario.fake.fake.dm_of(u) for u in people} | people
    direct = [c.args.get("text", "")[:80] for c in scenario.fake.posts() if c.args.get("channel") in dms]
    assert (rounds, posted, len(opened), direct) == ([], [], 0, []), (
        f"set-up said {first[1]!r}; rounds run: {rounds}; channel posts: {posted}; DMs: {direct}"
    )


def _ids(args: dict[str, Any]) -> list[str]:
    users = args.get("users")
    return users if isinstance(users, list) else str(users or "").split(",")


def test_a_burst_of_100_commands_is_answered_once_each(scenario: Scenario) -> None:
    client = SlackClient(scenario.fake, scenario.url)
    said = client.command(ADMIN, "setup weekly friday 09:00 tz=UTC", "C0BURST")
    assert "set up" in said["text"], said
    unanswered, twice = burst(scenario.fake, client, [scenario.process], "C0BURST")
    assert (unanswered, twice) == ({}, {}), f"unanswered: {unanswered}; answered twice: {twice}"
