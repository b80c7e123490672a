"""The Slack side of one process: the core, the Slack ports the core delivers through, the
installations (OAuth mode) and the Bolt app, with the bookkeeping of requests past their ack.
The listeners (`listeners.py`) work with this object; `app.py` builds the Bolt app around it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp

from adapters.slack.clients import Workspaces
from adapters.slack.directory import SlackDirectory
from adapters.slack.messenger import SlackMessenger
from bot.app import Deps, Installs, Jembatan, known_divisions
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(eq=False)
class Slack:
    """The core, the Slack ports, the installations (OAuth mode) and the Bolt app, for one process."""

    jembatan: Jembatan
    messenger: SlackMessenger
    directory: SlackDirectory
    workspaces: Workspaces
    installations: Installs | None = None  # OAuth installs; None with one SLACK_BOT_TOKEN
    bolt: AsyncApp = field(init=False, repr=False)
    answering: set[asyncio.Task[Any]] = field(default_factory=set)  # listeners past their ack
    _http: aiohttp.ClientSession | None = field(default=None, repr=False)

    @property
    def deps(self) -> Deps:
        return self.jembatan.deps

    @property
    def lang(self) -> Lang:
        return self.deps.default_lang

    @property
    def held(self) -> Set[TenantRef]:
        """Workspaces whose stored token does not decrypt (the relay holds the same set)."""
        return self.jembatan.store.held

    async def divisions(self, tenant: TenantRef) -> list[str]:
        # The select has no channel: it offers every division in use in the workspace.
        return await known_divisions(self.deps, tenant)

    def says(self, key: str) -> str:
        # Said without asking the database (the answer to "busy" must cost nothing), so in the
        # workspace's default language rather than the program's.
        return texts(self.lang, Platform.SLACK.value)(key)

    def offer(self, tenant: TenantRef, work: Callable[[], Awaitable[T]]) -> asyncio.Future[T] | None:
        """Room for one more piece of work after the acknowledgement, or None: then the caller
        says "busy" instead of acknowledging work that would not be done."""
        accepted = self.jembatan.intake.offer(tenant, work)  # (the intake logs what it turns away)
        if accepted is None:
            return None
        # The listener goes on to answer once the work is done; a shutdown waits for that too.
        listener = asyncio.current_task()
        if listener is not None:
            self.answering.add(listener)
            listener.add_done_callback(self.answering.discard)
        return accepted

    def session(self) -> aiohttp.ClientSession:
        """The HTTP session answers go out on (response_url), made on first use."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def close(self, grace: float = 30.0) -> None:
        """Within `grace` seconds in all: what was acknowledged is done and answered first."""
        deadline = asyncio.get_running_loop().time() + grace
        if self.answering:
            await asyncio.wait(set(self.answering), timeout=grace)
        if self._http is not None:
            await self._http.close()
        await self.jembatan.close(max(1.0, deadline - asyncio.get_running_loop().time()))
