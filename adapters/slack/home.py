"""The App Home tab and the profile modal, as Block Kit views (pure), and what their controls mean.

Every word shown comes from the core: the controls' and the form's from its catalogues (`home`,
`profile.form`), the rest from its answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adapters.slack.render import Block, button, context, header, section, sections
from bot import commands as c
from bot import forms
from bot.domain.lengths import cut
from bot.domain.model import Lang, Platform
from bot.grammar import OpenProfile, Parsed
from bot.i18n import Texts, texts
from bot.messages import Button, Style

PROFILE_CALLBACK = "jb:profile"
DIVISION_ACTION = "jb:division"
HOME_PREFIX = "jb:home:"
HOME_JOIN, HOME_PAUSE, HOME_RESUME, HOME_LEAVE, HOME_PROFILE = (
    f"{HOME_PREFIX}{name}" for name in ("join", "pause", "resume", "leave", "profile")
)
FROM_HOME = "home"  # the modal's private_metadata when it was opened from the Home tab
OPTIONS_MAX = 100
# An option's value is at most 150 characters, while a division may be 64 letters of up to 255
# code points (combining marks). So a known division travels as an id (KNOWN + a hash of its
# name), looked up again among the workspace's divisions when it comes back, and a newly typed
# one as NEW + its name when that fits.
OPTION_VALUE_MAX = 150
OPTION_TEXT_MAX = 75
KNOWN, NEW = "#", "+"


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def words(lang: Lang) -> Texts:
    return texts(lang, Platform.SLACK.value)


def _division_select(lang: Lang) -> Block:
    return {
        "type": "external_select",
        "action_id": DIVISION_ACTION,
        "placeholder": _text(words(lang)("profile.form.division_hint"), 150),
        "min_query_length": 0,
    }


def home_view(status: str, lang: Lang, note: str | None = None) -> dict[str, Any]:
    """Your status (the core's own words), then the controls; `note` is the answer to the last click."""
    t = words(lang)
    blocks: list[Block] = [header(t("home.title"))]
    if note:
        blocks.append(context(note))
    blocks += sections(status.split("\n"))
    blocks.append({"type": "divider"})
    blocks.append(
        {
            "type": "actions",
            "block_id": "jb-home-membership",
            "elements": [
                button(Button(HOME_JOIN, t("home.join"), Style.PRIMARY)),
                button(Button(HOME_PAUSE, t("home.pause"))),
                button(Button(HOME_RESUME, t("home.resume"))),
                button(Button(HOME_LEAVE, t("home.leave"), Style.DANGER)),
            ],
        }
    )
    blocks.append(
        {
            "type": "actions",
            "block_id": "jb-home-profile",
            "elements": [_division_select(lang), button(Button(HOME_PROFILE, t("home.profile")))],
        }
    )
    return {"type": "home", "blocks": blocks}


def profile_modal(lang: Lang, private_metadata: str) -> dict[str, Any]:
    t = words(lang)

    def field(key: str, element: Block) -> Block:
        label = _text(t(f"profile.form.{key}"))
        return {"type": "input", "block_id": key, "optional": True, "label": label, "element": element}

    def typed(key: str) -> Block:
        hint = _text(t(f"profile.form.{key}_hint"), 150)
        return field(
            key, {"type": "plain_text_input", "action_id": "value", "max_length": 400, "placeholder": hint}
        )

    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "private_metadata": private_metadata[:3000],
        "title": _text(t("profile.form.title"), 24),
        "submit": _text(t("profile.form.save"), 24),
        "close": _text(t("profile.form.cancel"), 24),
        "blocks": [
            section(t("profile.form.empty_note")),
            field(forms.DIVISION, _division_select(lang)),
            typed(forms.TIMEZONE),
            typed(forms.INTERESTS),
        ],
    }


def profile_fields(values: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    """The submitted form's fields as typed (or picked, for the division), by field key."""

    def chosen(block_id: str) -> str | None:
        state = next(iter((values.get(block_id) or {}).values()), None) or {}
        option = state.get("selected_option")
        raw = option.get("value") if isinstance(option, dict) else state.get("value")
        return raw if isinstance(raw, str) else None

    return {key: chosen(key) for key in forms.FIELDS}


def division_options(query: str, known: list[str]) -> list[dict[str, Any]]:
    """What the division select offers (the core's choice), as options Slack can carry."""
    choices = forms.division_choices(query, known, OPTIONS_MAX)
    return [_option(d.name, NEW + d.name if d.new else division_id(d.name)) for d in choices]


def division_id(name: str) -> str:
    return KNOWN + hashlib.sha256(name.encode()).hexdigest()[:16]


def division_named(value: str, known: Iterable[str]) -> str | None:
    """The division an option's value stands for; None for an id no known division has (it
    changed since the select was filled)."""
    if value.startswith(KNOWN):
        return next((name for name in known if division_id(name) == value), None)
    if value.startswith(NEW):
        return value[len(NEW) :]
    return value  # from a select filled before values were ids


def _option(name: str, value: str) -> dict[str, Any]:
    if _length(value) > OPTION_VALUE_MAX:
        value = division_id(name)  # typed, too long to carry: readable back once someone has it
    shown, cut = name, len(name)
    while _length(shown) > OPTION_TEXT_MAX:
        cut -= 1
        shown = name[:cut] + "…"
    return {"text": _text(shown), "value": value}


def _length(text: str) -> int:
    # Slack does not say whether it counts code points or UTF-16 units: stay under both.
    return max(len(text), len(text.encode("utf-16-le")) // 2)


@dataclass(frozen=True, slots=True)
class PickDivision:
    """A division chosen in the select: its option's value, which division_named reads back."""

    value: str


def home_command(action: dict[str, Any]) -> Parsed | PickDivision | None:
    """A click on the Home tab as a command, or None for a control that is not ours."""
    action_id = action.get("action_id", "")
    if action_id == DIVISION_ACTION:
        option = action.get("selected_option") or {}
        return PickDivision(str(option.get("value", "")))
    controls: dict[str, Parsed] = {
        HOME_JOIN: c.Join(),
        HOME_PAUSE: c.Pause(),
        HOME_RESUME: c.Resume(),
        HOME_LEAVE: c.Leave(),
        HOME_PROFILE: OpenProfile(),
    }
    return controls.get(action_id)
