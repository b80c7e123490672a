from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import schedule
from bot.domain.model import Cadence, ProgramConfig


def weekly(zone: str, weekday: int = 0, at: time = time(9, 0)) -> ProgramConfig:
    return ProgramConfig(cadence=Cadence.WEEKLY, weekday=weekday, local_time=at, timezone=zone)


def test_a_monday_nine_oclock_round_stays_at_nine_across_new_yorks_dst_end() -> None:
    config = weekly("America/New_York")
    before = schedule.next_after(config, datetime(2026, 10, 25, tzinfo=UTC))
    after = schedule.next_after(config, before.due)
    assert (before.period, before.due) == ("2026-10-26", datetime(2026, 10, 26, 13, 0, tzinfo=UTC))
    assert (after.period, after.due) == ("2026-11-02", datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    for occurrence in (before, after):
        assert occurrence.due.astimezone(ZoneInfo("America/New_York")).time() == time(9, 0)


def test_amsterdam_spring_forward_gap_lands_an_hour_later_on_the_clock() -> None:
    config = weekly("Europe/Amsterdam", weekday=6, at=time(2, 30))  # Sundays 02:30, which 29 March skips
    occurrence = schedule.next_after(config, datetime(2026, 3, 28, tzinfo=UTC))
    assert occurrence.period == "2026-03-29"
    assert occurrence.due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert occurrence.due.astimezone(ZoneInfo("Europe/Amsterdam")).time() == time(3, 30)


def test_amsterdam_fall_back_ambiguity_takes_the_first_occurrence_once() -> None:
    config = weekly("Europe/Amsterdam", weekday=6, at=time(2, 30))
    first = schedule.next_after(config, datetime(2026, 10, 24, tzinfo=UTC))
    assert first.due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert schedule.next_after(config, first.due).period == "2026-11-01"  # not 02:30 again an hour later


def test_jakarta_has_no_dst_so_rounds_are_always_two_utc() -> None:
    config = weekly("Asia/Jakarta")
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(60):
        occurrence = schedule.next_after(config, moment)
        assert occurrence.due.time() == time(2, 0)
        moment = occurrence.due


LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)


def test_a_round_missed_while_down_is_caught_up_within_two_days_only() -> None:
    config = weekly("Asia/Jakarta")
    due = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)

    def run_at(now: datetime, claimed: set[str] | None = None) -> str | None:
        found = schedule.due_round(config, now, claimed or set(), since=LONG_AGO)
        return None if found is None else found.period

    assert run_at(due - timedelta(minutes=1)) is None  # last week's is too old
    assert run_at(due) == "2026-11-30"
    assert run_at(due + timedelta(days=1, hours=23)) == "2026-11-30"
    assert run_at(due + timedelta(days=2, minutes=1)) is None
    assert run_at(due + timedelta(hours=1), {"2026-11-30"}) is None


def _first_round(config: ProgramConfig, set_up: datetime) -> tuple[str, datetime]:
    """Tick hourly from the set-up moment, as the bot would, until a round runs."""
    now = set_up
    while now < set_up + timedelta(days=15):
        found = schedule.due_round(config, now, set(), since=set_up)
        if found is not None:
            return found.period, now
        now += timedelta(hours=1)
    raise AssertionError("no round within two weeks of set-up")


@pytest.mark.parametrize("slot_day", range(7))
@pytest.mark.parametrize("setup_day", range(7))
@pytest.mark.parametrize("slot_time", [time(9, 0), time(14, 0)])
def test_the_first_round_is_the_one_set_up_announced_whatever_the_weekdays(
    setup_day: int, slot_day: int, slot_time: time
) -> None:
    # Set-up on a given weekday at 10:00 Jakarta; the slot falls earlier or later that day.
    zone = ZoneInfo("Asia/Jakarta")
    set_up = datetime(2026, 11, 30, 10, 0, tzinfo=zone) + timedelta(days=setup_day)  # 30 Nov: a Monday
    assert set_up.weekday() == setup_day
    config = weekly("Asia/Jakarta", weekday=slot_day, at=slot_time)
    announced = schedule.next_after(config, set_up.astimezone(UTC))
    period, ran_at = _first_round(config, set_up.astimezone(UTC))
    assert period == announced.period
    assert ran_at >= announced.due


@pytest.mark.parametrize("cadence", list(Cadence))
def test_a_slot_due_before_set_up_never_runs_even_minutes_before(cadence: Cadence) -> None:
    config = ProgramConfig(cadence=cadence, weekday=1, timezone="UTC", anchor=date(2026, 12, 1))
    slot = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, first of the month, anchor week
    later = slot + timedelta(minutes=5)
    assert schedule.due_round(config, later, set(), since=slot - timedelta(minutes=1))
    assert schedule.due_round(config, later, set(), since=slot) is None
    assert schedule.due_round(config, later, set(), since=slot + timedelta(minutes=1)) is None


def test_a_round_brought_forward_stands_for_the_slot_missed_before_it() -> None:
    # Down at Monday's slot; on Tuesday an admin ran `round now`, which claimed next Monday's
    # period. Back up, the bot must not catch up Monday too: that would be two rounds in a week.
    config = weekly("UTC")
    tuesday = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert schedule.due_round(config, tuesday, set(), since=LONG_AGO) is not None  # caught up alone
    assert schedule.due_round(config, tuesday, {"2026-12-07"}, since=LONG_AGO) is None
    next_monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert schedule.due_round(config, next_monday, {"2026-12-07"}, since=LONG_AGO) is None
    following = schedule.due_round(config, next_monday + timedelta(days=7), {"2026-12-07"}, since=LONG_AGO)
    assert following is not None and following.period == "2026-12-14"


def test_biweekly_rounds_skip_every_other_week_from_the_anchor() -> None:
    config = ProgramConfig(cadence=Cadence.BIWEEKLY, weekday=0, timezone="UTC", anchor=date(2026, 11, 26))
    first = schedule.next_after(config, datetime(2026, 11, 26, tzinfo=UTC))
    second = schedule.next_after(config, first.due)
    assert (first.period, second.period) == ("2026-12-07", "2026-12-21")  # 30 Nov is an off week


def test_monthly_rounds_fall_on_the_first_such_weekday() -> None:
    config = ProgramConfig(cadence=Cadence.MONTHLY, weekday=0, timezone="Asia/Jakarta")
    moment = datetime(2026, 11, 28, tzinfo=UTC)
    days = []
    for _ in range(3):
        occurrence = schedule.next_after(config, moment)
        days.append(occurrence.period)
        moment = occurrence.due
    assert days == ["2026-12-07", "2027-01-04", "2027-02-01"]


def test_the_check_in_comes_half_way_to_the_next_round() -> None:
    config = weekly("Asia/Jakarta")
    start = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert schedule.checkin_time(config, start) == start + timedelta(days=3, hours=12)
