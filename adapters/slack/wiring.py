"""Puts the Slack side together: clients, ports, the core, and the Bolt app around them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from adapters.slack.app import build_app
from adapters.slack.clients import StaticToken, TokenSource, Workspaces, web_client
from adapters.slack.directory import SlackDirectory
from adapters.slack.installations import oauth_parts
from adapters.slack.messenger import SlackMessenger
from adapters.slack.side import Slack
from bot.app import build, open_store, utc_now
from bot.settings import Settings

__all__ = ["Slack", "assemble"]  # the one object a running Slack process is


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
    slack = Slack(jembatan, messenger, directory, workspaces, installs)
    build_app(
        slack,
        client=web_client(bot_token, settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
    )
    return slack
