from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def test_a_round_missed_while_down_is_caught_up_within_two_days_only() -> None:
    config = weekly("Asia/Jakarta")
    due = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert schedule.due_round(config, due - timedelta(minutes=1), set()) is None  # last week's is too old
    assert schedule.due_round(config, due, set()).period == "2026-11-30"  # type: ignore[union-attr]
    assert schedule.due_round(config, due + timedelta(days=1, hours=23), set()).period == "2026-11-30"  # type: ignore[union-attr]
    assert schedule.due_round(config, due + timedelta(days=2, minutes=1), set()) is None
    assert schedule.due_round(config, due + timedelta(hours=1), {"2026-11-30"}) is None


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
