"""A round's delivery on the real clock, through restarts and a SIGTERM, on one real
`jembatan run slack --mode http` process (SQLite).

Two programs, both set up for a weekday three days ahead (so no scheduled round falls due):
- #once: 6 people, `round now`; once delivered, the process is stopped and started again:
  every group got its intro exactly once, one announcement, and no second round that week.
- #term: 64 people (32 groups: at one send every 1.2 s, longer than the 30 s an orchestrator
  waits), `round now`; after the first intro the process gets SIGTERM, as `docker stop` sends.
  It must exit 0 within 30 s with the send in flight finished and no row left `sending`, and
  the restarted process must deliver the rest, each intro exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.model import Lang
from bot.i18n import texts
from tests.e2e.conftest import ADMIN
from tests.e2e.harness import (
    DB_POLL,
    SLACK_READY,
    FakeSlackServer,
    Jembatan,
    SlackClient,
    Stopwatch,
    Timeout,
    posted_keys,
    query,
    slack_process,
    wait_until,
)

ONCE, TERM = "C0ONCE", "C0TERM"
DIVISIONS = ("Finance", "Engineering", "Operations", "Sales")
# 32 groups and an announcement: after the first intro, 31 sends paced 1.2 s apart are left,
# over 37 s of work, so a process that drains its batch before exiting cannot make 30 s.
TERM_PEOPLE = 64
ONCE_PEOPLE = 6
GRACE = 30  # seconds: what `docker stop` and Kubernetes give a process after SIGTERM
STALL = 12  # seconds without a single send after the restart: the rest is not coming soon


def users(channel: str, count: int) -> list[str]:
    return [f"U{channel[-4:]}{i:03d}" for i in range(count)]


@dataclass(repr=False)  # failures print the fields they name, not the whole record
class Observed:
    database_url: str
    fake: FakeSlackServer
    process: Jembatan
    term_started: int = 0  # intros to #term sent before SIGTERM
    term_exit: int | None = None
    term_seconds: float = 0.0
    outbox_at_exit: dict[str, int] = field(default_factory=dict)
    click: tuple[str, str] = ("", "")  # the intro clicked: channel, ts
    drained: bool = False
    drain_problem: str = ""


def outbox(database_url: str) -> dict[str, int]:
    return dict(query(database_url, "SELECT status, count(*) FROM outbox GROUP BY status"))  # type: ignore[arg-type]


def groups_of(database_url: str, channel: str) -> list[tuple[Any, ...]]:
    return query(
        database_url,
        "SELECT g.id, g.conversation_id, r.period FROM groups g JOIN rounds r ON r.id = g.round_id "
        "JOIN programs p ON p.id = r.program_id WHERE p.channel_id = :c",
        c=channel,
    )


def intro_posts(fake: FakeSlackServer, people: list[str]) -> Counter[str]:
    """Posts per group conversation of these people (conversation ids come from the fake)."""
    opened = {
        fake.fake._conversation_id(sorted(_ids(c.args)))
        for c in fake.calls("conversations.open")
        if set(_ids(c.args)) <= set(people) and len(_ids(c.args)) > 1
    }
    return Counter(c.args["channel"] for c in fake.posts() if c.args.get("channel") in opened)


def _ids(args: dict[str, Any]) -> list[str]:
    value = args.get("users")
    return [i for i in (value if isinstance(value, list) else str(value or "").split(",")) if i]


def intro_posts_now(fake: Any, channel: str) -> set[str]:
    """On the fake's loop: the group conversations of `channel`'s people that got a post."""
    people = set(users(channel, ONCE_PEOPLE if channel == ONCE else TERM_PEOPLE))
    opened = {
        fake._conversation_id(sorted(_ids(c.args)))
        for c in fake.calls
        if c.method == "conversations.open" and set(_ids(c.args)) <= people and len(_ids(c.args)) > 1
    }
    return {c.args["channel"] for c in fake.posts() if c.args.get("channel") in opened}


def undelivered(database_url: str) -> int:
    counts = outbox(database_url)
    return counts.get("pending", 0) + counts.get("sending", 0)


def drain(observed: Observed, within: float = 120) -> None:
    """Wait until the outbox is empty, giving up early when no send happened for STALL s."""
    last = [observed.fake.call(lambda f: len(f.calls)), time.monotonic()]

    def done() -> bool:
        if undelivered(observed.database_url) == 0:
            return True
        calls = observed.fake.call(lambda f: len(f.calls))
        if calls != last[0]:
            last[:] = [calls, time.monotonic()]
        elif time.monotonic() - last[1] > STALL:
            raise Timeout(f"no send for {STALL} s with {outbox(observed.database_url)} in the outbox")
        return False

    wait_until(done, within, "the outbox drained", every=DB_POLL)


@pytest.fixture(scope="module")
def observed(fake_slack: FakeSlackServer, sqlite_url: str, processes: list[Jembatan]) -> Observed:
    clock = Stopwatch("delivery")
    process, url = slack_process(fake_slack, sqlite_url)
    processes.append(process)
    process.start().wait_log(SLACK_READY)
    client = SlackClient(fake_slack, url)
    clock.lap("ready")
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%A").lower()
    for channel in (ONCE, TERM):
        said = client.command(ADMIN, f"setup weekly {later} 09:00 tz=UTC", channel)
        assert "set up" in said["text"], said

    def join(args: tuple[int, str, str]) -> None:
        i, user, channel = args
        fake_slack.add_user(user, f"Person {user}")
        said = client.command(user, f"join {DIVISIONS[i % 4]}", channel)
        assert "Welcome" in said["text"], said

    people = [(i, u, ONCE) for i, u in enumerate(users(ONCE, ONCE_PEOPLE))]
    people += [(i, u, TERM) for i, u in enumerate(users(TERM, TERM_PEOPLE))]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(join, people))

    clock.lap("set up, everyone joined")
    seen = Observed(sqlite_url, fake_slack, process)
    # #once: a round, delivered in full, then a restart with nothing left to do.
    said = client.command(ADMIN, "round now", ONCE)["text"]
    assert f"Round started: {ONCE_PEOPLE // 2} group" in said, said
    drain(seen)
    clock.lap("#once delivered")
    # One of them clicks "we met" on their intro: the message shows it, they get a thank-you.
    intro = fake_slack.call(
        lambda f: next(m for (channel, _), m in f.messages.items() if channel in intro_posts_now(f, ONCE))
    )
    met = next(e["action_id"] for b in intro.blocks if b.get("type") == "actions" for e in b["elements"])
    assert client.click(users(ONCE, ONCE_PEOPLE)[0], met, intro.channel, intro.ts) == 200
    seen.click = (intro.channel, intro.ts)
    wait_until(lambda: fake_slack.calls("chat.update"), 30, "the intro updated after the click")

    # #term: SIGTERM at the first intro of a delivery longer than the grace period. (The
    # restart after it is #once's restart too: everything there was delivered before.)
    started = client.command(ADMIN, "round now", TERM)["text"]
    assert f"Round started: {TERM_PEOPLE // 2} group" in started, started
    term = users(TERM, TERM_PEOPLE)
    wait_until(lambda: sum(intro_posts(fake_slack, term).values()) >= 1, 60, "an intro in #term")
    seen.term_started = sum(intro_posts(fake_slack, term).values())
    clock.lap("first intro in #term: SIGTERM")
    began = time.monotonic()
    seen.term_exit = process.stop(within=GRACE + 60)
    seen.term_seconds = time.monotonic() - began
    seen.outbox_at_exit = outbox(sqlite_url)

    clock.lap(f"exited ({seen.term_exit})")
    restarted = process.mark()
    process.start().wait_log(SLACK_READY)
    clock.lap("restarted")
    try:
        drain(seen)
        seen.drained = True
    except Timeout as stalled:
        seen.drain_problem = str(stalled)
    clock.lap(f"drained: {seen.drained}")
    process.wait_ticks(1, after=restarted)  # a whole tick of the new process: no second round
    clock.lap("a tick since the restart")
    return seen


def test_round_now_delivers_every_intro_once_and_restarts_add_nothing(observed: Observed) -> None:
    groups = groups_of(observed.database_url, ONCE)
    assert len({period for _, _, period in groups}) == 1 and len(groups) == ONCE_PEOPLE // 2, groups
    posts = intro_posts(observed.fake, users(ONCE, ONCE_PEOPLE))
    assert sorted(posts.values()) == [1] * (ONCE_PEOPLE // 2), posts
    assert sorted(posts) == sorted(conversation for _, conversation, _ in groups)
    assert posted_keys(observed.fake, ONCE, observed.database_url, "announce:") == [1]  # once
    clicked = observed.fake.call(lambda f: f.messages[observed.click])
    assert clicked.updates == 1 and "met" in str(clicked.blocks).lower(), clicked.blocks
    thanks = texts(Lang.EN, "slack")("outcome.thanks_met")
    assert [r["text"] for r in observed.fake.responses() if r["_url"].startswith("click-")] == [thanks]
    rounds = query(
        observed.database_url,
        "SELECT count(*) FROM rounds r JOIN programs p ON p.id = r.program_id WHERE p.channel_id = :c",
        c=ONCE,
    )
    assert rounds == [(1,)], "a second round ran in the same week after a restart"


def test_sigterm_during_delivery_finishes_the_send_in_flight_and_exits_within_30s(
    observed: Observed,
) -> None:
    assert observed.term_exit == 0, observed.process.tail()
    assert observed.term_seconds <= GRACE, f"exited {observed.term_seconds:.1f} s after SIGTERM"
    assert observed.outbox_at_exit.get("sending", 0) == 0, f"outbox at exit: {observed.outbox_at_exit}"


def test_the_restart_after_sigterm_delivers_the_rest_exactly_once(observed: Observed) -> None:
    assert observed.drained, observed.drain_problem
    groups = groups_of(observed.database_url, TERM)
    posts = intro_posts(observed.fake, users(TERM, TERM_PEOPLE))
    assert len(groups) == TERM_PEOPLE // 2
    assert sorted(posts.values()) == [1] * (TERM_PEOPLE // 2), {k: v for k, v in posts.items() if v != 1}
    assert posted_keys(observed.fake, TERM, observed.database_url, "announce:") == [1]
    assert outbox(observed.database_url).keys() == {"sent"}
