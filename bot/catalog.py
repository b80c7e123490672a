"""Every command people can give, declared once: its name, its fields and their kinds, the
catalogue keys that say what each is for, and the core command it builds.

Platforms present the same table their own way: Discord registers it as `/jembatan`
subcommands with typed options (`adapters/discord/slash.py`). Whatever the platform, a
command's given values arrive here as plain data (a person or a channel as its id string) and
leave as one of `bot.commands`; the core checks the values themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from zoneinfo import available_timezones

from bot import commands as c
from bot.domain import validation
from bot.domain.model import Cadence, Lang
from bot.domain.pairing.model import CrossDivisionMode

Values = Mapping[str, object]
Builder = Callable[[Values], c.Command]

ROOT = "jembatan"  # the one command every platform shows; the entries below are its subcommands
ABOUT = "command.about"  # what the root command is for


class Kind(Enum):
    TEXT = "text"
    WHOLE = "whole number"
    YES_NO = "yes or no"
    PERSON = "person"  # given as the person's user id
    CHANNEL = "channel"  # a text channel, given as its id


@dataclass(frozen=True)
class Field:
    """One value a command takes. `low`/`high` bound a number, or a text's length in characters."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    described: bool = False  # has a catalogue entry `command.<command>.<field>`
    suggest: Callable[[str], list[str]] | None = None  # completions for what was typed so far


@dataclass(frozen=True)
class Entry:
    """A command. With no `build` it opens the profile form, whose fields build the command."""

    name: str
    build: Builder | None
    fields: tuple[Field, ...] = ()
    slow: bool = False  # takes a while (a round, a chart, a file): acknowledge first, answer after

    @property
    def about(self) -> str:
        return f"command.{self.name}.about"

    def field_about(self, field: Field) -> str | None:
        return f"command.{self.name}.{field.name}" if field.described else None


