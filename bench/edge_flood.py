"""A flood of malformed requests at Slack HTTP mode's `/slack/events`: what it costs.

Serves the real aiohttp server and Bolt app (SQLite, the fake Slack Web API from the tests) and
sends, from one client, N requests of each kind: unsigned bodies that are not UTF-8 with a fresh
timestamp and a right-shaped signature (the attack that logged 68 MB in ten minutes), signed
malformed payloads, and, as the baseline, well-formed signed `help` commands. Prints the
statuses, requests per second (and its ratio to the baseline), and the lines and bytes logged.

    PYTHONPATH=. python bench/edge_flood.py            # 2,000 of each kind
    PYTHONPATH=. python bench/edge_flood.py -n 10000
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import TestServer

# Run from a checkout: the fakes this bench drives live in tests/, which is not installed.
sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH still comes first

from adapters.slack.server import web_app
from adapters.slack.wiring import assemble
from bot.app import upgrade_sync
from bot.settings import Settings
from tests.adapters.slack.conftest import SECRET, sign
from tests.adapters.slack.fake_slack import FakeSlack

FORM = "application/x-www-form-urlencoded"


def slash(text: str, i: int) -> bytes:
    fields = {
        "team_id": "T0ACME",
        "user_id": "U0BENCH",
        "channel_id": "C0PAIRS",
        "command": "/jembatan",
        "text": text,
        "trigger_id": f"trig-{i}",
    }
    return urlencode(fields).encode()


KINDS: dict[str, Callable[[int], tuple[bytes, str, bool]]] = {
    "baseline: signed help": lambda i: (slash("help", i), FORM, True),
    "unsigned, not UTF-8": lambda i: (b"\xff\xfe" + i.to_bytes(4, "big"), FORM, False),
    "signed, not UTF-8": lambda i: (b"text=\xff\xfe" + str(i).encode(), FORM, True),
    "signed, JSON array": lambda i: (json.dumps([i]).encode(), "application/json", True),
    "signed, view without type": lambda i: (
        urlencode(
            {"payload": json.dumps({"type": "view_submission", "user": {"id": "U1"}, "view": {}})}
        ).encode(),
        FORM,
        True,
    ),
    "signed, tokens_revoked bot string": lambda i: (
        json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0ACME",
                "event_id": f"Ev{i}",
                "event_time": int(time.time()),
                "event": {"type": "tokens_revoked", "tokens": {"bot": "UBOT"}},
            }
        ).encode(),
        "application/json",
        True,
    ),
}


async def main(n: int) -> None:
    log_buffer = io.StringIO()
    handler = logging.StreamHandler(log_buffer)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("aiohttp.access").disabled = True  # `jembatan run slack` serves without it

    fake = FakeSlack()
    fake_server = TestServer(fake.app(), host="127.0.0.1")
    await fake_server.start_server()
    fake.base_url = str(fake_server.make_url("")).rstrip("/")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(upgrade_sync, url)
        settings = Settings(
            database_url=url,
            slack_bot_token=fake.bot_token,
            slack_signing_secret=SECRET,
            slack_api_url=fake.base_url + "/api/",
        )
        slack = assemble(settings, process_before_response=True)
        server = TestServer(web_app(slack.bolt, SECRET), host="127.0.0.1")
        await server.start_server()
        events = str(server.make_url("/slack/events"))
        print(f"{n:,} requests of each kind, one client, SQLite")
        print("| kind | statuses | requests/s | vs baseline | log lines | log bytes |")
        print("|---|---|---|---|---|---|")
        baseline = 0.0
        async with aiohttp.ClientSession() as http:
            for kind, make in KINDS.items():
                before = log_buffer.tell()
                lines_before = log_buffer.getvalue().count("\n")
                statuses: Counter[int] = Counter()
                started = time.perf_counter()
                for i in range(n):
                    body, content_type, signed = make(i)
                    stamp = str(int(time.time()))
                    signature = sign(body, stamp) if signed else "v0=" + f"{i:064x}"
                    headers = {
                        "Content-Type": content_type,
                        "X-Slack-Request-Timestamp": stamp,
                        "X-Slack-Signature": signature,
                    }
                    async with http.post(events, data=body, headers=headers) as response:
                        await response.read()
                        statuses[response.status] += 1
                rate = n / (time.perf_counter() - started)
                baseline = baseline or rate
                logged = log_buffer.getvalue()
                lines = logged.count("\n") - lines_before
                shown = ", ".join(f"{s}×{c:,}" for s, c in sorted(statuses.items()))
                print(
                    f"| {kind} | {shown} | {rate:,.0f} | {rate / baseline:.2f}× | {lines:,} | "
                    f"{len(logged) - before:,} |"
                )
        tracebacks = log_buffer.getvalue().count("Traceback")
        print(f"tracebacks logged: {tracebacks}")
        await server.close()
        await slack.close()
    await fake_server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="requests of each kind")
    asyncio.run(main(parser.parse_args().n))
