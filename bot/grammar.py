"""The text grammar: what people type after `/jembatan` as a core command. Pure.

Every platform where people type commands as text (Slack, the console demo) reads them here.
Mentions are written `<@U123>` or `<@U123|name>`, channels `<#C123|name>`: the form the core's
messages use. Anything the grammar cannot place becomes `Help`, whose answer lists the right
usage; values are checked by the core, which answers a malformed value with the fix.

A platform that sends the text HTML-escaped (Slack: `R&amp;D`) says so with `escaped=True`:
profile words are then unescaped, so they are spelled as a form spells them and stored as plain
text. Shout-out words stay as sent: they are shown again on the platform that escaped them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import commands as c
from bot.domain.markup import slack_unescape

_USER = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{1,20})(?:\|[^>]*)?>")
_TIME = re.compile(r"\d{1,2}[:.]\d{2}")
_CADENCES = {"weekly", "biweekly", "monthly", "mingguan", "dwimingguan", "bulanan"}
_SETUP_KEYS = {
    "tz": "timezone",
    "timezone": "timezone",
    "size": "group_size",
    "group": "group_size",
    "lang": "lang",
    "cross": "cross_division",
    "shoutouts": "shoutout_channel",
}


@dataclass(frozen=True, slots=True)
class OpenProfile:
    """`profile`: not a core command but a form; the platform opens it."""


Parsed = c.Command | OpenProfile


def mentioned(text: str) -> list[str]:
    return _USER.findall(text)


def plain_mentions(text: str) -> str:
    """`<@U1|ana>` → `<@U1>`: the display name in the escape is a snapshot, the id is the truth."""
    return _USER.sub(lambda m: f"<@{m.group(1)}>", text)


def _shoutout(rest: str) -> c.GiveShoutOut:
    recipients: list[str] = []
    text = rest.strip()
    # Leading mentions are the people celebrated; the words after them say what for.
    while match := _USER.match(text):
        recipients.append(match.group(1))
        text = text[match.end() :].lstrip(" ,&")
        if text.lower().startswith("and "):
            text = text[4:].lstrip()
    return c.GiveShoutOut(tuple(recipients), plain_mentions(text))


def _setup(words: list[str]) -> c.SetupProgram | c.Help:
    fields: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep:
            field = _SETUP_KEYS.get(key.lower(), key.lower())
            channel = _CHANNEL.fullmatch(value)
            fields[field] = channel.group(1) if channel else value
        elif word.lower() in _CADENCES:
            fields["cadence"] = word
        elif _TIME.fullmatch(word) or word[:1].isdigit():
            fields["time"] = word
        elif "/" in word:
            fields["timezone"] = word
        elif channel := _CHANNEL.fullmatch(word):
            fields["shoutout_channel"] = channel.group(1)
        else:
            fields["weekday"] = word
    known = {k: v for k, v in fields.items() if k in c.SetupProgram.__dataclass_fields__}
    if len(known) != len(fields):
        return c.Help("admin")  # an option we do not know: show the usage
    return c.SetupProgram(**known)


def _leaderboard(words: list[str]) -> c.Leaderboard:
    lowered = [w.lower() for w in words]
    by_division = any(w in ("division", "divisions", "divisi") for w in lowered)
    period = next((w for w in lowered if w not in ("division", "divisions", "divisi")), "month")
    return c.Leaderboard(period, by_division)


_INTO = re.compile(r"\s+(?:to|into|jadi|menjadi)\s+", re.IGNORECASE)


def _rename(rest: str) -> c.RenameDivision:
    """`rename-division Eng, engineering to Engineering`: the names before the last `to` (or
    `jadi`), comma-separated, become the one after it. Missing either side, the core says what
    to type."""
    parts = _INTO.split(rest)
    if len(parts) < 2:
        return c.RenameDivision((), "")
    old = " ".join(parts[:-1])
    return c.RenameDivision(tuple(n.strip() for n in old.split(",") if n.strip()), parts[-1].strip())


def _as_typed(text: str) -> str:
    return text


def parse(text: str, *, escaped: bool = False) -> Parsed:
    """The command behind the words after `/jembatan`."""
    plain = slack_unescape if escaped else _as_typed
    text = text.strip()
    head, _, rest = text.partition(" ")
    verb = head.lower()
    rest = rest.strip()
    words = rest.split()
    match verb:
        case "" | "help" | "bantuan":
            return c.Help("admin" if words[:1] == ["admin"] else None)
        case "join" | "gabung":
            return c.Join(plain(rest) or None)
        case "leave" | "keluar":
            return c.Leave()
        case "pause" | "jeda":
            return c.Pause(words[0] if words else None)
        case "resume" | "lanjut":
            return c.Resume()
        case "division" | "divisi":
            return c.SetDivision(plain(rest))
        case "timezone" | "tz" | "zona":
            return c.SetTimezone(plain(rest))
        case "interests" | "minat":
            return c.SetInterests(plain(rest))
        case "profile" | "profil":
            return OpenProfile()
        case "status":
            return c.Status()
        case "shoutout" | "kudos" | "apresiasi":
            return _shoutout(rest)
        case "leaderboard":
            return _leaderboard(words)
        case "export" | "ekspor":
            return c.ExportCsv() if words[:1] == ["csv"] else c.ExportMyData()
        case "forget" | "lupakan":
            return c.ForgetMe(confirmed=words[:1] in (["confirm"], ["yakin"]))
        case "setup":
            return _setup(words)
        case "round" | "ronde":
            if words[:1] == ["now"] or words[:1] == ["sekarang"]:
                return c.RunRoundNow()
            if words[:1] == ["preview"]:
                return c.PreviewRound()
            return c.Help("admin")
        case "stats" | "statistik":
            return c.ShowStats(workspace=words[:1] in (["all"], ["workspace"]))
        case "block" | "blokir":
            people = mentioned(rest)
            return c.BlockPair(*[*people, "", ""][:2]) if len(people) <= 2 else c.BlockPair("", "")
        case "rename-division" | "ganti-divisi":
            return _rename(plain(rest))
        case "dashboard" | "dasbor":
            return c.OpenDashboard()
        case "admin":
            people = mentioned(rest)
            action = words[0].lower() if words else ""
            if action in ("add", "remove") and len(people) == 1:
                return c.GrantAdmin(people[0], revoke=action == "remove")
            return c.Help("admin")
        case _:
            return c.Help()
