"""The probes every `jembatan run …` serves on JEMBATAN_HEALTH_PORT, for Docker's HEALTHCHECK and
Kubernetes: `/healthz` (the process is alive and its event loop turns) and `/readyz` (the
database answers, the platform connection is up, and the process is not shutting down), and
`/metrics` (Prometheus; bot.metrics says what is counted).

Socket Mode and Discord take no inbound requests, so without this nothing could tell a hung
bot from a working one. Readiness turns false the moment SIGTERM arrives, before the process
finishes its last send, so a load balancer stops sending it work first.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.app import BadConfig

log = logging.getLogger(__name__)


class Probes:
    """What readiness is made of; each platform's runner says when it is connected."""

    def __init__(
        self, database_ok: Callable[[], Awaitable[bool]], connected: Callable[[], Awaitable[bool]]
    ) -> None:
        self._database_ok = database_ok
        self._connected = connected
        self.draining = False

    async def ready(self) -> dict[str, bool]:
        checks = {"connected": not self.draining and await self._connected(), "draining": self.draining}
        # The database is asked only when the rest holds: a draining process answers at once.
        checks["database"] = checks["connected"] and not self.draining and await self._database_ok()
        return checks

    def routes(self) -> list[web.RouteDef]:
        async def healthz(request: web.Request) -> web.Response:
            return web.json_response({"ok": True})

        async def readyz(request: web.Request) -> web.Response:
            checks = await self.ready()
            ok = checks["connected"] and checks["database"] and not checks["draining"]
            return web.json_response({"ok": ok, **checks}, status=200 if ok else 503)

        async def metrics(request: web.Request) -> web.Response:
            body = generate_latest()
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        return [web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)]


class HealthServer:
    """A small aiohttp server of its own, so the probes answer whatever the platform does."""

    def __init__(self, probes: Probes, port: int) -> None:
        self.probes = probes
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(self.probes.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "0.0.0.0", self.port).start()
        log.info("serving /healthz and /readyz on port %d", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_probes(probes: Probes, port: int | None) -> HealthServer | None:
    """The probes on JEMBATAN_HEALTH_PORT when it is set; a port that cannot be listened on is a
    configuration error, said in one line."""
    if not port:
        return None
    health = HealthServer(probes, port)
    try:
        await health.start()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BadConfig(f"JEMBATAN_HEALTH_PORT {port} cannot be listened on ({reason})") from None
    return health
