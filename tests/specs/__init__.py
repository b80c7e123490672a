"""The platforms' published specifications (shared/specs/ beside the repository), and what the
fakes use to hold every request they receive against them.

CI runs in a fresh clone with a copy of shared/ beside it (`<clone>/../shared/specs/`); a
developer's worktree sits deeper (`/work/wt/<branch>`), so the nearest ancestor holding
`shared/specs/` wins. `JEMBATAN_SPECS_DIR` overrides both. A missing folder fails loudly: CI
always has it, and a silent skip would let a refused payload through.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPECS_ENV = "JEMBATAN_SPECS_DIR"
REPO = Path(__file__).resolve().parents[2]
FILES = ("slack_web_openapi_v2.json", "manifest.schema.1.0.0.json", "discord_openapi.json")


class SpecsMissing(RuntimeError):
    pass


def specs_dir() -> Path:
    override = os.environ.get(SPECS_ENV)
    candidates = [Path(override)] if override else [folder / "shared" / "specs" for folder in REPO.parents]
    for folder in candidates:
        if all((folder / name).is_file() for name in FILES):
            return folder
    tried = ", ".join(str(c) for c in candidates[:3])
    raise SpecsMissing(
        f"The platforms' specs ({', '.join(FILES)}) are not in {tried}; put shared/specs/ beside "
        f"the repository or set {SPECS_ENV} to the folder holding them."
    )


@cache
def load(name: str) -> Any:
    return json.loads((specs_dir() / name).read_text(encoding="utf-8"))


def length(text: str) -> int:
    """Neither platform says whether it counts code points or UTF-16 units (specs/README.md);
    UTF-16 units are never fewer, so staying within them stays within both."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Violation:
    """One way a request broke the platform's published contract."""

    request: str  # e.g. "POST chat.postMessage" or "POST /channels/{channel_id}/messages"
    where: str  # a path into the arguments, e.g. "blocks[3].text.text"
    problem: str

    def __str__(self) -> str:
        return f"{self.request} · {self.where or '(request)'}: {self.problem}"


class Findings:
    """Collects violations under the name of one request while a checker walks it."""

    def __init__(self, request: str) -> None:
        self.request = request
        self.found: list[Violation] = []

    def add(self, where: str, problem: str) -> None:
        self.found.append(Violation(self.request, where, problem))

    def longer_than(self, where: str, value: Any, limit: int, minimum: int = 0) -> None:
        if not isinstance(value, str):
            return
        size = length(value)
        if size > limit:
            self.add(where, f"{size} characters; at most {limit}")
        elif size < minimum:
            self.add(where, f"{size} characters; at least {minimum} needed")

    def more_than(self, where: str, items: Any, limit: int, minimum: int = 0) -> None:
        if not isinstance(items, list):
            return
        if len(items) > limit:
            self.add(where, f"{len(items)} items; at most {limit}")
        elif len(items) < minimum:
            self.add(where, f"{len(items)} items; at least {minimum} needed")
