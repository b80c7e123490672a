"""Discord input as core commands: slash-command options, button ids and the profile form. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from zoneinfo import available_timezones

from bot import actions
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
    """An empty field leaves that part of the profile as it is."""
    return c.UpdateProfile(
        division=division.strip() or None,
        timezone=timezone.strip() or None,
        interests=interests.strip() or None,
    )


def button(custom_id: str) -> tuple[c.Command | None, str | None]:
    """The command behind a button, and the server it belongs to when the id carries one (DMs)."""
    action_id, _, guild = custom_id.partition("@")
    if guild and not (guild.isascii() and guild.isdigit()):
        return None, None
    match actions.decode(action_id):
        case actions.MeetupAction(group_id, outcome):
            return c.RecordOutcome(group_id, outcome.value), guild or None
        case actions.StillInAction(program_id, choice):
            return c.AnswerStillIn(program_id, choice), guild or None
        case None:
            return None, None


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