def _text(values: Values, name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(values: Values, name: str) -> bool:
    return bool(values.get(name))


@cache
def _zones() -> tuple[str, ...]:
    regional = (z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return ("UTC", *sorted(regional))


def timezone_choices(typed: str, limit: int = 25) -> list[str]:
    """Zones to offer: those whose city starts with what was typed first, then any match."""
    needle = typed.strip().lower().replace(" ", "_")
    if not needle:
        return list(_zones()[:limit])
    starts = [
        z for z in _zones() if z.lower().rsplit("/", 1)[-1].startswith(needle) or z.lower().startswith(needle)
    ]
    rest = [z for z in _zones() if needle in z.lower() and z not in starts]
    return (starts + rest)[:limit]


def _shoutout(v: Values) -> c.GiveShoutOut:
    people = (_text(v, "member"), _text(v, "member2"), _text(v, "member3"))
    return c.GiveShoutOut(tuple(p for p in people if p), _text(v, "achievement") or "")


def _setup(v: Values) -> c.SetupProgram:
    return c.SetupProgram(
        cadence=_text(v, "cadence"),
        weekday=_text(v, "weekday"),
        time=_text(v, "time"),
        timezone=_text(v, "timezone"),
        group_size=_text(v, "group_size"),
        lang=_text(v, "language"),
        cross_division=_text(v, "cross_division"),
        shoutout_channel=_text(v, "shoutout_channel"),
    )


def _rename(v: Values) -> c.RenameDivision:
    old = (_text(v, "divisions") or "").split(",")
    return c.RenameDivision(tuple(n.strip() for n in old if n.strip()), _text(v, "new_name") or "")


def _choices(kinds: type[Enum]) -> tuple[str, ...]:
    return tuple(str(kind.value) for kind in kinds)


def _command(name: str, build: Builder | None, *fields: Field, slow: bool = False) -> Entry:
    return Entry(name, build, fields, slow)


# In the order platforms list them. Admin commands are listed to everyone: the core checks the
# caller's rights on every call.
ENTRIES: tuple[Entry, ...] = (
    _command("help", lambda v: c.Help(_text(v, "topic")), Field("topic", choices=("member", "admin"))),
    _command("join", lambda v: c.Join(_text(v, "division")), Field("division", described=True)),
    _command("leave", lambda v: c.Leave()),
    _command(
        "pause",
        lambda v: c.Pause(_text(v, "weeks")),
        Field(
            "weeks",
            Kind.WHOLE,
            low=validation.MIN_PAUSE_WEEKS,
            high=validation.MAX_PAUSE_WEEKS,
            described=True,
        ),
    ),
    _command("resume", lambda v: c.Resume()),
    _command(
        "division",
        lambda v: c.SetDivision(_text(v, "name") or ""),
        Field("name", required=True, low=1, high=validation.MAX_DIVISION),
    ),
    _command(
        "timezone",
        lambda v: c.SetTimezone(_text(v, "zone") or ""),
        Field("zone", required=True, described=True, suggest=timezone_choices),
    ),
    _command(
        "interests",
        lambda v: c.SetInterests(_text(v, "words") or ""),
        Field("words", required=True, described=True),
    ),
    _command("profile", None),
    _command("status", lambda v: c.Status()),
    _command(
        "shoutout",
        _shoutout,
        Field("member", Kind.PERSON, required=True),
        Field("achievement", required=True, low=1, high=validation.MAX_SHOUTOUT),
        Field("member2", Kind.PERSON),
        Field("member3", Kind.PERSON),
    ),
    _command(
        "leaderboard",
        lambda v: c.Leaderboard(_text(v, "period") or "month", _flag(v, "by_division")),
        Field("period", choices=("week", "month", "all")),
        Field("by_division", Kind.YES_NO),
    ),
    _command("export", lambda v: c.ExportMyData(), slow=True),
    _command(
        "forget", lambda v: c.ForgetMe(_flag(v, "confirm")), Field("confirm", Kind.YES_NO, described=True)
    ),
    _command(
        "setup",
        _setup,
        Field("cadence", choices=_choices(Cadence)),
        Field("weekday", choices=validation.WEEKDAYS),
        Field("time", low=4, high=5, described=True),  # H:MM or HH:MM
        Field("timezone", suggest=timezone_choices),
        Field("group_size", Kind.WHOLE, low=2, high=4, described=True),
        Field("language", choices=_choices(Lang)),
        Field("cross_division", choices=_choices(CrossDivisionMode), described=True),
        Field("shoutout_channel", Kind.CHANNEL),
    ),
    _command("round-now", lambda v: c.RunRoundNow(), slow=True),
    _command("round-preview", lambda v: c.PreviewRound(), slow=True),
    _command(
        "stats", lambda v: c.ShowStats(_flag(v, "everywhere")), Field("everywhere", Kind.YES_NO), slow=True
    ),
    _command(
        "block",
        lambda v: c.BlockPair(_text(v, "first") or "", _text(v, "second") or ""),
        Field("first", Kind.PERSON, required=True),
        Field("second", Kind.PERSON, required=True),
    ),
    _command("export-csv", lambda v: c.ExportCsv(), slow=True),
    _command(
        "rename-division",
        lambda v: c.RenameDivision(
            tuple(n.strip() for n in (_text(v, "divisions") or "").split(",") if n.strip()),
            _text(v, "new_name") or "",
        ),
        Field("divisions", required=True, described=True),
        Field("new_name", required=True, low=1, high=validation.MAX_DIVISION, described=True),
    ),
    _command("dashboard", lambda v: c.OpenDashboard()),
    _command(
        "admin",
        lambda v: c.GrantAdmin(_text(v, "member") or "", _flag(v, "remove")),
        Field("member", Kind.PERSON, required=True),
        Field("remove", Kind.YES_NO),
    ),
)
BY_NAME: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}


def build(name: str, values: Values) -> c.Command:
    """The core command a catalogue command stands for, from the values given for its fields."""
    entry = BY_NAME[name]
    if entry.build is None:
        raise ValueError(f"{name} opens a form; its fields build the command")
    return entry.build(values)
