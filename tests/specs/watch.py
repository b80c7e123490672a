"""Every fake made during a test registers here, so one autouse fixture (tests/conftest.py) can
fail the test that caused a violation, wherever the fake was made (a fixture or the test)."""

from __future__ import annotations

from typing import Protocol

from tests.specs import Violation


class Watched(Protocol):
    violations: list[Violation]


_fakes: list[Watched] = []


def watch(fake: Watched) -> None:
    _fakes.append(fake)


def mark() -> int:
    return len(_fakes)


def since(start: int) -> list[Violation]:
    """The violations of every fake made since `start`; forgets those fakes."""
    fakes = _fakes[start:]
    del _fakes[start:]
    return [v for fake in fakes for v in fake.violations]


def describe(found: list[Violation]) -> str:
    lines = [f"{len(found)} request(s) broke the platform's published spec (shared/specs/):"]
    lines += [f"  - {v}" for v in found[:50]]
    if len(found) > 50:
        lines.append(f"  … and {len(found) - 50} more")
    return "\n".join(lines)
