"""Discord input as core commands: slash-command options, button ids and the profile form. Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from bot import actions, catalog, forms
from bot import commands as c

Options = Mapping[str, object]


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


def slash(name: str, options: Options) -> c.Command:
    """A subcommand's options (members and channels as their ids) as the core command."""
    return catalog.build(name, options)


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
