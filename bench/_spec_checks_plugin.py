"""pytest plugin for bench/spec_checks.py: time the fakes' spec checks, or turn them off."""

from __future__ import annotations

import functools
import inspect
import json
import os
import time
from typing import Any

totals = {"calls": 0.0, "seconds": 0.0}


def _wrap(check: Any, off: bool) -> Any:
    if inspect.iscoroutinefunction(check):

        @functools.wraps(check)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            if off:
                return []
            started = time.perf_counter()
            try:
                return await check(*args, **kwargs)
            finally:
                totals["calls"] += 1
                totals["seconds"] += time.perf_counter() - started

        return timed_async

    @functools.wraps(check)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if off:
            return []
        started = time.perf_counter()
        try:
            return check(*args, **kwargs)
        finally:
            totals["calls"] += 1
            totals["seconds"] += time.perf_counter() - started

    return timed


def pytest_configure(config: Any) -> None:
    from tests.specs import discord_spec, slack_spec

    off = os.environ.get("SPEC_CHECKS_MODE") == "off"
    for module, names in (
        (slack_spec, ("check_request", "check_response_url", "check_ack")),
        (discord_spec, ("check",)),
    ):
        for name in names:
            setattr(module, name, _wrap(getattr(module, name), off))


def pytest_unconfigure(config: Any) -> None:
    report = os.environ.get("SPEC_CHECKS_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as out:
            json.dump(totals, out)
