"""What the core needs from the outside world, as Protocols adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.model import TenantRef
from bot.messages import Message, ToGroup


class DeliveryFailed(Exception):
    """A platform refused or failed a send. The relay decides from the fields what to do next."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        tenant_gone: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.tenant_gone = tenant_gone  # the token was revoked or the app removed


class Messenger(Protocol):
    """How the relay delivers the outbox. Files (an export, the stats chart) are no part of it:
    they travel in a command's `Reply.attachments`, and the platform that answers the command
    hands them to the person who asked."""

    async def open_group(self, tenant: TenantRef, to: ToGroup, *, since: datetime | None = None) -> str:
        """Open (or find) the group's private conversation and return its id. With `since`, an
        earlier attempt may have opened one after that moment without living to record it:
        find that one rather than open a second (where opening twice would make two)."""
        ...

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        """Post in a channel or conversation; `key` is unique per outbox row. Returns a message ref."""
        ...

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        """Post to one person privately (their DM with the app). Returns a message ref."""
        ...


class Directory(Protocol):
    async def display_name(self, tenant: TenantRef, user_id: str) -> str: ...

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        """The subset of user ids still in the workspace (deactivated or departed people drop out)."""
        ...


class Clock(Protocol):
    def __call__(self) -> datetime: ...
