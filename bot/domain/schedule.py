"""When rounds, check-ins and nudges fall due: wall-clock rules in a program's own time zone.

Rounds are defined by local date and local time, so a 09:00 Monday round stays at 09:00 on
both sides of a DST change. A local time that does not exist (the spring-forward gap) is
read with the offset from before the change, which lands an hour later on the clock; an
ambiguous one (fall back) takes its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import Cadence, ProgramConfig

CATCH_UP = timedelta(days=2)
_SEARCH_DAYS = 70  # longer than any cadence, so a search always finds an occurrence


@dataclass(frozen=True, slots=True)
class Occurrence:
    period: str  # the local date of the round: unique per program, so a round is claimed once
    due: datetime  # in UTC


def is_round_day(config: ProgramConfig, day: date) -> bool:
    if day.weekday() != config.weekday:
        return False
    if config.cadence is Cadence.WEEKLY:
        return True
    if config.cadence is Cadence.BIWEEKLY:
        anchor_monday = config.anchor - timedelta(days=config.anchor.weekday())
        return ((day - anchor_monday).days // 7) % 2 == 0
    return day.day <= 7  # monthly: the first such weekday of the month


def local_due(config: ProgramConfig, day: date) -> datetime:
    zone = ZoneInfo(config.timezone)
    wall = datetime.combine(day, config.local_time).replace(tzinfo=zone, fold=0)
    return wall.astimezone(UTC)


def _occurrence(config: ProgramConfig, day: date) -> Occurrence:
    return Occurrence(period=day.isoformat(), due=local_due(config, day))


def latest_at_or_before(config: ProgramConfig, now: datetime) -> Occurrence | None:
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    for back in range(_SEARCH_DAYS):
        day = today - timedelta(days=back)
        if is_round_day(config, day):
            occurrence = _occurrence(config, day)
            if occurrence.due <= now:
                return occurrence
    return None


def next_after(config: ProgramConfig, moment: datetime) -> Occurrence:
    start = moment.astimezone(ZoneInfo(config.timezone)).date()
    for ahead in range(_SEARCH_DAYS):
        day = start + timedelta(days=ahead)
        if is_round_day(config, day):
            occurrence = _occurrence(config, day)
            if occurrence.due > moment:
                return occurrence
    raise AssertionError("every cadence has an occurrence within ten weeks")


def due_round(
    config: ProgramConfig,
    now: datetime,
    claimed: set[str],
    *,
    since: datetime,
    claimed_since: set[str] | None = None,
) -> Occurrence | None:
    """The round to run now, if any: the latest one due, unless claimed or too old to catch up.

    `since` is when the program was set up or its schedule last changed: a slot due at or
    before it never runs (the first round is the one set-up announced, `next_after(since)`),
    while a slot the program lived through with the bot down is caught up within CATCH_UP.
    A later period claimed under this schedule (`claimed_since`: claims made after `since`;
    all of `claimed` when not given) means a round was brought forward (`round now`) after
    this slot: that round stood for this period, so the slot does not run a second one. A
    claim made under an earlier schedule says nothing about this one's slots."""
    latest = latest_at_or_before(config, now)
    if latest is None or latest.period in claimed or now - latest.due > CATCH_UP:
        return None
    later = claimed if claimed_since is None else claimed_since
    if latest.due <= since or any(period > latest.period for period in later):
        return None
    return latest


def checkin_time(config: ProgramConfig, round_start: datetime) -> datetime:
    """Half-way to the next round: late enough to have met, early enough to still do it."""
    following = next_after(config, round_start)
    return round_start + (following.due - round_start) / 2
