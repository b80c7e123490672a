"""What every use case needs: its dependencies, and a polite way to say no."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.commands import Actor
from bot.domain.model import Lang, Person, Program
from bot.i18n import Texts, texts
from bot.ports import Directory
from bot.services.ports import Store, TenantScope, UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    store: Store
    directory: Directory
    clock: Callable[[], datetime] = utc_now  # tests and the demo move time by passing their own
    shoutout_allowance: int = 5  # per person per 7 days: recognition stays meaningful
    history_rounds: int = 12  # rounds of history the engine sees when avoiding repeats
    default_lang: Lang = Lang.EN
    dashboard_url: str | None = None  # set by the process that serves the admin dashboard

    def now(self) -> datetime:
        return self.clock()


class Refusal(Exception):
    """A friendly no: the catalogue key of the explanation, and nothing was changed."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class CommandContext:
    """One command's context (not a database session): its unit of work, its workspace, who sent
    it and when, the program it is about, and the language to answer in."""

    uow: UnitOfWork
    scope: TenantScope
    actor: Actor
    now: datetime
    lang: Lang
    program: Program | None

    @property
    def t(self) -> Texts:
        return texts(
            self.program.config.lang if self.program else self.lang, self.actor.tenant.platform.value
        )

    def require_program(self) -> Program:
        if self.program is None:
            raise Refusal("error.no_program_here")
        return self.program

    async def person(self) -> Person:
        return await self.scope.people.ensure(self.actor.user_id, self.now)

    async def is_admin(self) -> bool:
        return self.actor.is_platform_admin or await self.scope.admins.is_listed(self.actor.user_id)


async def resolve_program(
    scope: TenantScope, actor: Actor, *, strict_channel: bool = False
) -> Program | None:
    """The program a command is about: the channel's own; otherwise the only one there is, or the
    only one this person belongs to. `strict_channel` insists on the channel's (for `join`)."""
    if actor.channel_id:
        here = await scope.programs.by_channel(actor.channel_id)
        if here is not None or strict_channel:
            return here
    every = await scope.programs.all()
    if len(every) == 1:
        return every[0]
    person = await scope.people.by_user(actor.user_id)
    if person is None:
        return None
    mine = [m.program_id for m in await scope.memberships.of_person(person.id)]
    return next((p for p in every if p.id in mine), None) if len(mine) == 1 else None
