"""Every word Jembatan says, in English and Bahasa Indonesia, kept in TOML catalogues.

An entry is a string, a list (`pick`), or a message with plural forms: a table with the
sentence as `text` and, under `plural`, one table per counted placeholder with a form for
each CLDR plural category of the language (English `one` and `other`; Indonesian has only
`other`, so its catalogue writes plain strings):

    [round.text]
    text = "{groups} across our teams this round."
    plural.groups = { one = "{groups} conversation", other = "{groups} conversations" }

The category of a number comes from Babel's CLDR rules, never from `n == 1`.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.model import Lang


def is_plural(entry: object) -> bool:
    """A message with plural forms (see the module's docstring), not a section of entries."""
    return isinstance(entry, dict) and "text" in entry and "plural" in entry


def variants(entry: object) -> list[str]:
    """Every string an entry can show: each list item, or a plural message's text and forms."""
    if isinstance(entry, list):
        return [str(item) for item in entry]
    if is_plural(entry):
        assert isinstance(entry, dict)
        forms = [str(form) for table in entry["plural"].values() for form in table.values()]
        return [str(entry["text"]), *forms]
    return [str(entry)]


@cache
def _plural_rule(lang: Lang) -> Any:
    from babel import Locale  # imported when first needed: the CLI starts without it

    return Locale.parse(lang.value).plural_form


def plural_category(lang: Lang, count: float) -> str:
    """CLDR's category for a number in a language: "one", "other", …"""
    return str(_plural_rule(lang)(count))


def plural_categories(lang: Lang) -> frozenset[str]:
    return frozenset(_plural_rule(lang).tags) | {"other"}  # Babel's tags leave out "other"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not is_plural(value):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@cache
def catalogue(lang: Lang) -> dict[str, Any]:
    raw = resources.files("bot.i18n").joinpath(f"{lang.value}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(raw))


# Day-month order as Jembatan's readers write it (British English, not US "Nov 30").
_DATE_LOCALE = {Lang.EN: "en_GB", Lang.ID: "id"}


class Texts:
    """One language's catalogue: `texts("round.title", week=3)`.

    With a platform, an entry under that platform's section (`[discord.help]` for `help.member`
    on Discord) wins over the common one: where commands are typed differently, the words say so."""

    def __init__(self, lang: Lang, platform: str | None = None) -> None:
        self.lang = lang
        self._entries = catalogue(lang)
        self._prefix = f"{platform}." if platform else None

    def _entry(self, key: str) -> Any:
        if self._prefix and self._prefix + key in self._entries:
            return self._entries[self._prefix + key]
        return self._entries[key]

    def __call__(self, key: str, **params: object) -> str:
        entry = self._entry(key)
        if is_plural(entry):
            counted = {name: self._form(key, forms, name, params) for name, forms in entry["plural"].items()}
            return str(entry["text"]).format(**(params | counted))
        if not isinstance(entry, str):
            raise TypeError(f"{key} is a list; use pick()")
        return entry.format(**params) if params else entry

    def _form(self, key: str, forms: dict[str, str], name: str, params: dict[str, object]) -> str:
        count = params[name]
        if not isinstance(count, int | float):
            raise TypeError(f"{key}: {name} is counted, so it must be a number, not {count!r}")
        category = plural_category(self.lang, count)
        return forms.get(category, forms["other"]).format(**params)

    def pick(self, key: str, index: int, **params: object) -> str:
        options = self._entry(key)
        return str(options[index % len(options)]).format(**params)

    def when(self, moment: datetime, zone: str) -> str:
        """A moment as people read it, in their language and time zone: "Senin 30 Des 09:00 Asia/Jakarta"."""
        local = moment.astimezone(ZoneInfo(zone))
        weekday = self.pick("weekdays", local.weekday())
        month = self.pick("months", local.month - 1)
        return f"{weekday} {local.day} {month} {local:%H:%M} {zone}"

    def day(self, day: date, pattern: str = "d MMM") -> str:
        """A date in the language's own words (CLDR via Babel): "7 Dec" in English, "7 Des" in Indonesian."""
        from babel.dates import format_date

        return str(format_date(day, pattern, locale=_DATE_LOCALE[self.lang]))

    def day_range(self, start: date, end: date) -> str:
        """ "30 Nov – 21 Dec 2026"; one day when start and end are the same."""
        from babel.dates import format_interval

        return str(format_interval(start, end, "yMMMd", locale=_DATE_LOCALE[self.lang]))

    def has(self, key: str) -> bool:
        return key in self._entries


def texts(lang: Lang | str, platform: str | None = None) -> Texts:
    return Texts(Lang(lang), platform)
