"""Every command a message tells people to type is one their platform would understand.

Each catalogue entry is read as it would be on each platform (its platform section winning,
as `texts(lang, platform)` does), every `code span` in it that names a command is taken out,
and it goes through that platform's real parser: Slack's slash-command text, Discord's
registered subcommands and options, the console's typed text. A bare `pause` (which nobody
can type: Slack delivers no channel chatter to the bot) or `pause 2` on Discord fails here."""

from __future__ import annotations

import re
from itertools import count

import pytest

from adapters.discord import parse as discord_parse
from adapters.discord.client import JembatanCommands
from bot import commands as c
from bot import grammar
from bot.domain.model import Lang
from bot.i18n import catalogue, variants

PLATFORMS = ("slack", "discord", "console")
# The first word of a span that is an instruction to type one of our commands.
VERBS = {
    *("join", "leave", "pause", "resume", "division", "timezone", "tz", "interests", "profile", "status"),
    *("shoutout", "kudos", "leaderboard", "export", "forget", "setup", "round", "stats", "block", "admin"),
    *("help", "round-now", "round-preview", "export-csv", "rename-division", "ganti-divisi"),
    *("gabung", "keluar", "jeda", "lanjut", "divisi", "zona", "minat", "profil", "apresiasi", "ekspor"),
    *("lupakan", "ronde", "statistik", "blokir", "bantuan", "dashboard", "dasbor"),
}
# Slash commands of the platform itself that a message may name (Slack's own `/invite`).
BUILT_IN = {"slack": {"/invite"}, "console": {"/invite"}, "discord": set()}
MEANT: dict[str, type] = {
    "help": c.Help,
    "join": c.Join,
    "leave": c.Leave,
    "pause": c.Pause,
    "resume": c.Resume,
    "division": c.SetDivision,
    "timezone": c.SetTimezone,
    "interests": c.SetInterests,
    "profile": grammar.OpenProfile,
    "status": c.Status,
    "shoutout": c.GiveShoutOut,
    "leaderboard": c.Leaderboard,
    "export": c.ExportMyData,
    "export csv": c.ExportCsv,
    "export-csv": c.ExportCsv,
    "forget": c.ForgetMe,
    "setup": c.SetupProgram,
    "round now": c.RunRoundNow,
    "round-now": c.RunRoundNow,
    "round preview": c.PreviewRound,
    "round-preview": c.PreviewRound,
    "stats": c.ShowStats,
    "block": c.BlockPair,
    "admin": c.GrantAdmin,
    "rename-division": c.RenameDivision,
    "ganti-divisi": c.RenameDivision,
    "dashboard": c.OpenDashboard,
    "dasbor": c.OpenDashboard,
}


def _shown(lang: Lang, platform: str) -> dict[str, list[str]]:
    """Every entry as read on a platform: its own section's wording where it has one."""
    entries = catalogue(lang)
    common = [k for k in entries if not k.startswith(tuple(f"{p}." for p in PLATFORMS))]
    return {k: variants(entries.get(f"{platform}.{k}", entries[k])) for k in common}


def _spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def _usage_to_example(span: str) -> str:
    """Usage notation as a person would fill it in: `[optional]` left out, `<name>` filled."""
    span = re.sub(r"\s*\[[^\]]*\]", "", span)
    span = re.sub(r"<([^>@#]*)>", lambda m: m.group(1).split("/")[0].rstrip("…") or "x", span)
    return span.replace("…", "").strip()


def _slack_text(rest: str) -> str:
    ids = count(1)
    return re.sub(r"@\w+", lambda _: f"<@U0TEST{next(ids)}>", rest)


def _meant(words: list[str]) -> type | None:
    two = " ".join(words[:2]).lower()
    return MEANT.get(two) or MEANT.get(words[0].lower() if words else "")


