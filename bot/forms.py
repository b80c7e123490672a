"""The profile form, one rule for every platform: what was typed in its fields as one command,
what is wrong with each field while the form is still open, and which divisions its picker offers.

The core checks the command again when it is handled (a command can come from anywhere); these
are the same checks (`bot.domain.validation`), asked early so a form can show each problem next
to its field and keep what was typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot import commands as c
from bot.domain import validation

DIVISION, TIMEZONE, INTERESTS = FIELDS = ("division", "timezone", "interests")
_CHECKS: dict[str, Callable[[str], object]] = {
    DIVISION: validation.division,
    TIMEZONE: validation.timezone,
    INTERESTS: validation.interests,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a field: a catalogue key and its parameters, worded by the platform."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DivisionChoice:
    name: str
    new: bool = False  # what is being typed, which nobody's division is yet


def division_choices(typed: str, known: Sequence[str], limit: int) -> list[DivisionChoice]:
    """What a division picker offers while someone types: what they typed, as a new division
    (unless someone has it already, in any case), then the known divisions that contain it."""
    name = unicodedata.normalize("NFC", " ".join(typed.split()))[: validation.MAX_DIVISION_CODE_POINTS]
    lowered = name.lower()
    choices = [DivisionChoice(k) for k in known if lowered in k.lower()]
    if name and all(k.lower() != lowered for k in known):
        choices.insert(0, DivisionChoice(name, new=True))
    return choices[:limit]


def profile(typed: Mapping[str, str | None]) -> c.UpdateProfile:
    """The fields as typed (field key → text), as one command. An empty field, or one of only
    spaces, leaves that part of the profile as it is."""

    def given(key: str) -> str | None:
        value = typed.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return c.UpdateProfile(given(DIVISION), given(TIMEZONE), given(INTERESTS))


def problems(form: c.UpdateProfile) -> dict[str, Problem]:
    """Field key → what is wrong with it; empty when the core will accept every field given."""
    found: dict[str, Problem] = {}
    for key, value in zip(FIELDS, (form.division, form.timezone, form.interests), strict=True):
        if value is None:
            continue
        try:
            _CHECKS[key](value)
        except validation.InvalidInput as bad:
            found[key] = Problem(bad.key, bad.params)
    return found
