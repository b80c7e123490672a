"""The one entry point adapters call: a command and who sent it in, a reply out.

Each command runs in one transaction together with the record of its delivery id, so a
platform's retry or a replayed request has its effect once. A refused command rolls back:
bad input changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import TypeVar, assert_never

from bot import commands as c
from bot import metrics
from bot.domain.model import Platform, StillInChoice, TenantRef
from bot.domain.validation import InvalidInput
from bot.log_context import about, bind
from bot.messages import Reply
from bot.services import admin, audit, dashboard_link, divisions, members, recognition
from bot.services.base import CommandContext, Deps, Refusal, resolve_program
from bot.store.db import connection_lost, lost_before_commit

log = logging.getLogger(__name__)

# After the database dropped the connection under a command: pauses before running it again
# (a restarting or failing-over server takes a moment to take connections again).
AGAIN_AFTER = (0.05, 0.5, 2.0)

T = TypeVar("T")


async def _again_if_lost(work: Callable[[], Awaitable[T]], *, recorded: bool) -> T:
    """Run `work`; when the database connection broke under it, run it again if that is safe:
    the break came before COMMIT (the server rolled everything back), or the command's delivery
    id is `recorded` in the same transaction (a second run that finds it does nothing twice).
    Without this, a command acknowledged to the person is lost to a database restart."""
    for pause in AGAIN_AFTER:
        try:
            return await work()
        except Exception as error:
            if not (lost_before_commit(error) or (recorded and connection_lost(error))):
                raise
            metrics.DATABASE_ERRORS.inc()  # the operator sees the fault even though nobody else does
            log.warning("the database connection broke under a command; running it again")
        await asyncio.sleep(pause)
    return await work()


async def handle(deps: Deps, actor: c.Actor, command: c.Command) -> Reply:
    kind = type(command).__name__
    try:
        with about(tenant=None):  # bound below once known; unbound when the command is done
            reply, outcome = await _again_if_lost(
                lambda: _handle(deps, actor, command), recorded=actor.delivery_id is not None
            )
    except Exception:
        metrics.COMMANDS.labels(kind, "error").inc()
        raise
    metrics.COMMANDS.labels(kind, outcome).inc()
    return reply


async def _handle(deps: Deps, actor: c.Actor, command: c.Command) -> tuple[Reply, str]:
    now = deps.now()
    async with deps.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(actor.tenant, now)
        bind(tenant=tenant_id)
        scope = uow.scoped(tenant_id)
        program = await resolve_program(scope, actor, strict_channel=isinstance(command, c.Join))
        ctx = CommandContext(uow, scope, actor, now, deps.default_lang, program)
        if actor.delivery_id and not await scope.deliveries.claim(actor.delivery_id, now):
            log.info("delivery %s seen before; not acting twice", actor.delivery_id)
            return Reply(ctx.t("error.duplicate")), "duplicate"
        try:
            if isinstance(command, c.ADMIN_COMMANDS) and not await ctx.is_admin():
                raise Refusal("error.admin_only")
            before = ctx.program
            if isinstance(command, c.RunRoundNow):
                ctx.require_program()
                reply = None  # the round runs below, once this transaction is over
            else:
                reply = await _dispatch(deps, ctx, command)
            await audit.record(ctx, command, before)  # with the change, in its transaction
        except (Refusal, InvalidInput) as refusal:
            return Reply(ctx.t(refusal.key, **refusal.params)), "refused"
        await uow.commit()
    if reply is None:
        # A round takes its own transactions (and asks the platform who is still around), so it
        # must not run inside this one: on SQLite that would wait on its own write lock.
        assert ctx.program is not None
        program, t = ctx.program, ctx.t
        try:
            # Its own retry: running the whole command again would find its delivery id recorded.
            # A round is claimed once per period, so a second run after an unknown commit refuses.
            reply = await _again_if_lost(lambda: admin.run_now(deps, tenant_id, program, t), recorded=False)
            return reply, "ok"
        except Refusal as refusal:
            return Reply(ctx.t(refusal.key, **refusal.params)), "refused"
    return reply, "ok"


async def _dispatch(deps: Deps, ctx: CommandContext, command: c.Command) -> Reply:
    match command:
        case c.Help(topic):
            if topic == "admin":
                return Reply(ctx.t("help.admin") + "\n" + ctx.t("help.cross_division_modes"))
            return Reply(ctx.t("help.member"))
        case c.Join(division):
            return await members.join(ctx, division)
        case c.Leave():
            return await members.leave(ctx)
        case c.Pause(weeks):
            return await members.pause(ctx, weeks)
        case c.Resume():
            return await members.resume(ctx)
        case c.SetDivision(division):
            return await members.set_division(ctx, division)
        case c.SetTimezone(zone):
            return await members.set_timezone(ctx, zone)
        case c.SetInterests(words):
            return await members.set_interests(ctx, words)
        case c.UpdateProfile(division, zone, interests):
            return await members.update_profile(ctx, division, zone, interests)
        case c.Status():
            return await members.status(ctx)
        case c.GiveShoutOut(recipients, text):
            return await recognition.give_shoutout(deps, ctx, recipients, text)
        case c.Leaderboard(period, by_division):
            return await recognition.leaderboard(ctx, period, by_division)
        case c.ExportMyData():
            return await members.export(ctx)
        case c.ForgetMe(confirmed):
            return await members.forget(ctx, confirmed)
        case c.RecordOutcome(group_id, outcome):
            return await recognition.record_outcome(ctx, group_id, outcome)
        case c.AnswerStillIn(program_id, choice):
            return await recognition.answer_still_in(ctx, program_id, StillInChoice(choice))
        case c.SetupProgram():
            return await admin.setup(deps, ctx, command)
        case c.RunRoundNow():
            raise AssertionError("handled before dispatch")
        case c.PreviewRound():
            return await admin.preview(deps, ctx)
        case c.ShowStats(workspace):
            return await admin.show_stats(ctx, workspace)
        case c.BlockPair(first, second):
            return await admin.block(ctx, first, second)
        case c.ExportCsv():
            return await admin.export_csv(ctx)
        case c.GrantAdmin(user_id, revoke):
            return await admin.grant_admin(ctx, user_id, revoke)
        case c.RenameDivision(old, new):
            return await divisions.rename(ctx, old, new)
        case c.OpenDashboard():
            return dashboard_link.answer(deps, ctx)
        case _:
            assert_never(command)


async def claim_delivery(deps: Deps, tenant: TenantRef, delivery_id: str) -> bool:
    """For a platform event that is not a command: record its delivery id, True the first time.

    The claim is committed before the caller acts, so a retry finds it; the workspace is
    registered as `handle` registers it. (Removals claim inside `bot.installations.uninstall` instead.)"""
    now = deps.now()
    async with deps.store.unit() as uow:
        tenant_id = await uow.tenants.ensure(tenant, now)
        claimed = await uow.scoped(tenant_id).deliveries.claim(delivery_id, now)
        await uow.commit()
    if not claimed:
        log.info("delivery %s seen before; not acting twice", delivery_id)
    return claimed


async def workspaces_on(deps: Deps, platform: Platform) -> list[TenantRef]:
    """Every workspace of one platform we hold data for, for an adapter checking which remain."""
    async with deps.store.unit() as uow:
        known = await uow.tenants.on_platform(platform)
    return [TenantRef(platform, external_id) for external_id in sorted(known)]


async def forget_absent(
    deps: Deps, platform: Platform, present: Collection[str], listed_at: datetime
) -> list[TenantRef]:
    """The platform has just listed every workspace the app is in (Discord's READY does, as
    unavailable stubs during an outage too). Any workspace we hold data for that is not on the
    list removed the app while we were offline, and its removal event never reached us: its
    data goes now, as it would have then. Returns the workspaces erased.

    Two guards, since erasing cannot be undone: a workspace whose data began after the list was
    made is newer than the list and stays; and if the list names none of the workspaces we know,
    it is more likely another app's (a token from a different bot on the same database) than
    every removal at once, so nothing is erased and the reason is logged."""
    listed = set(present)
    async with deps.store.unit() as uow:
        known = await uow.tenants.on_platform(platform)
        if known and not listed & set(known):
            log.warning(
                "the platform lists none of the %d %s workspace(s) we hold data for; erasing nothing "
                "(is the token this bot's own?)",
                len(known),
                platform.value,
            )
            return []
        gone = {
            external: tenant_id
            for external, (tenant_id, created) in known.items()
            if external not in listed and created <= listed_at
        }
        for tenant_id in gone.values():
            await uow.tenants.erase(tenant_id)
        await uow.commit()
    for external_id in sorted(gone):
        log.info("erased workspace %s:%s: the app was removed while offline", platform.value, external_id)
    return [TenantRef(platform, external_id) for external_id in sorted(gone)]
