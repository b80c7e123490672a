"""The Messenger port on Slack: group DMs, posts and DMs (and files to a person), with Slack's errors sorted
into what the relay may retry, what it must not, and what means the workspace is gone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.clients import TokenUnreadable, Workspaces
from adapters.slack.render import render
from bot.domain.model import TenantRef
from bot.messages import Attachment, Message, ToGroup
from bot.ports import DeliveryFailed

log = logging.getLogger(__name__)

# The token is no longer good: the app was removed or its access revoked.
GONE = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "team_not_found",
        "app_uninstalled",
        "team_disabled",
        "enterprise_is_restricted",
    }
)
TRANSIENT = frozenset(
    {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)


def classify(error: SlackApiError) -> DeliveryFailed:
    """Slack's answer, sorted for the relay: retry later, give up on this row, or stop the workspace."""
    response = error.response
    status = getattr(response, "status_code", 0) or 0
    code = str(response.get("error", "") if response is not None else "") or f"http_{status}"
    if status == 429 or code == "ratelimited":
        raw = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
        retry_after = float(raw) if raw and str(raw).isdigit() else 1.0
        return DeliveryFailed("ratelimited", retryable=True, retry_after=retry_after)
    if code in GONE:
        return DeliveryFailed(code, retryable=False, tenant_gone=True)
    if status >= 500 or code in TRANSIENT:
        return DeliveryFailed(code, retryable=True)
    return DeliveryFailed(code, retryable=False)


class SlackMessenger:
    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces

    async def _call(
        self, tenant: TenantRef, call: Callable[[AsyncWebClient], Awaitable[AsyncSlackResponse]]
    ) -> AsyncSlackResponse:
        try:
            client = await self._workspaces.client(tenant)
        except TokenUnreadable:
            # Our key, not their workspace: nothing is failed or switched off. The relay holds
            # this workspace's rows from now on (Store.held); this one is tried again later.
            raise DeliveryFailed("token_unreadable", retryable=True, retry_after=300.0) from None
        if client is None:
            raise DeliveryFailed("not_installed", retryable=False, tenant_gone=True)
        try:
            return await call(client)
        except SlackApiError as error:
            failure = classify(error)
            log.info("Slack refused a send to %s: %s", tenant.external_id, failure.reason)
            raise failure from None
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}", retryable=True) from None

    async def open_group(self, tenant: TenantRef, to: ToGroup, *, since: datetime | None = None) -> str:
        # 2–8 people make a group DM the bot is part of; Slack returns the same one for the same
        # set, so opening it again after a crash finds the first (`since` is not needed).
        response = await self._call(tenant, lambda c: c.conversations_open(users=list(to.user_ids)))
        return str(response["channel"]["id"])

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        shown = render(message)
        # The outbox key rides along as message metadata, so a post can be traced to its row.
        metadata: dict[str, Any] = {"event_type": "jembatan_outbox", "event_payload": {"key": key}}
        response = await self._call(
            tenant,
            lambda c: c.chat_postMessage(
                channel=conversation_id,
                text=shown.text,
                blocks=shown.blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
            ),
        )
        return str(response["ts"])

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        # A post addressed to a user id lands in the app's own DM with them (its Messages tab).
        return await self.post(tenant, user_id, message, key)

    async def send_file(self, tenant: TenantRef, user_id: str, attachment: Attachment) -> None:
        """A file (an export, the stats chart) to one person, privately: in their DM with the app,
        whose id files.upload needs (a post takes the user id; an upload does not)."""
        response = await self._call(tenant, lambda c: c.conversations_open(users=[user_id]))
        channel = str(response["channel"]["id"])
        await self._call(
            tenant,
            lambda c: c.files_upload_v2(
                channel=channel, file=attachment.content, filename=attachment.filename, title=attachment.title
            ),
        )
