"""The App Home tab and the profile modal, as Block Kit views (pure), and what their controls mean.

The words on the controls are the adapter's own (the core's catalogues hold what Jembatan
says, not the labels of Slack forms); everything else shown comes from the core's answers.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adapters.slack.render import Block, context, header, section, sections
from bot import commands as c
from bot import forms
from bot.domain.lengths import cut
from bot.domain.model import Lang
from bot.domain.validation import MAX_DIVISION_CODE_POINTS
from bot.grammar import OpenProfile, Parsed

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

LABELS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "title": "Jembatan 🌉",
        "join": "Join",
        "pause": "Pause",
        "resume": "Resume",
        "leave": "Leave",
        "profile": "Edit profile",
        "division": "Division",
        "division_hint": "Pick your division, or type a new one",
        "timezone": "Time zone",
        "timezone_hint": "Area/City, e.g. Asia/Jakarta",
        "interests": "Interests",
        "interests_hint": "A few words, comma separated: climbing, jazz, baking",
        "modal_title": "Your Jembatan profile",
        "save": "Save",
        "cancel": "Cancel",
        "empty_note": "Leave a field empty to keep it as it is.",
        "division_unread": "That choice could not be read back: pick it again, "
        "or type `/jembatan division <name>`.",
    },
    Lang.ID: {
        "title": "Jembatan 🌉",
        "join": "Gabung",
        "pause": "Jeda",
        "resume": "Lanjutkan",
        "leave": "Keluar",
        "profile": "Ubah profil",
        "division": "Divisi",
        "division_hint": "Pilih divisimu, atau ketik yang baru",
        "timezone": "Zona waktu",
        "timezone_hint": "Area/Kota, mis. Asia/Jakarta",
        "interests": "Minat",
        "interests_hint": "Beberapa kata, pisahkan dengan koma: mendaki, jazz, memasak",
        "modal_title": "Profil Jembatan-mu",
        "save": "Simpan",
        "cancel": "Batal",
        "empty_note": "Kosongkan kolom untuk membiarkannya seperti semula.",
        "division_unread": "Pilihan itu tidak terbaca: pilih lagi, atau ketik `/jembatan division <nama>`.",
    },
}


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def _button(action_id: str, label: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": _text(label), "value": action_id}
    if style:
        element["style"] = style
    return element


def _division_select(lang: Lang) -> Block:
    return {
        "type": "external_select",
        "action_id": DIVISION_ACTION,
        "placeholder": _text(LABELS[lang]["division_hint"], 150),
        "min_query_length": 0,
    }


def home_view(status: str, lang: Lang, note: str | None = None) -> dict[str, Any]:
    """Your status (the core's own words), then the controls; `note` is the answer to the last click."""
    words = LABELS[lang]
    blocks: list[Block] = [header(words["title"])]
    if note:
        blocks.append(context(note))
    blocks += sections(status.split("\n"))
    blocks.append({"type": "divider"})
    blocks.append(
        {
            "type": "actions",
            "block_id": "jb-home-membership",
            "elements": [
                _button(HOME_JOIN, words["join"], "primary"),
                _button(HOME_PAUSE, words["pause"]),
                _button(HOME_RESUME, words["resume"]),
                _button(HOME_LEAVE, words["leave"], "danger"),
            ],
        }
    )
    blocks.append(
        {
            "type": "actions",
            "block_id": "jb-home-profile",
            "elements": [_division_select(lang), _button(HOME_PROFILE, words["profile"])],
        }
    )
    return {"type": "home", "blocks": blocks}


def profile_modal(lang: Lang, private_metadata: str) -> dict[str, Any]:
    words = LABELS[lang]

    def text_input(block_id: str, hint: str) -> Block:
        return {
            "type": "input",
            "block_id": block_id,
            "optional": True,
            "label": _text(words[block_id]),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": 400,
                "placeholder": _text(words[hint], 150),
            },
        }

    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "private_metadata": private_metadata[:3000],
        "title": _text(words["modal_title"], 24),
        "submit": _text(words["save"], 24),
        "close": _text(words["cancel"], 24),
        "blocks": [
            section(words["empty_note"]),
            {
                "type": "input",
                "block_id": "division",
                "optional": True,
                "label": _text(words["division"]),
                "element": _division_select(lang),
            },
            text_input("timezone", "timezone_hint"),
            text_input("interests", "interests_hint"),
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
    """What the division select offers: what is being typed (a new division), then known ones."""
    typed = unicodedata.normalize("NFC", " ".join(query.split()))[:MAX_DIVISION_CODE_POINTS]
    lowered = typed.lower()
    options = [_option(k, division_id(k)) for k in known if lowered in k.lower()]
    if typed and all(k.lower() != lowered for k in known):
        options.insert(0, _option(typed, NEW + typed))
    return options[:OPTIONS_MAX]


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
