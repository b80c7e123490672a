"""`/jembatan` and its subcommands, made from the core's command catalogue (`bot.catalog`): each
entry's fields become typed options, and what Discord sends back goes to the client as plain
values (a member or a channel as its id)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from bot import catalog
from bot.domain.model import Lang, Platform
from bot.i18n import Texts, texts

Interaction = discord.Interaction[Any]
_TYPES: dict[catalog.Kind, type] = {
    catalog.Kind.TEXT: str,
    catalog.Kind.WHOLE: int,
    catalog.Kind.YES_NO: bool,
    catalog.Kind.PERSON: discord.User,  # resolves to the server member when Discord sends one
    catalog.Kind.CHANNEL: discord.TextChannel,
}
_IDS = (catalog.Kind.PERSON, catalog.Kind.CHANNEL)


class SlashHandler(Protocol):
    async def slash(self, interaction: Interaction, entry: catalog.Entry, values: catalog.Values) -> None: ...


def _option(field: catalog.Field) -> inspect.Parameter:
    """The field as discord.py reads an option: from a parameter's annotation and default."""
    kind: Any = _TYPES[field.kind]
    if field.low is not None or field.high is not None:
        kind = app_commands.Range[kind, field.low, field.high]
    default = inspect.Parameter.empty if field.required else None
    return inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)


def _plain(field: catalog.Field, value: Any) -> object:
    """A member or a channel as its id; any other value as Discord sent it."""
    return str(value.id) if field.kind in _IDS and value is not None else value


def _suggestions(suggest: Callable[[str], list[str]]) -> Any:
    async def suggested(interaction: Interaction, typed: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s, value=s) for s in suggest(typed)]

    return suggested


def subcommand(entry: catalog.Entry, says: Texts) -> app_commands.Command[Any, ..., None]:
    """discord.py reads a command's options from its callback's signature and decorations, so
    one callback for any entry is given the signature its fields make."""

    async def given(interaction: Interaction, **options: Any) -> None:
        values = {f.name: _plain(f, options[f.name]) for f in entry.fields}
        handler: SlashHandler = interaction.client
        await handler.slash(interaction, entry, values)

    first = inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Interaction)
    given.__signature__ = inspect.Signature([first, *map(_option, entry.fields)])  # type: ignore[attr-defined]
    described = {f.name: says(key) for f in entry.fields if (key := entry.field_about(f))}
    if described:
        app_commands.describe(**described)(given)
    choices = {
        f.name: [app_commands.Choice(name=c, value=c) for c in f.choices] for f in entry.fields if f.choices
    }
    if choices:
        app_commands.choices(**choices)(given)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=entry.name, description=says(entry.about), callback=given
    )
    for field in entry.fields:
        if field.suggest is not None:
            command.autocomplete(field.name)(_suggestions(field.suggest))
    return command


class JembatanCommands(app_commands.Group):
    """`/jembatan …`, one subcommand per catalogue entry, in its order. Admin subcommands are
    visible to everyone: the core checks the caller's rights on every call, because server admins
    can override command visibility anyway."""

    def __init__(self) -> None:
        # What Discord lists. Registered in English only: no localisations are sent (yet).
        says = texts(Lang.EN, Platform.DISCORD.value)
        super().__init__(name=catalog.ROOT, description=says(catalog.ABOUT), guild_only=True)
        for entry in catalog.ENTRIES:
            self.add_command(subcommand(entry, says))
