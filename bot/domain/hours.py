"""Working hours across time zones: offsets for a day, and a window everyone shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WORK_START, WORK_END = time(9, 0), time(17, 0)


def utc_offset_minutes(zone: str | None, day: date) -> int | None:
    if zone is None:
        return None
    noon = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(zone))
    offset = noon.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class LocalWindow:
    zone: str
    start: time
    end: time


def shared_window(zones: Sequence[str], day: date) -> list[LocalWindow] | None:
    """The stretch of `day` inside everyone's 09:00–17:00, in each zone; None if there is none."""
    starts, ends = [], []
    for zone in zones:
        tz = ZoneInfo(zone)
        starts.append(datetime.combine(day, WORK_START, tzinfo=tz).astimezone(UTC))
        ends.append(datetime.combine(day, WORK_END, tzinfo=tz).astimezone(UTC))
    start, end = max(starts), min(ends)
    if end - start < timedelta(minutes=30):
        return None
    return [
        LocalWindow(zone, start.astimezone(ZoneInfo(zone)).time(), end.astimezone(ZoneInfo(zone)).time())
        for zone in dict.fromkeys(zones)
    ]
