"""Which workspace, program, round and outbox row a log line is about.

The core sets these around the work it does (a command, a round, a delivery); every log record
made meanwhile carries them, whatever module logs it, so an operator can follow one
workspace's trouble through a busy process. Context variables, so concurrent tasks keep
their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("tenant", "program", "round", "outbox")
_current: dict[str, ContextVar[int | None]] = {
    name: ContextVar(f"jembatan_{name}", default=None) for name in FIELDS
}


@contextmanager
def about(**ids: int | None) -> Iterator[None]:
    """`with about(tenant=3, round=12): …` — log lines inside name them."""
    tokens = [(_current[name], _current[name].set(value)) for name, value in ids.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def bind(**ids: int | None) -> None:
    """Set ids for the rest of the enclosing `about` block (which puts the old ones back)."""
    for name, value in ids.items():
        _current[name].set(value)


class ContextFilter(logging.Filter):
    """Copies the ids in force onto each record (as attributes), for any formatter to use."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, _current[name].get())
        return True
