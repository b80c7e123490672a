"""A member's own page (Slack's App Home tab), for any platform that has one: what it shows,
what its controls are called and mean, and how its division picker's choices travel.

The platform only draws a `HomeView` and reads a click back with `command_for`; which buttons
there are, in which order and style, with which words, is decided here once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from bot import commands as c
from bot.domain.lengths import units
from bot.forms import DivisionChoice
from bot.grammar import OpenProfile, Parsed
from bot.i18n import Texts
from bot.messages import Button, Style

PREFIX = "jb:home:"
DIVISION = "jb:division"  # the division picker's id, on the page and in the profile form
PROFILE = f"{PREFIX}profile"
# The membership buttons, in the order shown: (name, style, the command a click gives).
_MEMBERSHIP = (
    ("join", Style.PRIMARY, c.Join()),
    ("pause", Style.DEFAULT, c.Pause()),
    ("resume", Style.DEFAULT, c.Resume()),
    ("leave", Style.DANGER, c.Leave()),
)
_CONTROLS: dict[str, Parsed] = {f"{PREFIX}{name}": command for name, _, command in _MEMBERSHIP}
_CONTROLS[PROFILE] = OpenProfile()
# A known division travels as an id (KNOWN + a hash of its name), looked up again among the
# workspace's divisions when it comes back; a newly typed one as NEW + its name, when that fits.
KNOWN, NEW = "#", "+"


@dataclass(frozen=True, slots=True)
class HomeView:
    """The page: the title, the answer to the last click (`note`), the person's status in the
    core's own words (a line each), the membership buttons, and the profile's controls."""

    title: str
    note: str | None
    status: tuple[str, ...]
    membership: tuple[Button, ...]
    profile: Button
    division_hint: str  # what the division picker says before anything is picked


def view(status: str, t: Texts, note: str | None = None) -> HomeView:
    """The page for someone whose status (`Status`'s answer) is `status`, worded by `t`."""
    buttons = tuple(Button(f"{PREFIX}{name}", t(f"home.{name}"), style) for name, style, _ in _MEMBERSHIP)
    profile = Button(PROFILE, t("home.profile"))
    return HomeView(
        t("home.title"), note, tuple(status.split("\n")), buttons, profile, t("profile.form.division_hint")
    )


def command_for(action_id: str) -> Parsed | None:
    """What a click on one of the page's buttons means; None for a control that is not one."""
    return _CONTROLS.get(action_id)


def division_id(name: str) -> str:
    return KNOWN + hashlib.sha256(name.encode()).hexdigest()[:16]


def division_value(choice: DivisionChoice, fits: int) -> str:
    """What a picker option carries for `choice`, in at most `fits` characters: a typed name
    too long to carry travels as an id, readable back once someone has that division."""
    value = NEW + choice.name if choice.new else division_id(choice.name)
    return value if units(value) <= fits else division_id(choice.name)


def division_named(value: str, known: Iterable[str]) -> str | None:
    """The division an option's value stands for; None for an id no known division has (it
    changed since the picker was filled)."""
    if value.startswith(KNOWN):
        return next((name for name in known if division_id(name) == value), None)
    if value.startswith(NEW):
        return value[len(NEW) :]
    return value  # from a picker filled before values were ids
