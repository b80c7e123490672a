"""`jembatan run discord`, `jembatan discord sync` and `jembatan discord invite`: configuration
errors, the invite URL, command registration and a whole run against the local Discord."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED  # type: ignore[import-untyped]

from adapters.discord import main as discord_main
from adapters.discord.client import JembatanClient
from adapters.discord.directory import DiscordDirectory
from adapters.discord.messenger import DiscordMessenger
from bot.app import build
from bot.domain.model import Lang
from bot.i18n import texts
from bot.runtime.ticker import RELAY_JOB, TICK_JOB, Jobs
from bot.settings import Settings
from tests.adapters.discord.conftest import eventually, settings_for
from tests.adapters.discord.fake_discord import APP_ID, TOKEN, FakeDiscord, Payloads, Person, User

SECRET = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.hunter2.secret"
# What people see under /jembatan, in this order; written out so a renamed or dropped command shows.
SUBCOMMANDS = [
    "help",
    "join",
    "leave",
    "pause",
    "resume",
    "division",
    "timezone",
    "interests",
    "profile",
    "status",
    "shoutout",
    "leaderboard",
    "export",
    "forget",
    "setup",
    "round-now",
    "round-preview",
    "stats",
    "block",
    "export-csv",
    "rename-division",
    "dashboard",
    "admin",
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def pointed(fake: FakeDiscord) -> Iterator[None]:
    """discord.py, in this process, talks to the fake; put back afterwards, for the next test."""
    restore = discord_main.point_at(settings_for(fake))
    yield
    restore()


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "jembatan.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


async def jembatan(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_URL"))}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        *args,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def logged(process: asyncio.subprocess.Process, words: str, within: float = 60) -> None:
    """Wait until the process logs a line containing `words` (a loaded machine starts slowly)."""
    assert process.stderr is not None

    async def read() -> None:
        async for line in process.stderr:  # type: ignore[union-attr]
            if words in line.decode(errors="replace"):
                return
        raise AssertionError(f"the process ended without logging {words!r}")

    await asyncio.wait_for(read(), within)


async def finished(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await jembatan(*args, env=env)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def test_the_invite_url_asks_for_exactly_what_the_bot_uses(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert discord_main.main(["invite"]) == 0
    url = urlparse(capsys.readouterr().out.strip())
    query = parse_qs(url.query)
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    # Discord's permission bits: view channel 10, send 11, embed links 14, attach files 15,
    # manage threads 34, create private threads 36, send in threads 38. Nothing else.
    expected = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 34) | (1 << 36) | (1 << 38)
    assert int(query["permissions"][0]) == expected


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["run"], {"DATABASE_URL": "sqlite:///x.db"}, "DISCORD_TOKEN is not set"),
        (["run"], {"DISCORD_TOKEN": SECRET}, "DATABASE_URL is not set"),
        (["run"], {"DISCORD_TOKEN": SECRET, "DATABASE_URL": "mysql://a:pw@h/x"}, "DATABASE_URL must"),
        (["run"], {"DISCORD_TOKEN": SECRET, "DISCORD_ADMIN_ROLE": "mods"}, "DISCORD_ADMIN_ROLE"),
        (["run"], {"DISCORD_TOKEN": SECRET, "DISCORD_API_URL": "discord.com"}, "DISCORD_API_URL"),
        (["run"], {"DISCORD_TOKEN": SECRET, "JEMBATAN_TICK_SECONDS": "often"}, "JEMBATAN_TICK_SECONDS"),
        (["sync"], {}, "DISCORD_TOKEN is not set"),
        (["invite"], {}, "DISCORD_TOKEN is not set"),
        (["invite"], {"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN does not look like"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_variable(
    args: list[str], env: dict[str, str], named: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for name in [n for n in os.environ if n.startswith(("DISCORD_", "DATABASE_URL", "JEMBATAN_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert discord_main.main(args) == 2
    out, err = capsys.readouterr()
    assert err.startswith("jembatan: ") and named in err and err.count("\n") == 1
    assert "hunter2" not in out + err and "pw@" not in err


async def test_the_command_line_reaches_the_adapter_and_reports_config_errors() -> None:
    code, out, err = await finished("run", "discord", env={"DISCORD_TOKEN": SECRET})
    assert (code, err) == (2, "jembatan: DATABASE_URL is not set\n")
    assert "hunter2" not in out


async def test_run_refuses_a_database_that_is_not_migrated(tmp_path: Path, fake: FakeDiscord) -> None:
    env = {"DISCORD_TOKEN": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    code, _, err = await finished("run", "discord", env={**env, "DISCORD_API_URL": fake.api_url})
    assert code == 2 and "jembatan migrate" in err
    assert fake.calls == []  # no login before the database is known to be good


async def test_a_refused_token_stops_with_a_one_line_error(fake: FakeDiscord, database: str) -> None:
    fake.fail("GET", r"/users/@me", 401, {"message": "401: Unauthorized", "code": 0}, times=-1)
    env = {"DISCORD_TOKEN": SECRET, "DATABASE_URL": database, "DISCORD_API_URL": fake.api_url}
    env["DISCORD_GATEWAY_URL"] = fake.gateway_url
    code, out, err = await finished("run", "discord", env=env)
    assert code == 2 and "jembatan: Discord refused DISCORD_TOKEN" in err
    assert "hunter2" not in out + err
    assert fake.identifies == 0


async def test_sync_registers_the_command_group_for_one_server(fake: FakeDiscord) -> None:
    env = {"DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.api_url}
    code, out, err = await finished("discord", "sync", "--guild", str(fake.guild_id), env=env)
    assert code == 0, err
    assert f"registered /jembatan in server {fake.guild_id}" in out
    ((guild, commands),) = fake.command_sets
    assert guild == fake.guild_id
    (group,) = commands
    assert group["name"] == "jembatan"
    subcommands = {option["name"]: option for option in group["options"]}
    assert list(subcommands) == SUBCOMMANDS
    zone = subcommands["timezone"]["options"][0]
    assert zone["name"] == "zone" and zone["autocomplete"] is True
    assert fake.identifies == 0  # registering needs no gateway session

    code, out, _ = await finished("discord", "sync", env=env)
    assert code == 0 and "globally" in out and fake.command_sets[-1][0] is None


async def test_sync_refused_by_discord_is_one_line(
    fake: FakeDiscord, pointed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.forbid("PUT", r"/applications/\d+/guilds/\d+/commands", 50001, "Missing Access")
    config = discord_main.load_config({"DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": fake.api_url})
    assert await discord_main.sync(config, fake.guild_id) == 1
    err = capsys.readouterr().err
    assert err.startswith("jembatan: Discord refused the commands: 403") and err.count("\n") == 1


async def test_run_serves_commands_starts_the_relay_and_stops_cleanly(
    fake: FakeDiscord, database: str
) -> None:
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_URL": database,
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    process = await jembatan("run", "discord", env=env)
    try:
        await fake.connected()
        payloads = Payloads(fake)
        admin = Person(1, permissions=(1 << 5) | (1 << 31))
        for payload in (
            payloads.slash(admin, "setup"),
            payloads.slash(Person(2), "join"),
            payloads.slash(Person(2), "shoutout", member=User(3), achievement="fixed the build"),
        ):
            await fake.dispatch("INTERACTION_CREATE", payload)
            answer = await fake.answer(payload["token"], within=20)
            assert answer.ephemeral
        assert answer.text.startswith("Shout-out posted")
        # The relay job (every 5 s) started after login posts the shout-out.
        await fake.wait_for(lambda: fake.messages.get(fake.program_channel), within=20)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert fake.identifies == 1
    assert fake.command_sets == []  # registering is `discord sync`'s job, never each start's
    assert TOKEN not in err.decode()
    assert "voice will NOT be supported" not in err.decode()  # no warning that reads like a fault


def test_the_help_text_is_the_core_catalogue() -> None:
    # A guard for the tests above: they read the same catalogue the bot answers from.
    assert texts(Lang.EN)("help.member").startswith("Jembatan pairs you")


async def test_failed_logins_are_retried_with_growing_waits_then_connect(
    fake: FakeDiscord, pointed: None
) -> None:
    fake.fail("GET", r"/users/@me", 503, {"message": "upstream connect error", "code": 0}, times=3)
    client = JembatanClient(guild_ready_timeout=0.05)
    stopped, downs, waits = asyncio.Event(), [], []

    class Recorded(discord_main.Backoff):
        def next(self, connected_for: float) -> float:
            waits.append(super().next(connected_for))
            return waits[-1]

    staying = asyncio.create_task(
        discord_main.stay_connected(
            client, TOKEN, stopped=stopped, on_down=lambda: downs.append(1), backoff=Recorded(0.01, 0.03)
        )
    )
    await fake.connected()
    assert len(fake.called("GET", r"/users/@me")) == 4 and len(downs) == 3
    assert waits == [0.01, 0.02, 0.03]
    assert fake.identifies == 1  # one gateway session: failed logins never reached the gateway
    stopped.set()
    await client.close()
    await asyncio.wait_for(staying, 10)


async def test_a_second_run_waits_for_the_gateway_lock_on_postgresql(
    fake: FakeDiscord, postgres_url: str
) -> None:
    env = {
        "DISCORD_TOKEN": TOKEN,
        "DATABASE_URL": postgres_url,
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    first = await jembatan("run", "discord", env=env)
    standbys: list[asyncio.subprocess.Process] = []
    try:
        await fake.connected()
        standbys.append(await jembatan("run", "discord", env=env))
        await logged(standbys[0], "another process holds the Discord gateway")
        await asyncio.sleep(1)  # long enough for it to log in, were it not waiting
        assert fake.identifies == 1 and len(fake.called("GET", r"/users/@me")) == 1
        standbys[0].send_signal(signal.SIGTERM)  # a waiting standby still stops when told
        assert await asyncio.wait_for(standbys[0].wait(), 10) == 0

        standbys.append(await jembatan("run", "discord", env=env))
        await logged(standbys[1], "another process holds the Discord gateway")
        first.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 30) == 0
        await fake.wait_for(lambda: fake.identifies == 2, within=30)  # the standby takes over
    finally:
        for process in (first, *standbys):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), 30)
    assert standbys[1].returncode == 0


async def _identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before identifying again (Discord's pacing); nothing to test there."""