def _check_text_command(span: str, platform: str) -> str | None:
    """Slack and the console: `/jembatan <text>`, read by the platform's parser."""
    example = _usage_to_example(span)
    if platform == "console":
        # The console demo reads what people type with the core's grammar, unescaped (bot/demo.py).
        head, _, rest = _slack_text(example).partition(" ")
        parsed = grammar.parse(rest) if head == "/jembatan" else None
    else:
        head, _, rest = example.partition(" ")
        assert head == "/jembatan"
        parsed = grammar.parse(_slack_text(rest), escaped=True)  # Slack sends the text after the command
    words = example.split()[1:]
    meant = _meant(words)
    if meant is None:
        return f"names no command: {span}"
    if not isinstance(parsed, meant):
        return f"{span} parses as {parsed!r}, not {meant.__name__}"
    if isinstance(parsed, c.ForgetMe) and parsed.confirmed != ("confirm" in words):
        return f"{span}: confirmation lost"
    if isinstance(parsed, c.GiveShoutOut) and "@" in span and not parsed.recipients:
        return f"{span}: nobody mentioned"
    if isinstance(parsed, c.BlockPair) and not (parsed.first and parsed.second):
        return f"{span}: two people expected"
    if isinstance(parsed, c.RenameDivision) and not (parsed.old and parsed.new):
        return f"{span}: the divisions or the new name lost"
    if isinstance(parsed, c.Pause) and words[1:] and parsed.weeks != words[1]:
        return f"{span}: weeks lost"
    return None


def _discord_tree() -> dict[str, set[str]]:
    return {cmd.name: {p.name for p in cmd.parameters} for cmd in JembatanCommands().commands}  # type: ignore[union-attr]


def _check_discord(span: str, tree: dict[str, set[str]]) -> str | None:
    """Discord: a registered subcommand, and only its own `option:value` fields."""
    example = _usage_to_example(span)
    _, _, rest = example.partition(" ")
    name, _, fields = rest.partition(" ")
    if name not in tree:
        return f"{span}: no subcommand {name!r}"
    starts = list(re.finditer(r"(?:^|\s)([a-z_0-9]+):", fields))
    if fields[: starts[0].start() if starts else len(fields)].strip():
        return f"{span}: Discord takes fields (`name:value`), not free text after the subcommand"
    options: dict[str, object] = {}
    ids = count(1)
    for here, after in zip(starts, [*starts[1:], None], strict=False):
        value = fields[here.end() : after.start() if after else len(fields)].strip()
        if here.group(1) not in tree[name]:
            return f"{span}: {name} has no field {here.group(1)!r}"
        value = re.sub(r"@\w+", lambda _: str(1000 + next(ids)), value)
        options[here.group(1)] = {"True": True, "False": False}.get(value, value)
    meant = MEANT[name]
    if name == "profile":
        return None  # opens the form: no core command behind it
    parsed = discord_parse.slash(name, options)
    if not isinstance(parsed, meant):
        return f"{span} parses as {parsed!r}, not {meant.__name__}"
    if isinstance(parsed, c.ForgetMe) and parsed.confirmed != ("confirm" in options):
        return f"{span}: confirmation lost"
    if isinstance(parsed, c.Pause) and "weeks" in options and parsed.weeks != options["weeks"]:
        return f"{span}: weeks lost"
    return None


def problems(lang: Lang, platform: str) -> list[str]:
    tree = _discord_tree()
    found: list[str] = []
    for key, texts in _shown(lang, platform).items():
        for text in texts:
            for span in _spans(text):
                first = span.split()[0]
                if first.startswith("/") and first != "/jembatan":
                    if first not in BUILT_IN[platform]:
                        found.append(f"{key}: {span} is not a command on {platform}")
                    continue
                if first != "/jembatan":
                    if first.lower() in VERBS:
                        found.append(f"{key}: `{span}` cannot be typed; the command is /jembatan")
                    continue
                if platform == "discord":
                    problem = _check_discord(span, tree)
                else:
                    problem = _check_text_command(span, platform)
                if problem:
                    found.append(f"{key}: {problem}")
    return found


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("lang", list(Lang))
def test_every_command_a_message_names_parses_on_its_platform(lang: Lang, platform: str) -> None:
    assert not problems(lang, platform)


def test_the_check_finds_commands_in_every_kind_of_entry() -> None:
    # The scan must see the instructions it guards: help, errors, replies and round posts.
    entries = _shown(Lang.EN, "discord")
    named = {k for k, texts in entries.items() for t in texts if "`/jembatan" in t}
    assert {"help.member", "help.admin", "error.weeks", "round.footer", "forget.confirm"} <= named
    assert "`/jembatan pause weeks:2`" in entries["error.weeks"][0]
