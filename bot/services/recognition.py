"""Meetups reported, milestones celebrated, shout-outs given, and the leaderboard they feed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import validation
from bot.domain.achievements import Progress, personal_milestones, program_milestones
from bot.domain.leaderboard import standings
from bot.domain.model import MemberStatus, Outcome, Person, Program, StillInChoice
from bot.i18n import texts
from bot.messages import Reply, ShoutOut, ToChannel
from bot.services.base import CommandContext, Deps, Refusal
from bot.services.ports import TenantScope

ALLOWANCE_WINDOW = timedelta(days=7)
PAUSE_LATER_WEEKS = 4
DIGEST_HOURS = timedelta(hours=8)
LEADERBOARD_PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}

log = logging.getLogger(__name__)


async def progress_of(scope: TenantScope, person: Person, program_id: int | None = None) -> Progress:
    meetings = await scope.groups.meetings_of(person.id, program_id)
    met = [m for m in meetings if m.outcome is Outcome.MET]
    colleagues = {
        o.person_id if o.person_id is not None else f"anon:{m.group_id}" for m in met for o in m.others
    }
    divisions = {o.division for m in met for o in m.others if o.division and o.division != person.division}
    return Progress(meetups=len(met), colleagues=len(colleagues), divisions=len(divisions))


async def celebrate(scope: TenantScope, program: Program, people: list[Person], now: datetime) -> int:
    """Record milestones reached for the first time; the daily digest posts them. Returns how many."""
    reached = 0
    for person in people:
        for milestone in personal_milestones(await progress_of(scope, person, program.id)):
            if await scope.achievements.claim(program.id, f"person:{person.id}", milestone.key, now):
                await scope.shoutouts.add(
                    program.id, None, [person], milestone.key, (), now, milestone=milestone.key
                )
                reached += 1
    for milestone in program_milestones(await scope.groups.confirmed_in_program(program.id)):
        reached += await scope.achievements.claim(program.id, "program", milestone.key, now)
    return reached


async def post_milestone_digest(scope: TenantScope, program: Program, now: datetime) -> bool:
    """At most one milestone post a day per program, in the working hours after its round time
    (nobody is pinged at night): celebration, not a flood. The outbox key is per local day, so
    the claim and the post are one step."""
    local = now.astimezone(ZoneInfo(program.config.timezone))
    opens = datetime.combine(local.date(), program.config.local_time, tzinfo=local.tzinfo)
    if not opens <= local < opens + DIGEST_HOURS:
        return False
    pending = await scope.achievements.unannounced(program.id)
    if not pending:
        return False
    t = texts(program.config.lang)
    by_key: dict[str, list[str]] = {}
    for _, owner, key in pending:
        by_key.setdefault(key, []).append(owner)
    owners = {int(o.split(":")[1]) for _, o, _ in pending if o.startswith("person:")}
    users = {p.id: p.user_id for p in await scope.people.by_ids(owners)}
    lines: list[str] = []
    recipients: list[str] = []
    for key, keyed in by_key.items():
        if key.startswith("program_"):
            lines.append(t("milestone.program_meetups", count=int(key.rsplit("_", 1)[1])))
            continue
        present = [users[int(o.split(":")[1])] for o in keyed if int(o.split(":")[1]) in users]
        if present:
            recipients += present
            mentions = ", ".join(f"<@{u}>" for u in present)
            lines.append(t(f"milestone.{key}", users=mentions, **_milestone_params(key)))
    queued = False
    if lines:
        queued = await scope.outbox.add(
            f"milestones:{program.id}:{local.date().isoformat()}",
            ToChannel(program.shoutout_channel),
            ShoutOut(t("milestone.title"), "\n".join(lines), tuple(dict.fromkeys(recipients)), None),
            now,
        )
        if not queued:
            return False  # today's digest went out already; these wait for tomorrow's
    await scope.achievements.mark_announced([a for a, _, _ in pending], now)
    return queued


def _milestone_params(key: str) -> dict[str, int]:
    if key == "bridge_builder":
        return {"colleagues": 10, "divisions": 5}
    tail = key.rsplit("_", 1)[-1]
    return {"count": int(tail)} if tail.isdigit() else {}


async def due_digests(deps: Deps) -> int:
    posted = 0
    async with deps.store.unit() as uow:
        tenant_ids = await uow.tenants.active_ids()
    for tenant_id in tenant_ids:
        try:  # one workspace's trouble never holds back another's celebrations
            async with deps.store.unit() as uow:
                scope = uow.scoped(tenant_id)
                for program in await scope.programs.all():
                    posted += await post_milestone_digest(scope, program, deps.now())
                await uow.commit()
        except Exception:
            log.exception("milestone digest of workspace %s failed", tenant_id)
    return posted


async def record_outcome(ctx: CommandContext, group_id: int, outcome_raw: str) -> Reply:
    scope, t_now = ctx.scope, ctx.now
    try:
        outcome = Outcome(outcome_raw)
    except ValueError:
        raise Refusal("error.unknown_button") from None
    group = await scope.groups.get(group_id)
    if group is None or outcome is Outcome.PENDING:
        raise Refusal("error.unknown_button")
    if ctx.actor.user_id not in group.user_ids:
        raise Refusal("error.not_your_group")
    program_id = await scope.groups.program_of(group_id)
    program = await scope.programs.get(program_id) if program_id is not None else None
    assert program is not None
    ctx.program = program
    t = ctx.t
    who = f"<@{ctx.actor.user_id}>"
    update = t(f"outcome.update_{outcome.value}", user=who)
    if not await scope.groups.set_outcome(group_id, outcome, ctx.actor.user_id, t_now):
        return Reply(t("outcome.already", outcome=t(f"outcome.name_{outcome.value}")), update=update)
    for gm in group.members:
        if gm.person_id is not None and (m := await scope.memberships.get(program.id, gm.person_id)):
            await scope.memberships.set_silent_rounds(m.id, 0)
    if outcome is Outcome.MET:
        people = [p for p in (await scope.people.by_users(group.user_ids)).values()]
        await celebrate(scope, program, people, t_now)
    return Reply(t(f"outcome.thanks_{outcome.value}"), update=update)


async def answer_still_in(ctx: CommandContext, program_id: int, choice: StillInChoice) -> Reply:
    scope = ctx.scope
    program = await scope.programs.get(program_id)
    if program is None:
        raise Refusal("error.unknown_button")
    ctx.program = program
    person = await scope.people.by_user(ctx.actor.user_id)
    membership = await scope.memberships.get(program.id, person.id) if person else None
    if membership is None:
        raise Refusal("error.not_member")
    if choice is StillInChoice.KEEP:
        await scope.memberships.set_status(membership.id, MemberStatus.ACTIVE)
        return Reply(ctx.t("still_in.kept"), update=ctx.t("still_in.kept"))
    if choice is StillInChoice.LATER:
        until = ctx.now.date() + timedelta(weeks=PAUSE_LATER_WEEKS)
        await scope.memberships.set_status(membership.id, MemberStatus.PAUSED, paused_until=until)
        text = ctx.t("still_in.later", date=until.isoformat())
        return Reply(text, update=text)
    await scope.memberships.set_status(membership.id, MemberStatus.LEFT, left_at=ctx.now)
    return Reply(ctx.t("still_in.out"), update=ctx.t("still_in.out"))


async def give_shoutout(deps: Deps, ctx: CommandContext, recipients: tuple[str, ...], raw_text: str) -> Reply:
    program = ctx.require_program()
    text, tags = validation.shoutout_text(raw_text)
    wanted = tuple(dict.fromkeys(r for r in recipients if r))
    if not wanted:
        raise Refusal("error.shoutout_nobody")
    if ctx.actor.user_id in wanted:
        raise Refusal("error.shoutout_self")
    giver = await ctx.person()
    given = await ctx.scope.shoutouts.given_since(giver.id, ctx.now - ALLOWANCE_WINDOW)
    if given >= deps.shoutout_allowance:
        raise Refusal("error.shoutout_allowance", count=deps.shoutout_allowance)
    people = [await ctx.scope.people.ensure(user, ctx.now) for user in wanted]
    shoutout_id = await ctx.scope.shoutouts.add(program.id, giver, people, text, tags, ctx.now)
    t = ctx.t
    names = ", ".join(f"<@{u}>" for u in wanted)
    await ctx.scope.outbox.add(
        f"shoutout:{shoutout_id}",
        ToChannel(program.shoutout_channel),
        ShoutOut(
            t("shoutout.title", giver=f"<@{giver.user_id}>", names=names), text, wanted, giver.user_id, tags
        ),
        ctx.now,
    )
    return Reply(t("shoutout.sent", names=names, left=deps.shoutout_allowance - given - 1))


async def leaderboard(ctx: CommandContext, period: str, by_division: bool) -> Reply:
    program = ctx.require_program()
    t = ctx.t
    if period not in LEADERBOARD_PERIODS:
        raise Refusal("error.leaderboard_period")
    window = LEADERBOARD_PERIODS[period]
    since = None if window is None else ctx.now - window
    facts = await ctx.scope.reports.leaderboard_facts(program.id, since)
    board = standings(facts, by_division=by_division, no_division=t("stats.no_division"))
    if board is None:
        return Reply(t("leaderboard.empty"))
    lines = [t("leaderboard.title", period=t(f"leaderboard.period_{period}"))]
    for rank, standing in enumerate(board, start=1):
        lines.append(
            t(
                "leaderboard.line",
                rank=rank,
                who=standing.who if by_division else f"<@{standing.who}>",
                points=standing.points,
                received=standing.received,
                given=standing.given,
            )
        )
    return Reply("\n".join(lines))
