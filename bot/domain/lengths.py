"""How long a text is to a platform, and how to cut it to a limit.

Neither Slack nor Discord says whether its limits count code points or UTF-16 units; the latter
are never fewer (an emoji beyond the Basic Multilingual Plane is two), so counting them stays
within both. Both renderers use this one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def units(text: str) -> int:
    """The length of `text` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def head(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` units (never half a surrogate pair)."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def cut(text: str, limit: int) -> str:
    """`text` if it fits `limit` units, else its longest start that fits with "…" after it."""
    return text if units(text) <= limit else head(text, limit - 1) + "…"


def split(text: str, limit: int) -> list[str]:
    """Long text as pieces within `limit` units each, split at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while units(line) > limit:
            if current:
                parts.append(current)
                current = ""
            start = head(line, limit)
            parts.append(start)
            line = line[len(start) :]
        candidate = f"{current}\n{line}" if current else line
        if units(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def listed(lines: Sequence[str], budget: int, line_limit: int) -> list[str]:
    """As many whole lines as fit in `budget` units (each counted up to `line_limit`, where it
    will be cut, plus its line end), then `… (+N)` for the N left out."""
    shown: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        size = min(units(line), line_limit) + 1
        if used + size > budget:
            return [*shown, f"… (+{len(lines) - i})"]
        shown.append(line)
        used += size
    return shown


def packed(lines: Iterable[str], limit: int) -> list[str]:
    """Lines (each cut to `limit`) joined into as few pieces within `limit` units as they fit."""
    pieces: list[list[str]] = []
    size = 0
    for line in lines:
        line = cut(line, limit)
        if not pieces or size + units(line) + 1 > limit:
            pieces.append([])
            size = 0
        pieces[-1].append(line)
        size += units(line) + 1
    return ["\n".join(piece) for piece in pieces]
