"""A whole run at DEBUG, in JSON, as an operator would ship it to a log pipeline: every line is
one JSON object, and nothing token-shaped, no secret and no message a person wrote reaches it."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import ADMIN
from tests.e2e.harness import (
    SIGNING_SECRET,
    SLACK_READY,
    FakeSlackServer,
    SlackClient,
    slack_process,
    wait_until,
)

CHANNEL = "C0LOGS"
SHOUT = "rescued the quarterly close with a spreadsheet nobody else could read"
# Slack tokens (xoxb-, xoxp-, xapp-, xoxe-), Discord bot tokens, Fernet tokens, bearer headers.
TOKEN_SHAPED = re.compile(
    r"xox[abposre]-[0-9A-Za-z-]{6,}|xapp-[0-9A-Za-z-]{6,}|[MNO][A-Za-z0-9_-]{23,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}"
    r"|gAAAAA[A-Za-z0-9_-]{20,}|Bearer\s+\S+|Bot\s+[A-Za-z0-9_.-]{20,}"
)


def test_a_debug_run_logs_json_lines_with_no_secret_or_persons_words(
    fake_slack: FakeSlackServer, sqlite_url: str
) -> None:
    secret_key = "k" * 8 + "e2e-log-scan-secret-key-0123456789"
    process, url = slack_process(
        fake_slack,
        sqlite_url,
        extra_env={"LOG_LEVEL": "DEBUG", "JEMBATAN_LOG_FORMAT": "json", "JEMBATAN_SECRET_KEY": secret_key},
        name="logs",
    )
    process.start()
    try:
        process.wait_log(SLACK_READY)
        client = SlackClient(fake_slack, url)
        assert "set up" in client.command(ADMIN, "setup weekly friday 09:00 tz=UTC", CHANNEL)["text"]
        people = [f"U0LOGS{i:02d}" for i in range(6)]
        for i, user in enumerate(people):
            fake_slack.add_user(user, f"Logs {i}")
            client.command(user, f"join {['Finance', 'Sales'][i % 2]}", CHANNEL)
        client.command(people[0], f"shoutout <@{people[1]}> {SHOUT}", CHANNEL)
        client.command(ADMIN, "round now", CHANNEL)
        wait_until(lambda: len(fake_slack.calls("conversations.open")) >= 3, 90, "the intros")
    finally:
        process.stop()

    lines = [line for line in process.lines if not line.startswith("--- start")]
    assert len(lines) > 20  # DEBUG really was on: a scan of nothing proves nothing
    not_json = [line for line in lines if not _is_json_object(line)]
    assert not_json == [], not_json[:5]
    text = "\n".join(lines)
    for secret in (fake_slack.fake.bot_token, SIGNING_SECRET, secret_key):
        assert secret not in text
    assert TOKEN_SHAPED.findall(text) == []
    assert SHOUT not in text and "quarterly close" not in text


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
