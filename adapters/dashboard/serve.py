"""Start the dashboard on a host and port, over a database, with a fresh session key."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from adapters.dashboard.app import Setup, create_app
from adapters.dashboard.security import Sessions, SignInLinks
from bot.app import Dashboard, Store


def setup_for(store: Store, names: Mapping[str, str], key: bytes | None = None) -> Setup:
    """Without a key, a random one: sessions then last as long as this process, which is what a
    local demo wants (a restart signs everyone out; nothing to configure or leak)."""
    return Setup(Dashboard(store), Sessions(key or secrets.token_bytes(32)), SignInLinks(), names)


@dataclass
class Running:
    runner: web.AppRunner
    host: str
    port: int

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start(setup: Setup, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Serve until stopped; port 0 picks a free one (the tests and the benchmark use that)."""
    runner = web.AppRunner(create_app(setup), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    return Running(runner, host, int(bound))
