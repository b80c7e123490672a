"""Milestones: reached at their thresholds, not a meetup before, and every one has words."""

import pytest

from bot.domain.achievements import Progress, personal_milestones, program_milestones
from bot.domain.model import Lang
from bot.i18n import catalogue


def _keys(progress: Progress) -> set[str]:
    return {m.key for m in personal_milestones(progress)}


def test_nothing_before_the_first_meetup() -> None:
    assert _keys(Progress(meetups=0, colleagues=0, divisions=0)) == set()


@pytest.mark.parametrize(
    ("progress", "new"),
    [
        (Progress(1, 1, 1), "first_meetup"),
        (Progress(5, 5, 1), "colleagues_5"),
        (Progress(10, 10, 2), "colleagues_10"),
        (Progress(25, 25, 2), "colleagues_25"),
        (Progress(3, 3, 3), "divisions_3"),
        (Progress(5, 5, 5), "divisions_5"),
        (Progress(10, 10, 5), "bridge_builder"),
    ],
)
def test_each_milestone_arrives_exactly_at_its_threshold(progress: Progress, new: str) -> None:
    assert new in _keys(progress)
    one_short = Progress(
        progress.meetups - (new == "first_meetup"),
        progress.colleagues - (new.startswith("colleagues") or new == "bridge_builder"),
        progress.divisions - new.startswith("divisions"),
    )
    assert new not in _keys(one_short)


def test_ten_colleagues_in_four_divisions_is_not_yet_a_bridge_builder() -> None:
    assert "bridge_builder" not in _keys(Progress(12, 12, 4))


def test_program_marks_start_at_the_hundredth_meetup() -> None:
    assert program_milestones(99) == []
    assert [m.key for m in program_milestones(100)] == ["program_meetups_100"]
    assert [m.key for m in program_milestones(260)] == ["program_meetups_100", "program_meetups_250"]


@pytest.mark.parametrize("lang", list(Lang))
def test_every_milestone_has_words_in_every_language(lang: Lang) -> None:
    words = catalogue(lang)
    keys = _keys(Progress(100, 100, 100))
    assert {f"milestone.{k}" for k in keys} <= set(words)
    assert "milestone.program_meetups" in words
