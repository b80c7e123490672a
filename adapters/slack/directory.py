"""Who people are on Slack: display names, who is still in the workspace, and who is an admin."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import TokenUnreadable, Workspaces
from bot.domain.model import TenantRef

log = logging.getLogger(__name__)

ADMIN_TTL = 300.0  # seconds an owner/admin answer is trusted before asking users.info again
LIST_PAGE = 200
ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, OSError)


def is_admin(user: dict[str, Any]) -> bool:
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


class SlackDirectory:
    def __init__(self, workspaces: Workspaces, clock: Any = time.monotonic) -> None:
        self._workspaces = workspaces
        self._clock = clock
        self._admins: dict[tuple[TenantRef, str], tuple[float, bool]] = {}

    async def _client(self, tenant: TenantRef) -> AsyncWebClient | None:
        try:
            return await self._workspaces.client(tenant)
        except TokenUnreadable:
            return None  # logged where it was found; Slack cannot be asked, as when unreachable

    async def _user(self, tenant: TenantRef, user_id: str) -> dict[str, Any] | None:
        client = await self._client(tenant)
        if client is None:
            return None
        try:
            response = await client.users_info(user=user_id)
        except ERRORS as error:
            log.info("users.info failed for a user of %s: %s", tenant.external_id, type(error).__name__)
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else None

    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        user = await self._user(tenant, user_id)
        if user is None:
            return user_id
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or profile.get("real_name") or user.get("name") or user_id)

    async def is_platform_admin(self, tenant: TenantRef, user_id: str) -> bool:
        """Workspace owner or admin per users.info; asked at most every few minutes per person.
        On an error the answer is no: a refusal is safe, a wrong yes is not."""
        key = (tenant, user_id)
        cached = self._admins.get(key)
        if cached and self._clock() - cached[0] < ADMIN_TTL:
            return cached[1]
        return await self.is_platform_admin_now(tenant, user_id)

    async def is_platform_admin_now(self, tenant: TenantRef, user_id: str) -> bool:
        """As `is_platform_admin`, but always asks users.info: the dashboard re-checks a session
        a minute after its last answer, and the remembered answer could be five minutes old."""
        key = (tenant, user_id)
        user = await self._user(tenant, user_id)
        if user is None:
            return False
        answer = is_admin(user)
        self._admins[key] = (self._clock(), answer)
        return answer

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        """Everyone not deactivated. One users.list walk (200 a page) instead of a users.info per
        person keeps a 1,000-person round inside the rate limits. If Slack cannot say, everyone
        counts as present: a hiccup should not cost people their round."""
        wanted = set(user_ids)
        client = await self._client(tenant)
        if client is None or not wanted:
            return wanted
        gone: set[str] = set()
        try:
            # slack_sdk follows users.list's cursor, a page at a time.
            async for page in await client.users_list(limit=LIST_PAGE):
                members = page.get("members") or []
                gone |= {m["id"] for m in members if m.get("id") in wanted and m.get("deleted")}
        except ERRORS as error:
            log.warning("could not list members of %s (%s); pairing everyone", tenant.external_id, error)
            return wanted
        return wanted - gone
