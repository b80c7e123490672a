"""Checks on what people type; each failure names a catalogue key for a friendly answer."""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain import markup
from bot.domain.model import Cadence, Lang
from bot.domain.pairing.model import CrossDivisionMode

MAX_DIVISION = 64
# What the division column holds; a few visible characters can carry hundreds of combining marks.
MAX_DIVISION_CODE_POINTS = 255
MAX_SHOUTOUT = 500
MAX_INTERESTS = 10
MAX_INTEREST = 32
MIN_PAUSE_WEEKS, MAX_PAUSE_WEEKS = 1, 12
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_ID = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")


class InvalidInput(ValueError):
    """Bad input from a person; `key` names the catalogue text that explains the fix."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# Format characters that emoji and some scripts need: the zero-width (non-)joiner holds 👩‍💻
# together (and spells Persian and Indic words right); tag characters make flags such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿.
# Every other format character (bidi overrides, zero-width spaces, BOMs) only hides things.
_JOINERS = frozenset("\u200c\u200d")


def _allowed_format(ch: str) -> bool:
    return ch in _JOINERS or 0xE0020 <= ord(ch) <= 0xE007F


def _has_control(text: str) -> bool:
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" or (category == "Cf" and not _allowed_format(ch)):
            return True
    return False


def _visible_length(text: str) -> int:
    # Combining marks ride on the letter before them, so "é" typed either way counts once.
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not unicodedata.combining(ch))


def division(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("error.division_empty")
    if _has_control(raw):
        raise InvalidInput("error.division_control")
    # Stored as plain text: a division shows in intros the bot posts, never as a link or a ping.
    name = unicodedata.normalize("NFC", " ".join(markup.plain(name).split()))
    if not name:
        raise InvalidInput("error.division_empty")
    if _visible_length(name) > MAX_DIVISION or len(name) > MAX_DIVISION_CODE_POINTS:
        raise InvalidInput("error.division_long", max=MAX_DIVISION)
    return name


def _number(raw: str | int) -> int | None:
    """A whole number written in ASCII digits, as typed or as the platform sent it; None for
    anything else. Python's int() also reads "٣", "３", "1_0" and " +3 ", which nobody means."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{1,6}", raw.strip()):
        return int(raw.strip())
    return None


def pause_weeks(raw: str | int | None) -> int | None:
    if raw is None or raw == "":
        return None
    weeks = _number(raw)
    if weeks is None or not MIN_PAUSE_WEEKS <= weeks <= MAX_PAUSE_WEEKS:
        raise InvalidInput("error.weeks", low=MIN_PAUSE_WEEKS, high=MAX_PAUSE_WEEKS)
    return weeks


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def timezone(raw: str) -> str:
    name = raw.strip()
    canonical = _zones().get(name.lower())
    if canonical is None:
        raise InvalidInput("error.timezone", given=name[:64])
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("error.timezone", given=name[:64]) from None
    return canonical


def interests(words: list[str] | str) -> tuple[str, ...]:
    # Plain text before splitting: a link's label may hold a comma.
    words = markup.plain(words) if isinstance(words, str) else [markup.plain(w) for w in words]
    items = words.replace(";", ",").split(",") if isinstance(words, str) else words
    if isinstance(words, str) and "," not in words and ";" not in words:
        items = words.split()
    seen: dict[str, None] = {}
    for item in items:
        word = " ".join(item.split()).lower().strip("#")
        if not word:
            continue
        if _has_control(word) or _visible_length(word) > MAX_INTEREST:
            raise InvalidInput("error.interest", max=MAX_INTEREST)
        seen.setdefault(word, None)
    if len(seen) > MAX_INTERESTS:
        raise InvalidInput("error.interests_many", max=MAX_INTERESTS)
    return tuple(seen)


def neutralise_mass_mentions(text: str) -> str:
    """Keep the words, lose the ping: nobody's shout-out wakes the whole company."""
    return markup.calm(text)


_TAG = re.compile(r"(?<![\w&])#([\w-]{2,32})")


def shoutout_text(raw: str) -> tuple[str, tuple[str, ...]]:
    text = raw.strip()
    if not text:
        raise InvalidInput("error.shoutout_empty")
    if _visible_length(text) > MAX_SHOUTOUT:
        raise InvalidInput("error.shoutout_long", max=MAX_SHOUTOUT)
    if _has_control(text.replace("\n", "")):
        raise InvalidInput("error.shoutout_control")
    tags = tuple(dict.fromkeys(t.lower() for t in _TAG.findall(text)))
    return neutralise_mass_mentions(text), tags


def cadence(raw: str) -> Cadence:
    aliases = {"mingguan": "weekly", "dwimingguan": "biweekly", "bulanan": "monthly"}
    value = aliases.get(raw.lower(), raw.lower())
    try:
        return Cadence(value)
    except ValueError:
        raise InvalidInput("error.cadence") from None


def weekday(raw: str) -> int:
    word = raw.strip().lower()
    for names in (WEEKDAYS, WEEKDAYS_ID):
        for index, name in enumerate(names):
            if len(word) >= 3 and name.startswith(word):
                return index
    raise InvalidInput("error.weekday")


def local_time(raw: str) -> time:
    match = re.fullmatch(r"([0-9]{1,2})[:.]([0-9]{2})", raw.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InvalidInput("error.time")
    return time(int(match.group(1)), int(match.group(2)))


def group_size(raw: str | int) -> int:
    size = _number(raw)
    if size is None or not 2 <= size <= 4:
        raise InvalidInput("error.group_size")
    return size


def lang(raw: str) -> Lang:
    try:
        return Lang(raw.lower())
    except ValueError:
        raise InvalidInput("error.lang") from None


def cross_division(raw: str) -> CrossDivisionMode:
    try:
        return CrossDivisionMode(raw.lower())
    except ValueError:
        raise InvalidInput("error.cross_division") from None
