"""Leaving a server erases its data; a Discord outage (the same event, marked unavailable) does not.
The bot hears of either only through the guilds intent, the one intent it asks for."""

from __future__ import annotations

import logging

import pytest

from bot.domain.model import Platform, TenantRef
from tests.adapters.discord.conftest import ADMIN, Env, eventually
from tests.adapters.discord.fake_discord import GUILDS_INTENT, Person


def cached_guild(env: Env) -> object:
    assert env.client is not None
    return env.client.get_guild(env.fake.guild_id)


async def test_an_outage_keeps_everything(env: Env) -> None:
    await env.slash(ADMIN, "setup")
    await env.slash(Person(42), "join", division="Finance")
    await env.fake.dispatch("GUILD_DELETE", {"id": str(env.fake.guild_id), "unavailable": True})
    await eventually(lambda: getattr(cached_guild(env), "unavailable", False))
    assert await env.tenant_exists()
    await env.fake.dispatch("GUILD_CREATE", env.fake.guild_payload())  # the server comes back
    await eventually(lambda: not getattr(cached_guild(env), "unavailable", True))
    status = await env.slash(Person(42), "status")
    assert status.text.startswith("You're in.")


async def test_removal_from_the_server_erases_its_data(env: Env) -> None:
    await env.slash(ADMIN, "setup")
    await env.slash(Person(42), "join", division="Finance")
    assert await env.tenant_exists()
    await env.fake.dispatch("GUILD_DELETE", {"id": str(env.fake.guild_id)})
    await eventually(lambda: cached_guild(env) is None)

    async def erased() -> bool:
        return not await env.tenant_exists()

    await eventually(erased)


async def test_the_bot_identifies_with_the_guilds_intent_only(env: Env) -> None:
    # Guilds (bit 0) brings GUILD_DELETE, how the bot learns it was removed. Nothing more: no
    # privileged intent (members 1, presences 8, message content 15) a server would have to approve.
    assert env.fake.intents == GUILDS_INTENT == 1


GONE = TenantRef(Platform.DISCORD, "900000000000000099")  # a server that removed the bot meanwhile


async def remember_a_server_that_removed_the_bot(env: Env) -> None:
    assert env.app is not None
    async with env.app.store.unit() as uow:
        await uow.tenants.ensure(GONE, env.clock())
        await uow.commit()


async def still_there(env: Env, tenant: TenantRef) -> bool:
    assert env.app is not None
    async with env.app.store.unit() as uow:
        return await uow.tenants.find(tenant) is not None


async def test_a_server_that_removed_the_bot_while_it_was_offline_is_erased_at_the_next_login(
    env: Env,
) -> None:
    await env.slash(ADMIN, "setup")
    await env.slash(Person(42), "join", division="Finance")
    await remember_a_server_that_removed_the_bot(env)
    await env.stop()
    await env.start()  # READY lists our server, not the other: its GUILD_DELETE went to nobody

    async def erased() -> bool:
        return not await still_there(env, GONE)

    await eventually(erased)
    assert await env.tenant_exists()


async def test_a_server_in_an_outage_at_login_keeps_its_data(env: Env) -> None:
    await env.slash(ADMIN, "setup")
    await env.slash(Person(42), "join", division="Finance")
    await remember_a_server_that_removed_the_bot(env)
    await env.stop()
    env.fake.guild_available = False  # READY lists the server as unavailable; no GUILD_CREATE
    await env.start()

    async def other_erased() -> bool:
        return not await still_there(env, GONE)

    await eventually(other_erased)  # the check ran…
    assert await env.tenant_exists()  # …and kept the server that is only unavailable
    env.fake.guild_available = True
    await env.fake.dispatch("GUILD_CREATE", env.fake.guild_payload())
    await eventually(lambda: not getattr(cached_guild(env), "unavailable", True))
    status = await env.slash(Person(42), "status")
    assert status.text.startswith("You're in.")


async def test_a_login_that_lists_none_of_our_servers_erases_nothing(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    # Another bot's token on this database, or every server gone at once: the first is likelier,
    # and erasing cannot be undone.
    await env.slash(ADMIN, "setup")
    await remember_a_server_that_removed_the_bot(env)
    await env.stop()
    env.fake.in_guild = False
    with caplog.at_level(logging.WARNING, logger="bot.services.dispatch"):
        await env.start()
        await eventually(lambda: "erasing nothing" in caplog.text)
    assert await env.tenant_exists() and await still_there(env, GONE)
