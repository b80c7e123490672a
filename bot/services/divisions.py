"""Renaming and merging a program's divisions: "Eng" and "engineering" become "Engineering"."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.domain import validation
from bot.messages import Reply
from bot.services.base import CommandContext, Refusal


def _fold(name: str) -> str:
    # How two spellings of one division compare: case, spacing and Unicode form aside.
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


async def rename(ctx: CommandContext, old: Sequence[str], new: str) -> Reply:
    program = ctx.require_program()
    if not new.strip() or not any(name.strip() for name in old):
        raise Refusal("error.rename_which")  # before the name rules: say what to type first
    target = validation.division(new)
    wanted = {_fold(validation.division(name)) for name in old if name.strip()}
    known = await ctx.scope.divisions.of_program(program.id)
    names = [name for name in known if _fold(name) in wanted and name != target]
    if not names:
        if any(_fold(name) in wanted for name in known):  # only the new name itself: nothing to do
            return Reply(ctx.t("division.unchanged", new=target))
        raise Refusal("error.division_unknown", names=", ".join(sorted(old)))
    people = await ctx.scope.divisions.rename(program.id, names, target)
    return Reply(ctx.t("division.renamed", old=", ".join(names), new=target, people=people))
