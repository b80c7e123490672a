"""The App Home tab and the profile modal as Block Kit views (pure). What the tab shows and what
its controls mean is the core's (`bot.home`); every word comes from the core's catalogues."""

from __future__ import annotations

from typing import Any

from adapters.slack.render import Block, button, context, header, section, sections
from bot import forms
from bot import home as page
from bot.domain.lengths import cut
from bot.domain.model import Lang, Platform
from bot.i18n import Texts, texts

PROFILE_CALLBACK = "jb:profile"
FROM_HOME = "home"  # the modal's private_metadata when it was opened from the Home tab
OPTIONS_MAX = 100
# An option's value is at most 150 characters, while a division may be 64 letters of up to 255
# code points (combining marks): bot.home says how a division travels within that.
OPTION_VALUE_MAX = 150
OPTION_TEXT_MAX = 75


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit), "emoji": True}


def words(lang: Lang) -> Texts:
    return texts(lang, Platform.SLACK.value)


def _division_select(hint: str) -> Block:
    return {
        "type": "external_select",
        "action_id": page.DIVISION,
        "placeholder": _text(hint, 150),
        "min_query_length": 0,
    }


def _typed(hint: str) -> Block:
    return {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": 400,
        "placeholder": _text(hint, 150),
    }


def home_view(status: str, lang: Lang, note: str | None = None) -> dict[str, Any]:
    """The core's page for this status: the title, the last click's answer, the status, then the controls."""
    shown = page.view(status, words(lang), note)
    blocks: list[Block] = [header(shown.title), *([context(shown.note)] if shown.note else [])]
    blocks += [*sections(shown.status), {"type": "divider"}]
    membership = [button(b) for b in shown.membership]
    profile = [_division_select(shown.division_hint), button(shown.profile)]
    blocks.append({"type": "actions", "block_id": "jb-home-membership", "elements": membership})
    blocks.append({"type": "actions", "block_id": "jb-home-profile", "elements": profile})
    return {"type": "home", "blocks": blocks}


def profile_modal(lang: Lang, private_metadata: str) -> dict[str, Any]:
    """The core's profile form (bot.forms), a block per field: the division picked or typed in
    the select, the others typed."""
    t = words(lang)

    def field(key: str) -> Block:
        hint = t(f"profile.form.{key}_hint")
        element = _division_select(hint) if key == forms.DIVISION else _typed(hint)
        label = _text(t(f"profile.form.{key}"))
        return {"type": "input", "block_id": key, "optional": True, "label": label, "element": element}

    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "private_metadata": private_metadata[:3000],
        "title": _text(t("profile.form.title"), 24),
        "submit": _text(t("profile.form.save"), 24),
        "close": _text(t("profile.form.cancel"), 24),
        "blocks": [section(t("profile.form.empty_note")), *(field(key) for key in forms.FIELDS)],
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
    return [
        {"text": _text(d.name, OPTION_TEXT_MAX), "value": page.division_value(d, OPTION_VALUE_MAX)}
        for d in choices
    ]
