"""Log lines name the workspace, program, round and outbox row they are about, and a person's
text can never forge a line of its own."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.log_context import ContextFilter, about
from bot.logs import JsonFormatter, PlainFormatter, configure


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    caught: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("jembatan.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield caught
    logger.removeHandler(handler)


def test_json_lines_carry_the_ids_in_force(records: list[logging.LogRecord]) -> None:
    with about(tenant=3, program=7), about(round=12):
        logging.getLogger("jembatan.test").warning("round %s started", 12)
    logging.getLogger("jembatan.test").warning("outside")
    inside, outside = (json.loads(JsonFormatter().format(r)) for r in records)
    assert inside["tenant"] == 3 and inside["program"] == 7 and inside["round"] == 12
    assert inside["message"] == "round 12 started" and inside["level"] == "WARNING"
    assert "tenant" not in outside


def test_a_newline_in_peoples_text_cannot_forge_a_line(records: list[logging.LogRecord]) -> None:
    division = "Sales\n2026-12-01 09:00:00 ERROR forged: workspace deleted\r"
    logging.getLogger("jembatan.test").warning("unknown division %s", division)
    for formatter in (PlainFormatter(), JsonFormatter()):
        line = formatter.format(records[0])
        assert "\n" not in line and "\r" not in line


def test_plain_lines_name_the_ids(records: list[logging.LogRecord]) -> None:
    with about(tenant=5, outbox=40):
        logging.getLogger("jembatan.test").info("sent")
    assert PlainFormatter().format(records[0]).endswith("sent [tenant=5 outbox=40]")


def test_configure_replaces_the_handlers_once() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure("INFO", "json")
        assert root.handlers == saved[0]  # someone else's set-up (pytest's) is left alone
        root.handlers[:] = []
        configure("INFO", "json")
        configure("INFO", "json")
        assert len(root.handlers) == 1 and isinstance(root.handlers[0].formatter, JsonFormatter)
        assert logging.getLogger("apscheduler.scheduler").level == logging.WARNING
        configure("DEBUG", "plain")
        # At DEBUG these log SQL parameters and request bodies: people's words, tokens.
        for library in ("sqlalchemy", "aiosqlite", "slack_sdk", "discord"):
            assert not logging.getLogger(library).isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


def test_an_id_bound_inside_a_block_is_gone_after_it(records: list[logging.LogRecord]) -> None:
    from bot.log_context import bind

    with about(tenant=None):
        bind(tenant=9)
        logging.getLogger("jembatan.test").info("inside")
    logging.getLogger("jembatan.test").info("after")
    inside, after = (json.loads(JsonFormatter().format(r)) for r in records)
    assert inside["tenant"] == 9 and "tenant" not in after
