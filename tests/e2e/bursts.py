"""A burst of slash commands from distinct people, and how many answers each one got."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from tests.e2e.harness import FakeSlackServer, Jembatan, SlackClient, wait_until

KINDS = ("join Finance", "status", "profile")
STALL = 15  # seconds without a new answer: the missing ones are not coming


def burst(
    fake: FakeSlackServer,
    client: SlackClient,
    processes: Sequence[Jembatan],
    channel: str,
    count: int = 100,
) -> tuple[Counter[str], Counter[str]]:
    """`count` people type at once (a third each: join, status, profile), spread round-robin
    over the processes; returns the kinds of command left unanswered and those answered more
    than once. An answer is what reached the command's response_url, or for `profile` the
    modal it opens. The program in `channel` must be set up."""
    people = [f"U{channel[-4:]}B{i:03d}" for i in range(count)]
    for user in people:
        fake.add_user(user, f"Burst {user}")
    kinds = [KINDS[i % 3] for i in range(count)]
    urls = [p.url for p in processes if p.url]
    sent = client.burst([(u, k, channel) for u, k in zip(people, kinds, strict=True)], spread=urls)
    assert [status for _, _, status, _ in sent] == [200] * count, Counter(s for _, _, s, _ in sent)

    def answers() -> list[int]:
        # A command turned away while the process is busy is answered in its acknowledgement
        # ("busy, try again"): told, and nothing done, which is an answer too.
        replies = Counter(r["_url"] for r in fake.responses())
        modals = Counter(c.args.get("trigger_id") for c in fake.calls("views.open"))
        return [
            (modals[trigger] if kind == "profile" else replies[name]) + bool(told.strip())
            for kind, (name, trigger, _, told) in zip(kinds, sent, strict=True)
        ]

    progress = [0, time.monotonic()]

    def settled() -> bool:
        got = sum(1 for n in answers() if n)
        if got != progress[0]:
            progress[:] = [got, time.monotonic()]
        elif time.monotonic() - progress[1] > STALL:
            return True  # nothing new for a while: what is missing is not coming
        return got == count

    wait_until(settled, 180, "every command of the burst answered")
    for process in processes:
        process.wait_ticks(1)  # a late duplicate has had its chance to arrive
    counts = answers()
    unanswered = Counter(k for k, n in zip(kinds, counts, strict=True) if n == 0)
    twice = Counter(k for k, n in zip(kinds, counts, strict=True) if n > 1)
    return unanswered, twice
