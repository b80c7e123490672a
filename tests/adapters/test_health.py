"""/healthz and /readyz: what Docker's HEALTHCHECK and Kubernetes' probes ask every process."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.health import Probes
from tests.adapters.discord.fake_discord import TOKEN, FakeDiscord


def _probes(database: bool = True, connected: bool = True) -> Probes:
    async def database_ok() -> bool:
        return database

    async def is_connected() -> bool:
        return connected

    return Probes(database_ok, is_connected)


async def _get(probes: Probes, path: str) -> tuple[int, dict[str, bool]]:
    app = web.Application()
    app.add_routes(probes.routes())
    async with TestClient(TestServer(app)) as client:
        response = await client.get(path)
        return response.status, await response.json()


async def test_ready_when_connected_and_the_database_answers() -> None:
    assert await _get(_probes(), "/readyz") == (
        200,
        {"ok": True, "connected": True, "draining": False, "database": True},
    )


@pytest.mark.parametrize(
    ("probes", "failing"),
    [(_probes(database=False), "database"), (_probes(connected=False), "connected")],
)
async def test_not_ready_without_the_database_or_the_platform(probes: Probes, failing: str) -> None:
    status, body = await _get(probes, "/readyz")
    assert status == 503 and body["ok"] is False and body[failing] is False


async def test_not_ready_while_draining_but_still_alive() -> None:
    probes = _probes()
    probes.draining = True
    status, body = await _get(probes, "/readyz")
    assert status == 503 and body["draining"] is True
    assert (await _get(probes, "/healthz"))[0] == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _status(session: aiohttp.ClientSession, url: str) -> int | None:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return None  # not listening (yet, or any more)


async def _until(
    session: aiohttp.ClientSession, url: str, wanted: set[int | None], within: float
) -> int | None:
    async def poll() -> int | None:
        # Polling another process's HTTP endpoint: there is no event to wait on.
        while True:
            status = await _status(session, url)
            if status in wanted:
                return status
            await asyncio.sleep(0.1)

    return await asyncio.wait_for(poll(), within)


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Path:
    return Path(shutil.copy(sqlite_template, tmp_path / "jembatan.db"))


async def test_a_discord_process_is_ready_once_connected_and_not_after_sigterm(database: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_URL"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        "discord",
        env={
            **clean,
            "DISCORD_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite:///{database}",
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "JEMBATAN_HEALTH_PORT": str(port),
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            assert await _until(session, f"{base}/readyz", {200}, within=60) == 200
            assert await _status(session, f"{base}/healthz") == 200
            process.send_signal(signal.SIGTERM)
            # Draining is set by the signal handler itself, before any work winds down.
            assert await _until(session, f"{base}/readyz", {503, None}, within=5) in {503, None}
        _, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, err.decode()[-2000:]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()


async def test_metrics_are_served_in_prometheus_text_format() -> None:
    from bot import metrics

    metrics.ROUNDS.inc()
    app = web.Application()
    app.add_routes(_probes().routes())
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics")
        body = await response.text()
    assert response.status == 200 and response.content_type == "text/plain"
    assert "# TYPE jembatan_rounds_total counter" in body
    assert "jembatan_outbox_pending" in body
