"""Puts the Slack side together: clients, ports, the core, and the Bolt app around them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt.async_app import AsyncApp

from adapters.slack.app import Edge, build_app
from adapters.slack.clients import StaticToken, TokenSource, Workspaces, web_client
from adapters.slack.directory import SlackDirectory
from adapters.slack.installations import SqlInstallationStore, oauth_parts
from adapters.slack.messenger import SlackMessenger
from bot.bootstrap import Jembatan, build
from bot.domain.model import TenantRef
from bot.services.base import utc_now
from bot.services.members import known_divisions
from bot.settings import Settings


@dataclass
class Slack:
    jembatan: Jembatan
    bolt: AsyncApp
    messenger: SlackMessenger
    directory: SlackDirectory
    edge: Edge
    workspaces: Workspaces
    installations: SqlInstallationStore | None = None

    async def close(self, grace: float = 30.0) -> None:
        """Within `grace` seconds in all: what was acknowledged is done and answered first."""
        deadline = asyncio.get_running_loop().time() + grace
        await self.edge.finish(grace)
        await self.jembatan.close(max(1.0, deadline - asyncio.get_running_loop().time()))
        if self.installations is not None:
            await self.installations.close()


def assemble(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    relay_interval: float = 0.0,
    process_before_response: bool = False,
) -> Slack:
    """Single-workspace mode when SLACK_BOT_TOKEN is set; OAuth installs when the client id is."""
    oauth_flow = installation_store = None
    tokens: TokenSource
    forget = None
    if settings.slack_client_id:
        oauth = oauth_parts(settings)
        tokens, oauth_flow, installation_store, forget = oauth.tokens, oauth.flow, oauth.store, oauth.forget
        bot_token = None
    else:
        bot_token = settings.slack_bot_token or ""
        tokens = StaticToken(bot_token)
    workspaces = Workspaces(tokens, settings.slack_api_url)
    messenger = SlackMessenger(workspaces)
    directory = SlackDirectory(workspaces)
    jembatan = build(settings, messenger, directory, clock, relay_interval=relay_interval)
    if installation_store is not None:
        # The same set: a workspace whose token does not decrypt is held by the relay.
        jembatan.store.held = installation_store.unreadable
    deps = jembatan.deps

    async def divisions(tenant: TenantRef) -> list[str]:
        # The select has no channel: it offers every division in use in the workspace.
        return await known_divisions(deps, tenant)

    edge = Edge(
        deps,
        messenger,
        directory,
        divisions=divisions,
        forget_installation=forget,
        intake=jembatan.intake,
        held=installation_store.unreadable if installation_store is not None else frozenset(),
    )
    bolt = build_app(
        edge,
        client=web_client(bot_token, settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
    )
    return Slack(jembatan, bolt, messenger, directory, edge, workspaces, installation_store)
