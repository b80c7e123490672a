"""The Messenger port in a terminal: prints what a chat platform would show."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime

from rich.console import Console

from adapters.console.render import render
from bot.domain.model import TenantRef
from bot.messages import Intro, Message, ToGroup


class ConsoleMessenger:
    """Prints every message. `show_intros` limits how many intros per round are printed in full,
    so a 60-person round stays readable; the demo says how many it left out."""

    def __init__(self, console: Console, people: Mapping[str, str], show_intros: int = 2) -> None:
        self.console = console
        self.people = people  # user id → name, shown in place of a mention
        self.show_intros = show_intros
        self.hidden_intros = 0
        self._intros_shown = 0
        self._ids = itertools.count(1)

    def new_round(self) -> None:
        self._intros_shown = 0
        self.hidden_intros = 0

    async def open_group(self, tenant: TenantRef, to: ToGroup, *, since: datetime | None = None) -> str:
        return f"G{to.group_id}"

    def _show(self, conversation: str, message: Message) -> None:
        if isinstance(message, Intro):
            if self._intros_shown >= self.show_intros:
                self.hidden_intros += 1
                return
            self._intros_shown += 1
        self.console.print(f"[dim]→ {conversation}[/dim]")
        self.console.print(render(message, self.people))

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        self._show(conversation_id, message)
        return f"m{next(self._ids)}"

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        name = self.people.get(user_id, user_id)
        return await self.post(tenant, f"DM @{name}", message, key)
