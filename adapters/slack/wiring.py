"""Puts the Slack side together: clients, ports, the core, and the Bolt app around them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from adapters.slack.app import Slack, build_app
from adapters.slack.clients import StaticToken, TokenSource, Workspaces, web_client
from adapters.slack.directory import SlackDirectory
from adapters.slack.installations import oauth_parts
from adapters.slack.messenger import SlackMessenger
from bot.bootstrap import build
from bot.services.base import utc_now
from bot.settings import Settings

__all__ = ["Slack", "assemble"]  # the one object a running Slack process is


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
    slack = Slack(jembatan, messenger, directory, workspaces, installation_store, forget)
    build_app(
        slack,
        client=web_client(bot_token, settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
    )
    return slack
