"""Discord past one gateway connection: `jembatan run discord` opens as many shards as Discord
recommends (or JEMBATAN_DISCORD_SHARDS says), each identifying with its `[id, count]`; servers
on every shard are answered; one process per bot holds them all, a second one stands by; the
servers every shard lists together are the whole list, so one removed while offline is erased."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from adapters.discord import client as client_module
from adapters.discord.client import JembatanClient
from adapters.discord.main import point_at
from bot.app import BadConfig
from bot.platform_config import MAX_SHARDS, discord_shards
from bot.store.db import create_engine
from tests.adapters.discord.conftest import settings_for
from tests.adapters.discord.fake_discord import (
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    TOKEN,
    FakeDiscord,
    Payloads,
    Person,
    shard_of,
)
from tests.adapters.discord.test_main import finished, jembatan, logged
from tests.specs import discord_spec

ADMIN = Person(500000000000000001, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


def env_for(fake: FakeDiscord, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        **extra,
    }


async def discord_servers(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT external_id FROM tenants WHERE platform = 'discord'"))
            return {external_id for (external_id,) in rows}
    finally:
        await engine.dispose()


async def set_up(fake: FakeDiscord, payloads: Payloads) -> str:
    payload = payloads.slash(ADMIN, "setup")
    await fake.dispatch("INTERACTION_CREATE", payload)
    return (await fake.answer(payload["token"], within=30)).text


async def test_two_shards_identify_answer_their_servers_and_a_second_process_stands_by_then_takes_over(
    fake: FakeDiscord, postgres_url: str
) -> None:
    fake.shards, fake.max_concurrency = 2, 2  # Discord's recommendation for this bot
    other, other_channel = fake.add_guild(shard=0, of=2)
    later, later_channel = fake.add_guild(shard=0, of=2)  # set up only after the takeover
    assert {shard_of(fake.guild_id, 2), shard_of(other, 2)} == {0, 1}  # a server on each shard
    env = env_for(fake, postgres_url)
    first = await jembatan("run", "discord", env=env)
    standby: asyncio.subprocess.Process | None = None
    try:
        await fake.wait_for(lambda: fake.gateway_open and len(fake.identified) == 2, within=60)
        assert sorted(fake.identified) == [(0, 2), (1, 2)]
        # A command in each server travels on that server's shard, and each is carried out.
        first_answer = await set_up(fake, Payloads(fake))
        other_answer = await set_up(fake, Payloads(fake, other, other_channel))
        assert first_answer.startswith(f"Jembatan is set up in <#{fake.program_channel}>"), first_answer
        assert other_answer.startswith(f"Jembatan is set up in <#{other_channel}>"), other_answer
        assert await discord_servers(postgres_url) == {str(fake.guild_id), str(other)}

        standby = await jembatan("run", "discord", env=env)
        await logged(standby, "another process holds the Discord gateway")
        await asyncio.sleep(1)  # long enough for it to log in, were it not waiting
        assert len(fake.identified) == 2  # no shard opened twice
        # While it changes hands, the bot is removed from the server on shard 0: no process hears
        # of it, and the READYs of the next login no longer list it.
        fake.guild_ids.remove(other)
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 30) == 0
        # The standby takes over the whole shard set, and answers on both shards.
        await fake.wait_for(lambda: fake.gateway_open and len(fake.identified) == 4, within=60)
        assert sorted(fake.identified[2:]) == [(0, 2), (1, 2)]
        again = await set_up(fake, Payloads(fake))
        assert again.startswith(f"Updated <#{fake.program_channel}>"), again  # the same program, taken over
        new = await set_up(fake, Payloads(fake, later, later_channel))
        assert new.startswith(f"Jembatan is set up in <#{later_channel}>"), new
        # Every shard's READY together is the whole list: the server missing from it is erased,
        # the one listed on the other shard is kept.
        kept = {str(fake.guild_id), str(later)}
        for _ in range(100):
            if await discord_servers(postgres_url) == kept:
                break
            await asyncio.sleep(0.1)
        assert await discord_servers(postgres_url) == kept
    finally:
        for process in (first, standby):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), 30)
    assert standby is not None and standby.returncode == 0


async def test_a_set_shard_count_is_opened_whatever_discord_recommends(
    fake: FakeDiscord, postgres_url: str
) -> None:
    fake.max_concurrency = 3
    process = await jembatan("run", "discord", env=env_for(fake, postgres_url, JEMBATAN_DISCORD_SHARDS="3"))
    try:
        await fake.wait_for(lambda: fake.gateway_open and len(fake.identified) == 3, within=60)
        assert sorted(fake.identified) == [(0, 3), (1, 3), (2, 3)]
        said = await set_up(fake, Payloads(fake))  # the first server is on shard 1 of 3
        assert f"<#{fake.program_channel}>: weekly" in said, said  # set up (or updated: one database)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0


async def test_too_few_shards_for_discord_stop_the_start_with_one_line(
    fake: FakeDiscord, postgres_url: str
) -> None:
    fake.shards = fake.shards_required = 2  # a bot in more servers than one connection takes
    code, _, err = await finished(
        "run", "discord", env=env_for(fake, postgres_url, JEMBATAN_DISCORD_SHARDS="1")
    )
    assert code == 2, err[-2000:]
    assert err.strip().splitlines()[-1] == (
        "jembatan: Discord wants more gateway shards for this bot's servers; "
        "raise JEMBATAN_DISCORD_SHARDS, or unset it to take Discord's count"
    )
    assert fake.identifies == 0


@pytest.mark.parametrize("raw", ["two", "0", "-1", "1.5", str(MAX_SHARDS + 1)])
def test_a_shard_setting_that_is_not_a_count_is_refused(raw: str) -> None:
    with pytest.raises(BadConfig, match="JEMBATAN_DISCORD_SHARDS must be auto or a number"):
        discord_shards({"JEMBATAN_DISCORD_SHARDS": raw})


def test_the_shard_setting_defaults_to_discords_count() -> None:
    assert discord_shards({}) is None
    assert discord_shards({"JEMBATAN_DISCORD_SHARDS": " Auto "}) is None
    assert discord_shards({"JEMBATAN_DISCORD_SHARDS": "4"}) == 4


async def test_the_fakes_gateway_bot_answer_is_discords_shape(fake: FakeDiscord) -> None:
    # The client sizes its shard set from this answer, so it must be what Discord sends.
    fake.shards = 2
    validator = discord_spec._validator("/components/schemas/GatewayBotResponse")
    errors = [e.message for e in validator.iter_errors(fake._gateway_bot())]
    assert errors == []


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_shards_start_as_fast_as_discords_identify_buckets_allow(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    # Discord starts one session per 5 s in each bucket (shard id modulo max_concurrency);
    # shortened here to 0.5 s. discord.py alone would wait before every shard but the first.
    monkeypatch.setattr(client_module, "IDENTIFY_EVERY", 0.5)
    fake.shards, fake.max_concurrency = 2, concurrency
    restore = point_at(settings_for(fake))
    client = JembatanClient(guild_ready_timeout=0.05)
    try:
        await client.login(TOKEN)
        connection = asyncio.create_task(client.connect())
        await fake.wait_for(lambda: len(fake.identified) == 2, within=10)
        apart = fake.identified_at[1] - fake.identified_at[0]
        if concurrency == 1:  # one bucket: the second shard waits its turn
            assert apart >= 0.45, apart
        else:  # a bucket each: both at once
            assert apart < 0.45, apart
        await client.close()
        await asyncio.wait_for(connection, 10)
    finally:
        restore()
