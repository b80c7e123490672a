"""The outbox relay: delivers queued messages through a Messenger, retrying what may succeed later.

Rows go pending → sending → sent, or back to pending with a later attempt time on a
temporary failure (429, 5xx, a dropped connection), or to failed on a refusal that will
not change (a 4xx such as channel_not_found) or after the last attempt. A row is claimed
right before its send, and the claim counts the attempt, so a crash holds one row and never
spends attempts on rows it did not try. Each process registers as a holder; a row whose
holder died while `sending` is taken back at once by the next pass (holders.py), so a crash
never loses a message; the row id travels to the platform as an idempotency key where the
platform has one (Discord's nonce).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import metrics
from bot.domain.model import TenantRef
from bot.i18n import texts
from bot.log_context import about
from bot.messages import Notice, ToChannel, ToGroup, ToUser
from bot.ports import DeliveryFailed, Messenger
from bot.store.db import connection_lost
from bot.store.holders import Holder
from bot.store.outbox import OutboxRow
from bot.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger(__name__)

# Longer than any one send takes. Only a holder that is alive but silent waits this out: a dead
# one's row comes back at once.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class Relay:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        clock: Callable[[], datetime],
        *,
        batch: int = 100,  # sends per workspace per turn, then its rows go back to the queue
        max_attempts: int = 6,
        base_delay: float = 2.0,
        lease: timedelta = DEFAULT_LEASE,
        min_interval: float = 0.0,
        workspaces: int = 16,
        in_flight: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._messenger = messenger
        self._clock = clock
        self._batch = batch
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._lease = lease
        # Between two sends to one workspace, whichever process makes them (bot/store/pacing.py).
        self._interval = timedelta(seconds=min_interval)
        # A send slot this close is waited for; one further off (a Retry-After) is left to a
        # later pass, so a stop never waits long and the task is free meanwhile.
        self._max_pause = max(2 * min_interval, 2.0)
        self._workspaces = workspaces  # served at once by this process, each at its own pace
        self._in_flight = in_flight  # sends to one workspace on their way at once, when paced
        self._sleep = sleep
        self._serving: dict[int, asyncio.Task[None]] = {}
        self._registering = asyncio.Lock()
        self._holder: Holder | None = None
        self._finishing = False

    @property
    def lease(self) -> timedelta:
        """How long a row stays claimed by a sender that went quiet before another may send it."""
        return self._lease

    async def run_once(self, *, wait: bool = True) -> DeliveryReport:
        """Start sending to every workspace with messages due that this process is not already
        serving, each in a task of its own at its own pace, so one workspace's long round or
        Retry-After never holds up another's. The tick and the relay's job both call this; a
        workspace already being served is left to the task serving it (two would share its
        budget anyway, but would only contend for it). With `wait`, returns once the tasks it
        started are done, with what they did; without, at once (the scheduled job)."""
        if self._finishing:
            return DeliveryReport()
        holder = await self._registered()
        now = self._clock()
        async with self._store.unit() as uow:
            tenant_ids = await uow.due.ids(now, within=timedelta(seconds=self._max_pause))
            depth, oldest = await uow.tenants.outbox_backlog(now)
        metrics.OUTBOX_DEPTH.set(depth)
        metrics.OUTBOX_OLDEST_SECONDS.set(oldest)
        report = DeliveryReport()
        started: list[asyncio.Task[None]] = []
        for tenant_id in tenant_ids:
            if len(self._serving) >= self._workspaces:
                break  # the rest on a later pass, when a task has finished
            if tenant_id in self._serving:
                continue
            task = asyncio.create_task(self._serve(tenant_id, holder, report))
            self._serving[tenant_id] = task
            task.add_done_callback(self._served(tenant_id))
            started.append(task)
        if not wait:
            for task in started:
                task.add_done_callback(_log_failure)
            return report
        outcomes = await asyncio.gather(*started, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return report

    def _served(self, tenant_id: int) -> Callable[[asyncio.Task[None]], None]:
        def done(_: asyncio.Task[None]) -> None:
            self._serving.pop(tenant_id, None)

        return done

    def finish_soon(self) -> None:
        """At a stop: each workspace's task ends after the send it is making, rather than after
        all it would send (minutes, when paced)."""
        self._finishing = True

    async def settle(self, within: float) -> None:
        """Wait up to `within` seconds for the workspaces' tasks to end (after finish_soon: each
        ends once the send it is making is recorded)."""
        if self._serving:
            await asyncio.wait(list(self._serving.values()), timeout=within)

    async def close(self) -> None:
        """Unregister (at a clean stop, after the jobs have stopped), once the sends in flight
        are recorded."""
        self._finishing = True
        await asyncio.gather(*self._serving.values(), return_exceptions=True)
        async with self._registering:
            if self._holder is not None:
                holder, self._holder = self._holder, None
                await holder.close()

    async def _registered(self) -> Holder:
        async with self._registering:
            if self._holder is not None and not await self._holder.alive():
                log.error("lost the registration as an outbox holder; registering again")
                dead, self._holder = self._holder, None
                with contextlib.suppress(Exception):
                    await dead.close()
            if self._holder is None:
                self._holder = await self._store.register_holder(self._clock())
            else:
                await self._holder.take_back_dead()
            return self._holder

    def resume(self) -> None:
        """Take up sending again after `finish_soon` (the jobs were started again)."""
        self._finishing = False

    async def _serve(self, tenant_id: int, holder: Holder, report: DeliveryReport) -> None:
        """Send one workspace's due rows, each in a send slot of its pace. When paced, a send
        may still be on its way when the next slot comes (a slow answer, a busy database): the
        next starts anyway, up to `_in_flight` at once, so the pace is the platform's and not
        our own latency's. Unpaced, one at a time."""
        async with self._store.unit() as uow:
            tenant = await uow.tenants.ref(tenant_id)
        depth = self._in_flight if self._interval > timedelta(0) else 1
        sending: set[asyncio.Task[bool]] = set()
        gone = False
        next_slot: datetime | None = None
        try:
            sent = 0
            # Every turn either starts a send or waits for a slot.
            for _ in range(2 * self._batch + 2):
                # `_finishing` is not reset here: a stop's finish_soon() can land while the tick
                # is still starting rounds, and the tick's own run must then send nothing more.
                if self._finishing or sent >= self._batch or gone:
                    return
                if len(sending) >= depth:
                    done, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    gone = any(not task.result() for task in done)
                    continue
                if next_slot is not None and next_slot > self._clock():
                    # Our own last send set the next slot: wait for it before asking again.
                    await self._sleep((next_slot - self._clock()).total_seconds())
                next_slot = None
                now = self._clock()
                row: OutboxRow | None = None
                async with self._store.unit() as uow:
                    scope = uow.scoped(tenant_id)
                    # The slot and the row are taken in one transaction: a workspace with nothing
                    # due after all keeps its slot (the rollback), and no replica takes it meanwhile.
                    granted, slot = await scope.pacing.take_slot(now, self._interval)
                    if granted:
                        row = await scope.outbox.claim_next(now, self._lease, holder.id)
                        if row is not None:
                            # More to send: its slot is known, so wait for it without asking.
                            if await scope.outbox.any_due(now, self._lease):
                                next_slot = slot
                            await uow.commit()
                    elif not await scope.outbox.any_due(now, self._lease):
                        return  # nothing left to wait for
                if not granted:
                    pause = (slot - now).total_seconds()
                    if pause > self._max_pause:
                        return  # held (a Retry-After): a pass after it ends takes the workspace up
                    # Waiting here, no row is held but those on their way.
                    await self._sleep(pause)
                    if self._clock() <= now:
                        return  # a clock that does not move (a test's): the slot would never come
                    continue
                if row is None:
                    return
                sent += 1
                sending.add(asyncio.create_task(self._deliver_about(tenant_id, tenant, row, report)))
                if depth == 1:
                    done, sending = await asyncio.wait(sending)
                    gone = any(not task.result() for task in done)
        except asyncio.CancelledError:
            # Cancelled as a crash is (a test's), or at the end of the loop: so are the sends.
            for task in sending:
                task.cancel()
            raise
        finally:
            # Whatever else ends the turn (a stop, an error), the sends on their way are recorded.
            if sending:
                await asyncio.wait(sending)
                for task in sending:
                    if not task.cancelled():
                        task.result()  # a failure to record is raised, not dropped

    async def _deliver_about(
        self, tenant_id: int, tenant: TenantRef, row: OutboxRow, report: DeliveryReport
    ) -> bool:
        with about(tenant=tenant_id, outbox=row.id):
            return await self._deliver(tenant_id, tenant, row, report)

    async def drain(self, rounds: int = 50) -> DeliveryReport:
        """Deliver until nothing is due now (retries scheduled for later stay queued)."""
        total = DeliveryReport()
        for _ in range(rounds):
            report = await self.run_once()
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            if not (report.sent or report.failed or report.retried):
                break
        return total

    async def _conversation(self, tenant_id: int, tenant: TenantRef, row: OutboxRow, to: ToGroup) -> str:
        async with self._store.unit() as uow:
            group = await uow.scoped(tenant_id).groups.get(to.group_id)
        if group is not None and group.conversation_id:
            return group.conversation_id
        # An earlier attempt at this row may have opened the conversation and died before
        # recording it: the messenger then looks for one opened since the row was queued.
        since = row.created_at if row.attempts > 1 else None
        conversation = await self._messenger.open_group(tenant, to, since=since)

        async def record(uow: UnitOfWork) -> None:
            await uow.scoped(tenant_id).groups.set_conversation(to.group_id, conversation)

        await self._record(record)
        return conversation

    async def _record(self, write: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """Record what the platform already did. The platform cannot be asked to forget it, so a
        database connection that breaks under the record is not a reason to send again: the
        record is written again on a fresh connection (it updates by row id, so twice is once)."""
        for pause in (0.05, 0.5, 2.0, None):
            try:
                async with self._store.unit() as uow:
                    await write(uow)
                    await uow.commit()
                return
            except Exception as error:
                if pause is None or not connection_lost(error):
                    raise
                metrics.DATABASE_ERRORS.inc()
                await self._sleep(pause)

    async def _send(self, tenant_id: int, tenant: TenantRef, row: OutboxRow) -> tuple[str | None, str]:
        key = f"jb{row.id}"
        match row.destination:
            case ToChannel(channel_id):
                return channel_id, await self._messenger.post(tenant, channel_id, row.message, key)
            case ToGroup():
                conversation = await self._conversation(tenant_id, tenant, row, row.destination)
                return conversation, await self._messenger.post(tenant, conversation, row.message, key)
            case ToUser(user_id):
                return None, await self._messenger.post_direct(tenant, user_id, row.message, key)

    async def _deliver(
        self, tenant_id: int, tenant: TenantRef, row: OutboxRow, report: DeliveryReport
    ) -> bool:
        if row.attempts > self._max_attempts:
            # Sent again and again without an answer: its sender keeps dying on it.
            spent = DeliveryFailed(f"gave up after {row.attempts - 1} attempts", retryable=False)
            return await self._failed(tenant_id, row, spent, report, platform_refused=False)
        try:
            conversation, ref = await self._send(tenant_id, tenant, row)
        except DeliveryFailed as failure:
            return await self._failed(tenant_id, row, failure, report)
        except (OSError, TimeoutError) as error:
            dropped = DeliveryFailed(f"connection: {type(error).__name__}", retryable=True)
            return await self._failed(tenant_id, row, dropped, report)
        except Exception as error:
            # A bug (say, in a renderer) must not stall the queue nor loop forever: the row
            # takes its bounded retries like any other failure, and the traceback is logged.
            log.exception("outbox row %s could not be sent", row.id)
            broken = DeliveryFailed(f"error: {type(error).__name__}", retryable=True)
            return await self._failed(tenant_id, row, broken, report)

        async def record(uow: UnitOfWork) -> None:
            await uow.scoped(tenant_id).outbox.mark_sent(row.id, conversation, ref, self._clock())

        await self._record(record)
        report.sent += 1
        metrics.SENDS.labels("sent").inc()
        metrics.DELIVERY_LAG_SECONDS.observe(max(0.0, (self._clock() - row.created_at).total_seconds()))
        return True

    async def _failed(
        self,
        tenant_id: int,
        row: OutboxRow,
        failure: DeliveryFailed,
        report: DeliveryReport,
        *,
        platform_refused: bool = True,  # False: we gave up on our side, the channel is not to blame
    ) -> bool:
        if failure.retry_after:
            metrics.RATE_LIMITED.inc()
            metrics.RETRY_AFTER_SECONDS.inc(failure.retry_after)
        async with self._store.unit() as uow:
            outbox = uow.scoped(tenant_id).outbox
            if failure.tenant_gone:
                await uow.tenants.deactivate(tenant_id)
                await outbox.fail_everything_pending(failure.reason)
                await uow.commit()
                log.warning("workspace %s revoked our access; stopped sending to it", tenant_id)
                report.failed += 1
                metrics.SENDS.labels("failed").inc()
                return False
            if failure.retry_after:
                # Every row of the workspace waits, in every process: the platform meant it.
                until = self._clock() + timedelta(seconds=failure.retry_after)
                await uow.scoped(tenant_id).pacing.hold_until(until)
            if failure.retryable and row.attempts < self._max_attempts:
                delay = max(failure.retry_after or 0.0, self._base_delay * 2 ** (row.attempts - 1))
                await outbox.mark_retry(row.id, self._clock() + timedelta(seconds=delay), failure.reason)
                report.retried += 1
                metrics.SENDS.labels("retried").inc()
            else:
                await outbox.mark_failed(row.id, failure.reason)
                report.failed += 1
                metrics.SENDS.labels("failed").inc()
                log.warning("outbox row %s failed for good: %s", row.id, failure.reason)
                if platform_refused and isinstance(row.destination, ToChannel) and not failure.retryable:
                    await _tell_who_set_it_up(
                        uow, tenant_id, row.destination.channel_id, failure, self._clock()
                    )
            await uow.commit()
        return True


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("delivery to a workspace stopped", exc_info=task.exception())


async def _tell_who_set_it_up(
    uow: UnitOfWork, tenant_id: int, channel_id: str, failure: DeliveryFailed, now: datetime
) -> None:
    """A channel refused a post for good (most often: the bot was never added to it). Nobody
    would notice a missing announcement, so the admin who set the program up hears of it, at
    most once a day per channel."""
    scope = uow.scoped(tenant_id)
    platform = (await uow.tenants.ref(tenant_id)).platform.value
    for program in await scope.programs.posting_to(channel_id):
        if program.set_up_by is None:
            continue
        text = texts(program.config.lang, platform)(
            "notice.channel_unreachable", channel=f"<#{channel_id}>", reason=failure.reason
        )
        key = f"channel-unreachable:{program.id}:{channel_id}:{now.date().isoformat()}"
        await scope.outbox.add(key, ToUser(program.set_up_by), Notice(text), now)
