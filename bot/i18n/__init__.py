"""Every word Jembatan says, in English and Bahasa Indonesia, kept in TOML catalogues."""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.model import Lang


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@cache
def catalogue(lang: Lang) -> dict[str, Any]:
    raw = resources.files("bot.i18n").joinpath(f"{lang.value}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(raw))


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
        if not isinstance(entry, str):
            raise TypeError(f"{key} is a list; use pick()")
        return entry.format(**params) if params else entry

    def pick(self, key: str, index: int, **params: object) -> str:
        options = self._entry(key)
        return str(options[index % len(options)]).format(**params)

    def when(self, moment: datetime, zone: str) -> str:
        """A moment as people read it, in their language and time zone: "Senin 30 Des 09:00 Asia/Jakarta"."""
        local = moment.astimezone(ZoneInfo(zone))
        weekday = self.pick("weekdays", local.weekday())
        month = self.pick("months", local.month - 1)
        return f"{weekday} {local.day} {month} {local:%H:%M} {zone}"

    def has(self, key: str) -> bool:
        return key in self._entries


def texts(lang: Lang | str, platform: str | None = None) -> Texts:
    return Texts(Lang(lang), platform)
