"""Discord input as core commands: slash-command options, button ids and the profile form. Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from zoneinfo import available_timezones

from bot import actions, forms
from bot import commands as c

Options = Mapping[str, object]


def _text(options: Options, name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(options: Options, name: str) -> bool:
    return bool(options.get(name))


def _setup(o: Options) -> c.SetupProgram:
    return c.SetupProgram(
        cadence=_text(o, "cadence"),
        weekday=_text(o, "weekday"),
        time=_text(o, "time"),
        timezone=_text(o, "timezone"),
        group_size=_text(o, "group_size"),
        lang=_text(o, "language"),
        cross_division=_text(o, "cross_division"),
        shoutout_channel=_text(o, "shoutout_channel"),
    )


def _shoutout(o: Options) -> c.GiveShoutOut:
    people = (_text(o, "member"), _text(o, "member2"), _text(o, "member3"))
    return c.GiveShoutOut(tuple(p for p in people if p), _text(o, "achievement") or "")


# What Discord sends for each option type (its docs' numbers), and its limits. discord.py hands
# option values over as they came, so a `confirm: "yes"` would reach `forget` as true.
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
_GROUPS = (1, 2)  # a subcommand, a subcommand group: options of their own
_INTEGER, _USER, _NUMBER = 4, 6, 10
STRING_MAX = 6000
INTEGER_MAX = 2**53


def loggable(name: str) -> str:
    """An option name from a payload, safe in a log line (no newline can forge another line)."""
    return re.sub(r"[^A-Za-z0-9_-]", "?", name[:32])


def _option_problem(option: object, resolved: Mapping[str, object]) -> str | None:
    if not isinstance(option, Mapping) or not isinstance(option.get("name"), str):
        return "option"
    kind, value = option.get("type"), option.get("value")
    if kind in _GROUPS:
        return _options_problem(option.get("options") or [], resolved)
    if option.get("focused") and kind in (_INTEGER, _NUMBER):
        return None if isinstance(value, str | int | float) else "focused"  # half-typed: any text
    match kind:
        case 3:  # string
            ok = isinstance(value, str) and len(value) <= STRING_MAX and "\x00" not in value
        case 4:  # integer
            ok = type(value) is int and -INTEGER_MAX <= value <= INTEGER_MAX
        case 5:  # boolean
            ok = type(value) is bool
        case 10:  # number
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and abs(value) <= INTEGER_MAX
            )
        case 6 | 7 | 8 | 9:  # user, channel, role, mentionable: a snowflake
            ok = isinstance(value, str) and bool(_SNOWFLAKE.fullmatch(value))
            if ok and kind == _USER:
                users = resolved.get("users")
                ok = isinstance(users, Mapping) and value in users  # a member Discord vouches for
        case _:
            ok = False
    return None if ok else f"{loggable(option['name'])}:{loggable(str(kind))}"


def _options_problem(options: object, resolved: Mapping[str, object]) -> str | None:
    if not isinstance(options, list):
        return "options"
    for option in options:
        if problem := _option_problem(option, resolved):
            return problem
    return None


def malformed(data: object) -> str | None:
    """Why a slash command's data is not what Discord sends (an option of the wrong type, too
    long, a NUL, a member it does not resolve), or None when it is well-formed."""
    if not isinstance(data, Mapping):
        return "data"
    resolved = data.get("resolved") or {}
    if not isinstance(resolved, Mapping):
        return "resolved"
    return _options_problem(data.get("options") or [], resolved)


def option_names(data: object) -> set[str]:
    """The names of the options given to the subcommand itself (below any group)."""
    options = data.get("options") if isinstance(data, Mapping) else None
    while isinstance(options, list) and options and all(isinstance(o, Mapping) for o in options):
        groups = [o for o in options if o.get("type") in _GROUPS]
        if not groups:
            return {str(o.get("name")) for o in options}
        options = groups[0].get("options")
    return set()


# Subcommand name → command. Member and channel options arrive as id strings.
SLASH: dict[str, Callable[[Options], c.Command]] = {
    "help": lambda o: c.Help(_text(o, "topic")),
    "join": lambda o: c.Join(_text(o, "division")),
    "leave": lambda o: c.Leave(),
    "pause": lambda o: c.Pause(_text(o, "weeks")),
    "resume": lambda o: c.Resume(),
    "division": lambda o: c.SetDivision(_text(o, "name") or ""),
    "timezone": lambda o: c.SetTimezone(_text(o, "zone") or ""),
    "interests": lambda o: c.SetInterests(_text(o, "words") or ""),
    "status": lambda o: c.Status(),
    "shoutout": _shoutout,
    "leaderboard": lambda o: c.Leaderboard(_text(o, "period") or "month", _flag(o, "by_division")),
    "export": lambda o: c.ExportMyData(),
    "forget": lambda o: c.ForgetMe(_flag(o, "confirm")),
    "setup": _setup,
    "round-now": lambda o: c.RunRoundNow(),
    "round-preview": lambda o: c.PreviewRound(),
    "stats": lambda o: c.ShowStats(_flag(o, "everywhere")),
    "block": lambda o: c.BlockPair(_text(o, "first") or "", _text(o, "second") or ""),
    "export-csv": lambda o: c.ExportCsv(),
    "admin": lambda o: c.GrantAdmin(_text(o, "member") or "", _flag(o, "remove")),
}

# Work that takes a while (a round, a chart, a file): acknowledge first, answer after.
SLOW = frozenset({"round-now", "round-preview", "stats", "export", "export-csv"})


def slash(name: str, options: Options) -> c.Command:
    return SLASH[name](options)


def profile_form(division: str, timezone: str, interests: str) -> c.UpdateProfile:
    """The form as the core reads every platform's: an empty field leaves that part as it is.
    (A Discord modal cannot show a problem under its field, so the core's answer names it.)"""
    return forms.profile({forms.DIVISION: division, forms.TIMEZONE: timezone, forms.INTERESTS: interests})


def button(custom_id: str) -> tuple[c.Command | None, str | None]:
    """The command behind a button, and the server it belongs to when the id carries one (DMs)."""
    action_id, _, guild = custom_id.partition("@")
    if guild and not (guild.isascii() and guild.isdigit()):
        return None, None
    command = actions.command_for(action_id)
    return (command, guild or None) if command is not None else (None, None)


@cache
def _zones() -> tuple[str, ...]:
    regional = (z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return ("UTC", *sorted(regional))


def timezone_choices(typed: str, limit: int = 25) -> list[str]:
    """Zones for autocomplete: those whose city starts with what was typed first, then any match."""
    needle = typed.strip().lower().replace(" ", "_")
    if not needle:
        return list(_zones()[:limit])
    starts = [
        z for z in _zones() if z.lower().rsplit("/", 1)[-1].startswith(needle) or z.lower().startswith(needle)
    ]
    rest = [z for z in _zones() if needle in z.lower() and z not in starts]
    return (starts + rest)[:limit]
