"""Web API clients: one per workspace token, all pointed at SLACK_API_URL, all retrying alike.

slack_sdk retries only dropped connections by default; here 5xx answers are retried once too.
A 429 is never retried here: it reaches the caller at once, with its Retry-After. For outbox
sends the relay then holds the whole workspace until the wait is over, for every replica,
through the pace row in the database (bot/store/pacing.py). slack_sdk's own 429 retry would
sleep in this process and send again unseen by that pace: a second request the shared budget
never counted, and a relay worker held for the whole wait.
"""

from __future__ import annotations

from typing import Protocol

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import TokenUnreadable as TokenUnreadable  # raised through the token sources
from bot.domain.model import TenantRef

DEFAULT_TIMEOUT = 30


def retry_handlers() -> list[AsyncRetryHandler]:
    # No AsyncRateLimitErrorRetryHandler, on purpose: see the module's docstring.
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncServerErrorRetryHandler(max_retry_count=1),
    ]


def web_client(token: str | None, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers())


class TokenSource(Protocol):
    async def bot_token(self, tenant: TenantRef) -> str | None:
        """The workspace's bot token, or None when the app is not (or no longer) installed there;
        raises TokenUnreadable when it is installed but its token cannot be read."""
        ...


class StaticToken:
    """Single-workspace mode: SLACK_BOT_TOKEN serves whichever workspace it belongs to."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def bot_token(self, tenant: TenantRef) -> str | None:
        return self._token


class Workspaces:
    """The client for a workspace, made once per token and reused (each keeps no session open)."""

    def __init__(self, tokens: TokenSource, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> None:
        self._tokens = tokens
        self.base_url = base_url
        self._timeout = timeout
        self._clients: dict[str, AsyncWebClient] = {}

    async def client(self, tenant: TenantRef) -> AsyncWebClient | None:
        """None when the app is not installed there; TokenUnreadable passes through."""
        token = await self._tokens.bot_token(tenant)
        if token is None:
            return None
        if token not in self._clients:
            self._clients[token] = web_client(token, self.base_url, self._timeout)
        return self._clients[token]
