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

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.app import BadConfig, Readiness

log = logging.getLogger(__name__)


class Probes(Readiness):
    """The core's readiness (bot.process.Readiness), with the routes that serve it."""

    def routes(self) -> list[web.RouteDef]:
        return routes(self)


def routes(readiness: Readiness) -> list[web.RouteDef]:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(request: web.Request) -> web.Response:
        checks = await readiness.ready()
        ok = checks["connected"] and checks["database"] and not checks["draining"]
        return web.json_response({"ok": ok, **checks}, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)]


class HealthServer:
    """A small aiohttp server of its own, so the probes answer whatever the platform does."""

    def __init__(self, readiness: Readiness, port: int) -> None:
        self.readiness = readiness
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(routes(self.readiness))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "0.0.0.0", self.port).start()
        log.info("serving /healthz and /readyz on port %d", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_probes(readiness: Readiness, port: int | None) -> HealthServer | None:
    """The probes on JEMBATAN_HEALTH_PORT when it is set; a port that cannot be listened on is a
    configuration error, said in one line."""
    if not port:
        return None
    health = HealthServer(readiness, port)
    try:
        await health.start()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BadConfig(f"JEMBATAN_HEALTH_PORT {port} cannot be listened on ({reason})") from None
    return health
