"""The audit list's entries: who ran which admin command, when, and what it changed. Written in
the command's own transaction, so an entry exists exactly when the change does, from any door."""

from __future__ import annotations

from typing import Any

from bot import commands as c
from bot.domain.model import Program, ProgramConfig
from bot.domain.validation import WEEKDAYS
from bot.services.base import CommandContext


def settings_of(config: ProgramConfig) -> dict[str, str]:
    """The settings an admin changes, as words (what the audit list keeps and shows)."""
    return {
        "cadence": config.cadence.value,
        "weekday": WEEKDAYS[config.weekday],
        "time": config.local_time.strftime("%H:%M"),
        "timezone": config.timezone,
        "group_size": str(config.group_size),
        "lang": config.lang.value,
        "cross_division": config.cross_division.value,
        "shoutout_channel": config.shoutout_channel or "",
    }


def _details(command: c.Command, before: Program | None, after: Program | None) -> dict[str, Any] | None:
    """What to keep about `command`; None when it changed nothing worth a line."""
    match command:
        case c.SetupProgram():
            if after is None:
                return None
            new = settings_of(after.config)
            if before is None or before.id != after.id:
                return {"created": True, "changes": {k: [None, v] for k, v in new.items()}}
            old = settings_of(before.config)
            changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
            return {"changes": changes} if changes else None
        case c.RenameDivision(old, new):
            return {"from": list(old), "to": new}
        case c.BlockPair(first, second):
            return {"first": first, "second": second}
        case c.GrantAdmin(user_id, revoke):
            return {"user": user_id, "revoke": revoke}
        case _:
            return {}


async def record(ctx: CommandContext, command: c.Command, before: Program | None) -> None:
    """Add the entry for an audited command that has just succeeded in `ctx`."""
    if not isinstance(command, c.AUDITED_COMMANDS):
        return
    details = _details(command, before, ctx.program)
    if details is None:
        return
    workspace_wide = isinstance(command, c.BlockPair | c.ExportCsv | c.GrantAdmin)
    program_id = None if workspace_wide or ctx.program is None else ctx.program.id
    await ctx.scope.audit.record(program_id, ctx.actor.user_id, type(command).__name__, details, ctx.now)
