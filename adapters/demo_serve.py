"""`jembatan demo --serve`: run the demo, then show its database in the dashboard on 127.0.0.1,
with a one-time link that signs the browser in as the demo's admin."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from rich.console import Console

from adapters.console.demo import run_demo
from adapters.dashboard.serve import setup_for, start
from bot.app import open_store


async def demo_and_serve(members: int, rounds: int, lang: str, seed: int, port: int) -> int:
    console = Console()
    result = await run_demo(members, rounds, lang, seed, console)
    store = open_store(f"sqlite:///{result.folder / 'jembatan.db'}")
    try:
        assert result.tenant_id is not None, "the demo set up its workspace"
        setup = setup_for(store, result.names)
        try:
            running = await start(setup, "127.0.0.1", port)
        except OSError as error:  # the port is taken, most likely: one line, not a traceback
            print(
                f"jembatan: cannot serve the dashboard on 127.0.0.1:{port}: {error.strerror}", file=sys.stderr
            )
            return 2
        token = setup.links.issue(result.admin, frozenset({result.tenant_id}))
        console.rule("[bold cyan]Dashboard")
        admin = result.names.get(result.admin, result.admin)
        console.print(f"Open this link to sign in as {admin} (it works once):")
        console.print(running.url(f"/signin/{token}"), soft_wrap=True, highlight=False)
        console.print("[dim]Ctrl+C stops the server.[/dim]")
        try:
            await asyncio.Event().wait()
        finally:
            await running.stop()
    finally:
        await store.dispose()
    return 0


def main(members: int, rounds: int, lang: str, seed: int, port: int) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(demo_and_serve(members, rounds, lang, seed, port))
    return 0  # Ctrl+C: the way to stop it
