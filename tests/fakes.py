"""Fakes of the ports, shipped with the tests: the whole service suite runs against these."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.model import TenantRef
from bot.messages import Message, ToGroup
from bot.ports import DeliveryFailed


@dataclass
class Sent:
    tenant: TenantRef
    conversation: str
    message: Message
    key: str


class FakeMessenger:
    """Records what would reach people. `failures` are raised, in order, by the next sends."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.opened: list[ToGroup] = []
        self.failures: list[BaseException] = []
        self.refusing: dict[str, DeliveryFailed] = {}  # conversation -> how every post there fails
        self._ids = itertools.count(1)

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def open_group(self, tenant: TenantRef, to: ToGroup, *, since: datetime | None = None) -> str:
        self._maybe_fail()
        self.opened.append(to)
        return f"G-{to.group_id}"

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        self._maybe_fail()
        if conversation_id in self.refusing:
            raise self.refusing[conversation_id]
        self.sent.append(Sent(tenant, conversation_id, message, key))
        return f"ts-{next(self._ids)}"

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        return await self.post(tenant, f"DM-{user_id}", message, key)

    def of_kind(self, kind: type) -> list[Sent]:
        return [s for s in self.sent if isinstance(s.message, kind)]

    def to(self, conversation: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation == conversation]


@dataclass
class FakeDirectory:
    departed: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)  # workspaces whose platform is down

    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        return user_id.title()

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        if tenant.external_id in self.unreachable:
            raise ConnectionError(f"{tenant.external_id} is unreachable")
        return {u for u in user_ids if u not in self.departed}


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def rate_limited(seconds: float = 1.0) -> DeliveryFailed:
    return DeliveryFailed("ratelimited", retryable=True, retry_after=seconds)
