"""The Messenger port on Discord: private threads for groups (DMs when threads are refused),
sends that carry the outbox key as an enforced nonce, and Discord's errors as DeliveryFailed."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Literal

import aiohttp
import discord

from adapters.discord.render import Rendered, render
from bot.domain.lengths import cut as clip
from bot.domain.model import TenantRef
from bot.messages import Message, ToGroup
from bot.ports import DeliveryFailed

log = logging.getLogger(__name__)

DM_PREFIX = "dm:"  # a group that got DMs instead of a thread: "dm:" + base-36 user ids
THREAD_NAME = 100
ARCHIVE_AFTER: Literal[10080] = 10080  # minutes: a week, so a group's thread stays open through the round
CLOCK_SKEW = timedelta(minutes=5)  # between our clock and Discord's, when matching a thread's age
CANNOT_DM = 50007  # "Cannot send messages to this user": they block DMs from server members


def failure(error: BaseException) -> DeliveryFailed:
    """How the relay should treat a Discord error: retry later, give up, or stop sending to the server."""
    if isinstance(error, DeliveryFailed):
        return error
    if isinstance(error, discord.RateLimited):  # longer than the client waits for by itself
        return DeliveryFailed("rate limited", retryable=True, retry_after=error.retry_after)
    if isinstance(error, discord.HTTPException):
        reason = clip(f"{error.status} {error.code}: {error.text}", 200)
        if error.status == 429:
            return DeliveryFailed(reason, retryable=True, retry_after=_retry_after(error))
        if error.status >= 500:
            return DeliveryFailed(reason, retryable=True)
        if error.status == 401:
            return DeliveryFailed(reason, retryable=False, tenant_gone=True)
        return DeliveryFailed(reason, retryable=False)  # 403 Missing Access, 50007, 404, 400…
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return DeliveryFailed(f"connection: {type(error).__name__}", retryable=True)
    raise error


def _retry_after(error: discord.HTTPException) -> float | None:
    try:
        return float(error.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError, AttributeError):
        return None


def _refusals(refused: dict[str, DeliveryFailed], *, reached: int) -> str:
    """The outbox row's last error: who could not be reached, and why."""

    def why(error: DeliveryFailed) -> str:
        cause = error.__cause__
        if isinstance(cause, discord.HTTPException) and cause.code == CANNOT_DM:
            return f"{CANNOT_DM} does not accept DMs"
        return error.reason

    people = "; ".join(f"{user} ({why(error)})" for user, error in refused.items())
    return clip(f"DM refused ({reached} of {reached + len(refused)} reached): {people}", 255)


def thread_name(to: ToGroup) -> str:
    """The title and the group's number ("Jembatan intro #412"): people can tell their threads
    apart, and a retry after a crash can tell which thread is this group's."""
    marker = f" #{to.group_id}"
    return clip(to.title, THREAD_NAME - len(marker)) + marker


def dm_conversation(user_ids: tuple[str, ...]) -> str:
    # Base 36 keeps four snowflakes inside the 64 characters a conversation id may have.
    return DM_PREFIX + ".".join(_base36(int(u)) for u in user_ids)


def dm_users(conversation_id: str) -> list[str]:
    return [str(int(part, 36)) for part in conversation_id.removeprefix(DM_PREFIX).split(".") if part]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


class DiscordMessenger:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def open_group(self, tenant: TenantRef, to: ToGroup, *, since: datetime | None = None) -> str:
        try:
            parent = self.client.get_channel(int(to.parent_channel_id)) or await self.client.fetch_channel(
                int(to.parent_channel_id)
            )
            if not isinstance(parent, discord.TextChannel):
                raise discord.ClientException("private threads need a text channel")
            name = thread_name(to)
            # Discord has no idempotency key for creating a thread: after a crash that may have
            # come between creating it and recording it, look for it before making another.
            thread = await self._made_since(parent, name, since) if since is not None else None
            if thread is None:
                thread = await parent.create_thread(
                    name=name,
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=ARCHIVE_AFTER,
                )
        except (discord.Forbidden, discord.NotFound, discord.ClientException) as error:
            log.warning(
                "no private thread in %s (%s); group %s gets DMs", to.parent_channel_id, error, to.group_id
            )
            return dm_conversation(to.user_ids)
        except Exception as error:
            raise failure(error) from error
        for user in to.user_ids:  # again for a thread found: the crash may have come before this
            try:
                await thread.add_user(discord.Object(int(user)))
            except (discord.HTTPException, discord.RateLimited) as error:
                # The thread exists now: retrying would make a second one. The intro mentions
                # everyone, and a mention in a private thread brings that person in.
                log.warning("could not add %s to thread %s: %s", user, thread.id, error)
        return str(thread.id)

    async def _made_since(
        self, parent: discord.TextChannel, name: str, since: datetime
    ) -> discord.Thread | None:
        """The thread this bot made under `parent` with this group's name after `since` (when the
        intro was queued). The name carries the group's number, which no other group has."""
        me = self.client.user.id if self.client.user is not None else None
        for thread in await parent.guild.active_threads():
            if (
                thread.parent_id == parent.id
                and thread.owner_id == me
                and thread.name.strip() == name.strip()
                and thread.created_at is not None
                and thread.created_at >= since - CLOCK_SKEW
            ):
                log.info("found thread %s made by an earlier attempt; not making another", thread.id)
                return thread
        return None

    async def post(self, tenant: TenantRef, conversation_id: str, message: Message, key: str) -> str:
        rendered = render(message)
        if conversation_id.startswith(DM_PREFIX):
            return await self._post_each(tenant, dm_users(conversation_id), rendered, key)
        channel = self.client.get_partial_messageable(int(conversation_id))
        return await self._send(channel, rendered, key)

    async def post_direct(self, tenant: TenantRef, user_id: str, message: Message, key: str) -> str:
        return await self._dm(tenant, user_id, render(message), key)

    async def _post_each(self, tenant: TenantRef, users: list[str], rendered: Rendered, key: str) -> str:
        """The DM fallback: everyone gets the group's message. Someone who refuses it (they block
        DMs from server members) is skipped; once the others have theirs, the row fails for good
        and names who was not reached: a retry would reach nobody new."""
        refs: list[str] = []
        refused: dict[str, DeliveryFailed] = {}
        for index, user in enumerate(users):
            try:
                refs.append(await self._dm(tenant, user, rendered, f"{key}.{index}"))
            except DeliveryFailed as error:
                if error.retryable or error.tenant_gone:
                    raise  # a retry resends to all; the per-person nonce stops duplicates
                log.warning("group DM to %s refused: %s", user, error.reason)
                refused[user] = error
        if refused:
            raise DeliveryFailed(_refusals(refused, reached=len(refs)), retryable=False)
        if not refs:
            raise DeliveryFailed("nobody to send to", retryable=False)
        return ",".join(refs)

    async def _dm(self, tenant: TenantRef, user_id: str, rendered: Rendered, key: str) -> str:
        try:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
        except Exception as error:
            raise failure(error) from error
        return await self._send(channel, rendered, key, guild_id=tenant.external_id)

    async def _send(
        self, channel: discord.abc.Messageable, rendered: Rendered, key: str, *, guild_id: str | None = None
    ) -> str:
        try:
            # A nonce makes Discord enforce it: a resend after a crash returns the first message.
            sent = await channel.send(**rendered.sent_with(nonce=key, view=rendered.view(guild_id)))
        except Exception as error:
            raise failure(error) from error
        return str(sent.id)
