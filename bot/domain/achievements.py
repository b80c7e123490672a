"""Milestones worth celebrating, decided from a person's (or a program's) running totals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    meetups: int  # groups this person confirmed meeting in
    colleagues: int  # distinct people met
    divisions: int  # distinct divisions met, other than their own


@dataclass(frozen=True, slots=True)
class Milestone:
    key: str  # stable: stored once per person, so a milestone is celebrated once
    params: dict[str, int]


_PERSONAL: tuple[tuple[str, str, int], ...] = (
    ("first_meetup", "meetups", 1),
    ("colleagues_5", "colleagues", 5),
    ("colleagues_10", "colleagues", 10),
    ("colleagues_25", "colleagues", 25),
    ("divisions_3", "divisions", 3),
    ("divisions_5", "divisions", 5),
)
PROGRAM_MEETUP_MARKS = (100, 250, 500, 1000)


def personal_milestones(progress: Progress) -> list[Milestone]:
    reached = [
        Milestone(key, {"count": threshold})
        for key, field, threshold in _PERSONAL
        if getattr(progress, field) >= threshold
    ]
    if progress.colleagues >= 10 and progress.divisions >= 5:
        reached.append(Milestone("bridge_builder", {"colleagues": 10, "divisions": 5}))
    return reached


def program_milestones(confirmed_meetups: int) -> list[Milestone]:
    return [
        Milestone(f"program_meetups_{mark}", {"count": mark})
        for mark in PROGRAM_MEETUP_MARKS
        if confirmed_meetups >= mark
    ]
