"""The Directory port on Discord: names and who is still in the server, one member lookup at a
time (listing members would need the privileged members intent)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord

from bot.domain.model import TenantRef

log = logging.getLogger(__name__)

PARALLEL_LOOKUPS = 4


class DiscordDirectory:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _guild(self, tenant: TenantRef) -> discord.Guild:
        guild_id = int(tenant.external_id)
        return self.client.get_guild(guild_id) or await self.client.fetch_guild(guild_id, with_counts=False)

    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        try:
            guild = await self._guild(tenant)
            return (await guild.fetch_member(int(user_id))).display_name
        except discord.HTTPException:
            try:
                return (await self.client.fetch_user(int(user_id))).display_name
            except discord.HTTPException:
                return user_id

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        """Only a definite "unknown member" drops someone: an outage must not empty a round."""
        try:
            guild = await self._guild(tenant)
        except discord.NotFound:
            return set()
        except (discord.HTTPException, discord.RateLimited) as error:
            log.warning("could not check members of %s (%s); assuming everyone is present", tenant, error)
            return set(user_ids)
        gate = asyncio.Semaphore(PARALLEL_LOOKUPS)

        async def present(user: str) -> bool:
            async with gate:
                try:
                    await guild.fetch_member(int(user))
                except discord.NotFound:
                    return False
                except (discord.HTTPException, discord.RateLimited) as error:
                    log.warning("member lookup for %s failed (%s); keeping them", user, error)
                return True

        found = await asyncio.gather(*(present(u) for u in user_ids))
        return {u for u, here in zip(user_ids, found, strict=True) if here}
