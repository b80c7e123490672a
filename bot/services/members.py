"""What a member does for themself: join, pause, profile, status, export and erase."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain import schedule, validation
from bot.domain.model import Membership, MemberStatus, TenantRef
from bot.messages import Attachment, Reply
from bot.services.base import CommandContext, Deps, Refusal
from bot.services.recognition import progress_of


async def _membership(ctx: CommandContext) -> Membership:
    program = ctx.require_program()
    person = await ctx.scope.people.by_user(ctx.actor.user_id)
    membership = await ctx.scope.memberships.get(program.id, person.id) if person else None
    if membership is None or membership.status is MemberStatus.LEFT:
        raise Refusal("error.not_member")
    return membership


async def known_divisions(deps: Deps, tenant: TenantRef, channel_id: str | None = None) -> list[str]:
    """The divisions people in a workspace already use (in the program of `channel_id` when given),
    for a division picker to offer: one spelling per name whatever the case, the most used one,
    in alphabetical order. Reading never creates the workspace."""
    async with deps.store.unit() as uow:
        tenant_id = await uow.tenants.find(tenant)
        if tenant_id is None:
            return []
        scope = uow.scoped(tenant_id)
        program_id = None
        if channel_id is not None:
            program = await scope.programs.by_channel(channel_id)
            if program is None:
                return []
            program_id = program.id
        used = await scope.people.divisions(program_id)
    spelling: dict[str, str] = {}
    for name in used:  # the most used first, so it wins over a stray "finance" beside "Finance"
        spelling.setdefault(name.casefold(), name)
    return sorted(spelling.values(), key=lambda name: (name.casefold(), name))


async def join(ctx: CommandContext, division: str | None) -> Reply:
    program = ctx.require_program()
    clean = validation.division(division) if division else None
    person = await ctx.person()
    if clean is not None:
        await ctx.scope.people.update_profile(person.id, division=clean)
    newly = await ctx.scope.memberships.join(program.id, person.id, ctx.now)
    t = ctx.t
    upcoming = schedule.next_after(program.config, ctx.now)
    text = t(
        "join.welcome" if newly else "join.already",
        channel=f"<#{program.channel_id}>",
        when=t.when(upcoming.due, person.timezone or program.config.timezone),
    )
    if (clean or person.division) is None:
        text += "\n" + t("join.ask_division")
    return Reply(text)


async def leave(ctx: CommandContext) -> Reply:
    membership = await _membership(ctx)
    await ctx.scope.memberships.set_status(membership.id, MemberStatus.LEFT, left_at=ctx.now)
    return Reply(ctx.t("leave.done"))


async def pause(ctx: CommandContext, weeks_raw: str | int | None) -> Reply:
    weeks = validation.pause_weeks(weeks_raw)
    membership = await _membership(ctx)
    until = None if weeks is None else ctx.now.date() + timedelta(weeks=weeks)
    await ctx.scope.memberships.set_status(membership.id, MemberStatus.PAUSED, paused_until=until)
    if until is None:
        return Reply(ctx.t("pause.indefinite"))
    return Reply(ctx.t("pause.until", date=until.isoformat(), weeks=weeks))


async def resume(ctx: CommandContext) -> Reply:
    membership = await _membership(ctx)
    await ctx.scope.memberships.set_status(membership.id, MemberStatus.ACTIVE)
    return Reply(ctx.t("resume.done"))


async def set_division(ctx: CommandContext, raw: str) -> Reply:
    clean = validation.division(raw)
    person = await ctx.person()
    await ctx.scope.people.update_profile(person.id, division=clean)
    return Reply(ctx.t("profile.division", division=clean))


async def set_timezone(ctx: CommandContext, raw: str) -> Reply:
    zone = validation.timezone(raw)
    person = await ctx.person()
    await ctx.scope.people.update_profile(person.id, timezone=zone)
    return Reply(ctx.t("profile.timezone", zone=zone))


async def set_interests(ctx: CommandContext, raw: str) -> Reply:
    words = validation.interests(raw)
    person = await ctx.person()
    await ctx.scope.people.update_profile(person.id, interests=words)
    if not words:
        return Reply(ctx.t("profile.interests_cleared"))
    return Reply(ctx.t("profile.interests", interests=", ".join(words)))


async def update_profile(
    ctx: CommandContext, division: str | None, zone: str | None, interests: str | None
) -> Reply:
    # Validate every field before writing any, so a bad field changes nothing.
    clean_division = validation.division(division) if division else None
    clean_zone = validation.timezone(zone) if zone else None
    clean_interests = validation.interests(interests) if interests is not None else None
    person = await ctx.person()
    await ctx.scope.people.update_profile(
        person.id, division=clean_division, timezone=clean_zone, interests=clean_interests
    )
    return Reply(ctx.t("profile.saved"))


async def status(ctx: CommandContext) -> Reply:
    t = ctx.t
    person = await ctx.scope.people.by_user(ctx.actor.user_id)
    program = ctx.program
    membership = await ctx.scope.memberships.get(program.id, person.id) if program and person else None
    if program is None or person is None or membership is None:
        return Reply(t("status.not_member"))
    lines = [t(f"status.state_{membership.status.value}", date=str(membership.paused_until or ""))]
    if membership.status is MemberStatus.PAUSED and membership.paused_until:
        lines[0] = t("status.state_paused_until", date=membership.paused_until.isoformat())
    upcoming = schedule.next_after(program.config, ctx.now)
    lines.append(
        t("status.next_round", when=t.when(upcoming.due, person.timezone or program.config.timezone))
    )
    meetings = await ctx.scope.groups.meetings_of(person.id, program.id)
    latest = await ctx.scope.rounds.of_program(program.id, limit=1)
    current = next((m for m in meetings if latest and m.round_id == latest[0].id), None)
    if current is not None:
        partners = ", ".join(f"<@{o.user_id}>" for o in current.others if o.user_id) or t("status.anonymous")
        lines.append(
            t("status.current", partners=partners, outcome=t(f"outcome.name_{current.outcome.value}"))
        )
    progress = await progress_of(ctx.scope, person, program.id)
    lines.append(
        t(
            "status.progress",
            people=progress.colleagues,
            divisions=progress.divisions,
            meetups=progress.meetups,
        )
    )
    lines.append(
        t(
            "status.profile",
            division=person.division or t("intro.no_division"),
            zone=person.timezone or program.config.timezone,
            interests=", ".join(person.interests) or "–",
        )
    )
    return Reply("\n".join(lines))


async def export(ctx: CommandContext) -> Reply:
    person = await ctx.scope.people.by_user(ctx.actor.user_id)
    if person is None:
        return Reply(ctx.t("export.nothing"))
    memberships = await ctx.scope.memberships.of_person(person.id)
    programs = {p.id: p for p in await ctx.scope.programs.all()}
    meetings = await ctx.scope.groups.meetings_of(person.id)
    shoutouts = await ctx.scope.shoutouts.listing(list(programs))
    document = {
        "user_id": person.user_id,
        "division": person.division,
        "timezone": person.timezone,
        "interests": list(person.interests),
        "memberships": [
            {
                "channel": programs[m.program_id].channel_id,
                "status": m.status.value,
                "paused_until": m.paused_until.isoformat() if m.paused_until else None,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in memberships
        ],
        "meetings": [
            {
                "date": m.day.date().isoformat(),
                "with": [o.user_id for o in m.others],
                "outcome": m.outcome.value,
            }
            for m in meetings
        ],
        "shoutouts_given": [
            {"to": [u for u, _ in s.recipients], "text": s.text, "at": s.created_at.isoformat()}
            for s in shoutouts
            if s.giver_user == person.user_id
        ],
        "shoutouts_received": [
            {"from": s.giver_user, "text": s.text, "at": s.created_at.isoformat(), "milestone": s.milestone}
            for s in shoutouts
            if any(u == person.user_id for u, _ in s.recipients)
        ],
    }
    content = json.dumps(document, indent=2, ensure_ascii=False).encode()
    attachment = Attachment("jembatan-my-data.json", content, ctx.t("export.title"), "application/json")
    return Reply(ctx.t("export.ready"), attachments=(attachment,))


async def forget(ctx: CommandContext, confirmed: bool) -> Reply:
    if not confirmed:
        return Reply(ctx.t("forget.confirm"))
    person = await ctx.scope.people.by_user(ctx.actor.user_id)
    if person is not None:
        await ctx.scope.people.erase(person.id)
    else:  # an admin who never joined can still be named in messages (a notice about a channel)
        await ctx.scope.people.forget_in_outbox(ctx.actor.user_id)
    await ctx.scope.programs.forget_setter(ctx.actor.user_id)
    await ctx.scope.audit.forget(ctx.actor.user_id)
    return Reply(ctx.t("forget.done"))
