"""Work accepted after an acknowledgement: bounded, in order per workspace, run by a few workers.

A platform wants its acknowledgement within seconds, and the work comes after it. Handing each
acknowledged request its own task lets a burst pile up without limit: tasks queue for pooled
database connections, time out and are lost although the person was told "got it". Here the
adapter first *offers* the work: there is room (a slot is held for it and it will run) or there
is none (the adapter answers "busy, try again" instead of acknowledging work it cannot do).

Each workspace has a lane: its jobs run one at a time, in the order they came, so no database
lock is needed to keep one workspace's commands from overtaking each other. Lanes take turns
for the workers, so a busy workspace never makes a quiet one wait behind its whole backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from bot import metrics
from bot.logs import Throttled
from bot.store.db import is_database_error

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_WORKERS = 8
DEFAULT_CAPACITY = 200  # queued + running: what memory may hold at most
# Past this expected wait a person is better served by "busy, try again" now than by an answer
# later. The answer should come within about three seconds; under load the acknowledgement and
# the answer's own trip take about as long again as the wait, so the queue gets one second
# (bench/ack_load.py: answers p99 2.1 s with 1 s, 4.8 s with 2 s, in the same flood).
DEFAULT_MAX_WAIT = 1.0
_BUSY = "busy: turned away a request; try JEMBATAN_WORKERS"
_BUSY_HELD = "busy: turned away %d more request(s) in the last minute; try JEMBATAN_WORKERS"


class IntakeClosed(RuntimeError):
    """The process shut down before an accepted job's turn came."""


class _Job:
    __slots__ = ("future", "run")

    def __init__(self, run: Callable[[], Awaitable[Any]], future: asyncio.Future[Any]) -> None:
        self.run = run
        self.future = future


class Intake:
    """`offer(workspace, job)` → a future of the job's result, or None when full."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        capacity: int = DEFAULT_CAPACITY,
        max_wait: float = DEFAULT_MAX_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if workers < 1 or capacity < 1:
            raise ValueError("an intake needs at least one worker and one slot")
        self.workers = workers
        self.capacity = capacity
        self.max_wait = max_wait
        self._clock = clock
        self._service = 0.0  # a job's usual run time (moving average); 0 until one has run
        self._running: set[Hashable] = set()
        self._lanes: dict[Hashable, deque[_Job]] = {}  # a lane exists while it is waiting or running
        self._ready: asyncio.Queue[Hashable] | None = None  # lanes waiting for a worker, in turn
        self._tasks: list[asyncio.Task[None]] = []
        self._held = 0  # jobs offered and not yet finished
        self._idle: asyncio.Event | None = None
        self._closing = False
        self.refused = 0  # offers turned away since start, for logs and benches
        # The first refusal is logged at once, then one line a minute says how many followed.
        self._busy_log = Throttled(log, _BUSY, _BUSY_HELD, burst=1, clock=clock)

    @property
    def held(self) -> int:
        return self._held

    def offer(self, key: Hashable, run: Callable[[], Awaitable[T]]) -> asyncio.Future[T] | None:
        """Queue `run` behind the workspace's earlier jobs; None (and nothing queued) when full
        or shutting down. The caller must answer the person either way."""
        if self._closing or self._held >= self.capacity or self.expected_wait(key) > self.max_wait:
            self.refused += 1
            metrics.BUSY.inc()
            self._busy_log()
            return None
        loop = asyncio.get_running_loop()
        self._start(loop)
        assert self._ready is not None and self._idle is not None
        future: asyncio.Future[T] = loop.create_future()
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            self._ready.put_nowait(key)
        lane.append(_Job(run, future))
        self._held += 1
        self._idle.clear()
        return future

    def expected_wait(self, key: Hashable) -> float:
        """Seconds a new job of this workspace would wait: behind its own lane (one at a time),
        or behind everyone's work shared among the workers, whichever is longer."""
        lane = self._lanes.get(key)
        in_lane = (len(lane) if lane else 0) + (key in self._running)
        return max(in_lane, self._held / self.workers) * self._service

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._tasks:
            return
        self._ready = asyncio.Queue()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks = [loop.create_task(self._work(), name=f"intake-{n}") for n in range(self.workers)]

    async def _work(self) -> None:
        assert self._ready is not None and self._idle is not None
        while True:
            key = await self._ready.get()
            lane = self._lanes[key]
            job = lane.popleft()
            self._running.add(key)
            started = self._clock()
            try:
                result = await job.run()
            except asyncio.CancelledError:
                if not job.future.done():
                    job.future.cancel()
                raise
            except Exception as error:
                if is_database_error(error):
                    metrics.DATABASE_ERRORS.inc()
                if not job.future.done():
                    job.future.set_exception(error)
            else:
                if not job.future.done():
                    job.future.set_result(result)
            finally:
                # Capped: one long job (a round brought forward, seconds of pairing) must not make
                # the estimate turn everyone away for the dozen quick commands after it.
                took = min(self._clock() - started, self.max_wait)
                self._service = took if not self._service else 0.9 * self._service + 0.1 * took
                self._running.discard(key)
                self._held -= 1
                if lane:
                    self._ready.put_nowait(key)  # back in line, behind the other workspaces
                else:
                    del self._lanes[key]
                if self._held == 0:
                    self._idle.set()

    async def close(self, grace: float = 30.0) -> int:
        """Refuse new work and finish what was accepted (an acknowledgement is a promise).
        Returns how many accepted jobs did not finish within `grace` seconds (logged; 0 normally)."""
        self._closing = True
        if not self._tasks:
            return 0
        assert self._idle is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
        unfinished = self._held
        if unfinished:
            log.error(
                "%d accepted request(s) did not finish within %.0f s of shutting down", unfinished, grace
            )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        # Jobs still queued will not run: their callers hear so (and tell the person) rather
        # than wait on a future nobody will ever settle.
        for lane in self._lanes.values():
            for job in lane:
                if not job.future.done():
                    job.future.set_exception(IntakeClosed("shut down before this could run"))
        self._lanes.clear()
        return unfinished
