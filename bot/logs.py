"""Log set-up for every `jembatan` process: plain lines for people, or one JSON object per line
(`JEMBATAN_LOG_FORMAT=json`) for a log pipeline, both carrying the workspace, program, round and
outbox ids the core is working on.

People's text can reach a log line (a division in a warning, say). A CR or LF in it would start
a forged line, so both formats escape them: the plain one as \\r and \\n, JSON by encoding.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.log_context import FIELDS, ContextFilter

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that, at DEBUG, log what must never reach a log: every SQL statement with its
# parameters (people's words, encrypted tokens), request bodies and message payloads. They stay at
# INFO whatever LOG_LEVEL says; Jembatan's own DEBUG lines name ids, never contents.
NEVER_DEBUG = (
    "aiosqlite",
    "asyncpg",
    "slack_sdk",
    "slack_bolt",
    "discord",
    "aiohttp",
    "websockets",
    "urllib3",
    "asyncio",
)
# Libraries that talk at INFO about things that are not the operator's concern.
QUIET = (
    "sqlalchemy",  # logs every statement with its parameters at INFO
    "alembic.runtime.plugins",
    "alembic.runtime.migration",
    "apscheduler.executors.default",
    "apscheduler.scheduler",
    "matplotlib.font_manager",
)


@dataclass
class Throttled:
    """A log line that a flood cannot turn into a full disk: `line` (with the call's arguments)
    at most `burst` times in a `window`; past that, one line when the window ends says how many
    were not logged (`held`, given the count)."""

    logger: logging.Logger
    line: str
    held: str
    burst: int = 20
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _opened: float = field(default=-math.inf, init=False)
    _logged: int = field(default=0, init=False)
    _held: int = field(default=0, init=False)

    def __call__(self, *args: object) -> None:
        now = self.clock()
        if now - self._opened >= self.window:
            if self._held:
                self.logger.warning(self.held, self._held)
            self._opened, self._logged, self._held = now, 0, 0
        if self._logged < self.burst:
            self._logged += 1
            self.logger.warning(self.line, *args)
        else:
            self._held += 1


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(PLAIN)

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)) is not None
        )
        line = _one_line(record.getMessage())
        saved = record.msg, record.args
        record.msg, record.args = f"{line} [{ids}]" if ids else line, None
        try:
            text = super().format(record)
        finally:
            record.msg, record.args = saved
        # A traceback keeps its lines: it is ours, not a person's, and unreadable on one line.
        return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: str = "plain") -> None:
    """Called once at the start of a process, before anything logs. Like logging.basicConfig,
    it leaves a logger that someone else already set up alone (a test runner's, an embedding
    program's); calling it again replaces only its own handler."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_jembatan", False)]
    if len(ours) < len(root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    handler.addFilter(ContextFilter())
    handler._jembatan = True  # type: ignore[attr-defined]
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NEVER_DEBUG:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
