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
from adapters.slack.installations import oauth_parts
from adapters.slack.messenger import SlackMessenger
from bot.app import Installs, Jembatan, build, known_divisions, open_store, utc_now
from bot.domain.model import TenantRef
from bot.settings import Settings


@dataclass
class Slack:
    jembatan: Jembatan
    bolt: AsyncApp
    messenger: SlackMessenger
    directory: SlackDirectory
    edge: Edge
    workspaces: Workspaces
    installations: Installs | None = None  # OAuth installs; None with one SLACK_BOT_TOKEN

    async def close(self, grace: float = 30.0) -> None:
        """Within `grace` seconds in all: what was acknowledged is done and answered first."""
        deadline = asyncio.get_running_loop().time() + grace
        await self.edge.finish(grace)
        await self.jembatan.close(max(1.0, deadline - asyncio.get_running_loop().time()))


def assemble(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    relay_interval: float = 0.0,
    process_before_response: bool = False,
) -> Slack:
    """Single-workspace mode when SLACK_BOT_TOKEN is set; OAuth installs when the client id is.
    The installs live in the core's own database: an uninstall erases data and install at once."""
    store = open_store(settings.database_url, settings.workers + 4, slack_client_id=settings.slack_client_id)
    oauth_flow = installs = None
    tokens: TokenSource
    if settings.slack_client_id:
        oauth = oauth_parts(settings, store)
        tokens = installs = oauth.installs
        oauth_flow = oauth.flow
        bot_token = None
    else:
        bot_token = settings.slack_bot_token or ""
        tokens = StaticToken(bot_token)
    workspaces = Workspaces(tokens, settings.slack_api_url)
    messenger = SlackMessenger(workspaces)
    directory = SlackDirectory(workspaces)
    jembatan = build(settings, messenger, directory, clock, relay_interval=relay_interval, store=store)
    deps = jembatan.deps

    async def divisions(tenant: TenantRef) -> list[str]:
        # The select has no channel: it offers every division in use in the workspace.
        return await known_divisions(deps, tenant)

    # `held` is the store's own set: a workspace whose token does not decrypt is held by the relay.
    edge = Edge(deps, messenger, directory, divisions=divisions, intake=jembatan.intake, held=store.held)
    bolt = build_app(
        edge,
        client=web_client(bot_token, settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
    )
    return Slack(jembatan, bolt, messenger, directory, edge, workspaces, installs)