@pytest.mark.parametrize("resumable", [True, False], ids=["resumed", "identified-again"])
async def test_a_reconnect_neither_starts_the_jobs_again_nor_posts_twice(
    fake: FakeDiscord, database: str, pointed: None, resumable: bool
) -> None:
    # Wired as `run discord` wires it, with a relay every second rather than every five.
    started: list[Jobs] = []

    async def start_jobs() -> None:
        started.append(jobs)
        jobs.start()

    client = JembatanClient(on_setup=start_jobs, guild_ready_timeout=0.05)
    client.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    app = build(Settings(database_url=database), DiscordMessenger(client), DiscordDirectory(client))
    client.app = app
    jobs = Jobs(app.ticker, tick_seconds=3600, relay_seconds=1)
    stopped = asyncio.Event()
    staying = asyncio.create_task(
        discord_main.stay_connected(client, TOKEN, stopped=stopped, on_down=jobs.pause)
    )
    fake.resumable = resumable  # False: Discord dropped the session, so a new READY and on_ready come
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        scheduler = jobs.scheduler
        assert started == [jobs] and scheduler is not None
        relays: list[str] = []
        scheduler.add_listener(lambda e: relays.append(e.job_id), EVENT_JOB_EXECUTED)
        payloads = Payloads(fake)
        admin = Person(1, permissions=(1 << 5) | (1 << 31))
        for payload in (
            payloads.slash(admin, "setup"),
            payloads.slash(Person(2), "shoutout", member=User(3), achievement="kept us online"),
        ):
            await fake.dispatch("INTERACTION_CREATE", payload)
            assert (await fake.answer(payload["token"])).ephemeral

        back = asyncio.ensure_future(client.wait_for("resumed" if resumable else "ready", timeout=20))
        await fake.reconnect()
        await back
        assert (fake.identifies, fake.resumes) == ((1, 1) if resumable else (2, 0))
        after = payloads.slash(Person(2), "status")  # served on the new connection, after on_ready ran
        await fake.dispatch("INTERACTION_CREATE", after)
        await fake.answer(after["token"])
        await fake.wait_for(lambda: fake.messages.get(fake.program_channel))
        relayed = relays.count(RELAY_JOB)
        await eventually(lambda: relays.count(RELAY_JOB) > relayed)  # one more pass, to resend if it would

        assert started == [jobs]  # once per login: a new READY is no reason to start them again
        assert jobs.scheduler is scheduler
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted([RELAY_JOB, TICK_JOB])
        assert len(fake.called("POST", rf"/channels/{fake.program_channel}/messages")) == 1
        (shoutout,) = fake.messages[fake.program_channel]
        assert shoutout["embeds"][0]["description"] == "kept us online"
    finally:
        stopped.set()
        await client.close()
        await asyncio.wait_for(staying, 10)
        await jobs.stop(within=10)
        await app.close()


async def test_a_crashed_senders_rows_are_resent_inside_discords_nonce_window() -> None:
    # Discord enforces a nonce for "the past few minutes": a resend later than that would
    # post a second copy, so the rows a crash left claimed must come back sooner.
    config = discord_main.load_config({"DISCORD_TOKEN": TOKEN, "DATABASE_URL": "sqlite://"})
    runner = discord_main._Runner(config, TOKEN)
    try:
        assert runner.app.relay.lease <= timedelta(minutes=2)
    finally:
        await runner.app.close()
        await runner.client.close()
