"""Rounds: claim one per program and period, pair people, and queue every message it causes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot import actions, metrics
from bot.domain import nudges, schedule
from bot.domain.hours import shared_window, utc_offset_minutes
from bot.domain.model import Membership, MemberStatus, Outcome, Program, StillInChoice, TenantRef
from bot.domain.pairing import (
    Member,
    PairingRequest,
    PairingResult,
    PastGroup,
    PastRound,
    ProposedGroup,
    Reason,
    UnpairedReason,
    make_groups,
)
from bot.i18n import Texts, texts
from bot.log_context import about
from bot.messages import (
    Button,
    CheckIn,
    Destination,
    Intro,
    Message,
    Notice,
    PersonLine,
    RoundAnnouncement,
    Style,
    ToChannel,
    ToGroup,
    ToUser,
)
from bot.services.base import Deps
from bot.services.ports import TenantScope

log = logging.getLogger(__name__)

SILENT_ROUNDS_LIMIT = 3  # then we ask instead of pairing a ghost again
_SIT_OUT_NOTICE = {  # why someone sits out -> the DM that tells them (same tone for every reason)
    UnpairedReason.ALONE: "notice.unpaired_alone",
    UnpairedReason.BLOCKED: "notice.unpaired_blocked",
    UnpairedReason.SAME_DIVISION_ONLY: "notice.unpaired_same_division",
}
# A round's channel post lists this many groups, then says how many more: every group hears in
# its own intro, and a post listing all of a big round's is refused (Slack: msg_blocks_too_long
# near 13,000 characters; a Discord embed holds 4,096). 30 groups of 4 with Discord's 19-digit
# ids take ~3,000 characters.
ANNOUNCED_GROUPS_MAX = 30


@dataclass(frozen=True, slots=True)
class RoundSummary:
    round_id: int
    program_id: int
    period: str
    seed: int
    groups: int
    unpaired: int
    cross_division_pairs: int
    pairs: int


def round_seed(program_id: int, period: str) -> int:
    """Stable per program and period, logged with the round, so any round can be replayed."""
    digest = hashlib.sha256(f"{program_id}:{period}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def meetup_buttons(t: Texts, group_id: int) -> tuple[Button, ...]:
    def button(outcome: Outcome, style: Style) -> Button:
        return Button(
            actions.encode(actions.MeetupAction(group_id, outcome)), t(f"button.{outcome.value}"), style
        )

    return (
        button(Outcome.MET, Style.PRIMARY),
        button(Outcome.NOT_YET, Style.DEFAULT),
        button(Outcome.SKIPPED, Style.DEFAULT),
    )


def still_in_buttons(t: Texts, program_id: int) -> tuple[Button, ...]:
    return tuple(
        Button(
            actions.encode(actions.StillInAction(program_id, choice)),
            t(f"button.still_in_{choice.value}"),
            style,
        )
        for choice, style in (
            (StillInChoice.KEEP, Style.PRIMARY),
            (StillInChoice.LATER, Style.DEFAULT),
            (StillInChoice.OUT, Style.DANGER),
        )
    )


async def pairing_request(
    scope: TenantScope, program: Program, members: list[Membership], seed: int, day: date, history_rounds: int
) -> PairingRequest:
    default_zone = program.config.timezone
    engine_members = [
        Member(
            id=m.person.user_id,
            division=m.person.division,
            utc_offset_minutes=utc_offset_minutes(m.person.timezone or default_zone, day),
            interests=frozenset(m.person.interests),
        )
        for m in members
    ]
    history = [
        PastRound(
            date=when,
            groups=tuple(
                PastGroup(
                    members=g.user_ids,
                    met=None if g.outcome is Outcome.PENDING else g.outcome is Outcome.MET,
                )
                for g in groups
                if len(g.user_ids) >= 2
            ),
        )
        for when, groups in await scope.groups.history(program.id, history_rounds)
    ]
    return PairingRequest(
        members=engine_members,
        history=history,
        blocked=await scope.blocks.user_pairs(),
        group_size=program.config.group_size,
        cross_division=program.config.cross_division,
        seed=seed,
    )


async def preview(deps: Deps, scope: TenantScope, program: Program, now: datetime) -> PairingResult:
    upcoming = schedule.next_after(program.config, now)
    members = await scope.memberships.of_program(program.id, MemberStatus.ACTIVE)
    request = await pairing_request(
        scope,
        program,
        members,
        round_seed(program.id, upcoming.period),
        upcoming.due.date(),
        deps.history_rounds,
    )
    return make_groups(request)


async def start_round(
    deps: Deps, tenant_id: int, program_id: int, period: str, scheduled_for: datetime
) -> RoundSummary | None:
    """Run one round if nobody has yet: None when another process (or an earlier tick) claimed it."""
    now = deps.now()
    async with deps.store.unit() as uow:
        tenant = await uow.tenants.ref(tenant_id)
        scope = uow.scoped(tenant_id)
        program = await scope.programs.get(program_id)
        if program is None:
            return None
        candidates = await scope.memberships.of_program(program_id, MemberStatus.ACTIVE, MemberStatus.PAUSED)
    # Ask the platform who is still around before taking any lock: it is network I/O.
    present = await deps.directory.still_present(tenant, [m.person.user_id for m in candidates])

    async with deps.store.unit() as uow:
        scope = uow.scoped(tenant_id)
        if not await scope.rounds.lock_program(program_id):
            return None
        seed = round_seed(program_id, period)
        start = max(scheduled_for, now)
        round_id = await scope.rounds.claim(
            program_id, period, scheduled_for, seed, schedule.checkin_time(program.config, start), now
        )
        if round_id is None:
            return None
        t = texts(program.config.lang, tenant.platform.value)  # its words name that platform's commands
        await _drop_departed(scope, candidates, present, now)
        await _end_pauses(scope, program_id, now.date())
        await _close_earlier_rounds(scope, program, round_id, t, now)
        members = await scope.memberships.of_program(program_id, MemberStatus.ACTIVE)
        day = scheduled_for.date()
        request = await pairing_request(scope, program, members, seed, day, deps.history_rounds)
        result = make_groups(request)
        await _record(scope, program, round_id, members, result, t, now, day)
        await _queue_nudges(scope, program, members, t, now)
        await uow.commit()
    metrics.ROUNDS.inc()
    metrics.GROUPS.inc(len(result.groups))
    with about(tenant=tenant_id, program=program_id, round=round_id):
        log.info(
            "round %s for program %s period %s seed %s: %d groups, %d unpaired",
            round_id,
            program_id,
            period,
            seed,
            len(result.groups),
            len(result.unpaired),
        )
    return RoundSummary(
        round_id,
        program_id,
        period,
        seed,
        len(result.groups),
        len(result.unpaired),
        result.metrics.cross_division_pairs,
        result.metrics.pairs,
    )


async def _drop_departed(
    scope: TenantScope, candidates: list[Membership], present: set[str], now: datetime
) -> None:
    for m in candidates:
        if m.person.user_id not in present:
            await scope.memberships.set_status(m.id, MemberStatus.LEFT, left_at=now)


async def _end_pauses(scope: TenantScope, program_id: int, today: date) -> None:
    for m in await scope.memberships.of_program(program_id, MemberStatus.PAUSED):
        if m.paused_until is not None and m.paused_until <= today:
            await scope.memberships.set_status(m.id, MemberStatus.ACTIVE)


async def _close_earlier_rounds(
    scope: TenantScope, program: Program, round_id: int, t: Texts, now: datetime
) -> None:
    """Count silent rounds; after three in a row, pause and ask rather than pair a ghost again."""
    earlier_rounds = await scope.rounds.open_before(program.id, round_id)
    if not earlier_rounds:
        return
    by_person = {m.person.id: m for m in await scope.memberships.of_program(program.id)}
    for earlier in sorted(earlier_rounds, key=lambda r: r.scheduled_for):
        for group in await scope.groups.of_round(earlier.id):
            heard = group.outcome is not Outcome.PENDING
            for gm in group.members:
                membership = by_person.get(gm.person_id) if gm.person_id is not None else None
                if membership is None:
                    continue
                silent = 0 if heard else membership.silent_rounds + 1
                if silent != membership.silent_rounds:
                    await scope.memberships.set_silent_rounds(membership.id, silent)
                    membership = by_person[membership.person.id] = replace(membership, silent_rounds=silent)
                if silent >= SILENT_ROUNDS_LIMIT and membership.status is MemberStatus.ACTIVE:
                    await scope.memberships.set_status(membership.id, MemberStatus.PAUSED)
                    by_person[membership.person.id] = replace(membership, status=MemberStatus.PAUSED)
                    await scope.outbox.add(
                        f"stillin:{program.id}:{membership.id}:{earlier.id}",
                        ToUser(membership.person.user_id),
                        Notice(t("notice.still_in", rounds=silent), still_in_buttons(t, program.id)),
                        now,
                    )
        await scope.rounds.close(earlier.id, now)


def _reason_lines(t: Texts, group: ProposedGroup) -> tuple[str, ...]:
    order = (Reason.CROSS_DIVISION, Reason.FIRST_MEETING, Reason.HOURS_OVERLAP, Reason.SHARED_INTEREST)
    interests = ", ".join(group.shared_interests)
    return tuple(t(f"reason.{r.value}", interests=interests) for r in order if r in group.reasons)


def _window(t: Texts, zones: list[str], day: date) -> str:
    window = shared_window(zones, day)
    if window is None:
        return t("intro.window_none")
    spans = [
        t("intro.window_zone", start=w.start.strftime("%H:%M"), end=w.end.strftime("%H:%M"), zone=w.zone)
        for w in window
    ]
    return t("intro.window", spans="; ".join(spans))


def round_announcement(t: Texts, groups: Sequence[tuple[str, ...]]) -> RoundAnnouncement:
    """The channel's post about a round: how many groups, the first ones by name, how many more."""
    listed = tuple(groups[:ANNOUNCED_GROUPS_MAX])
    more = len(groups) - len(listed)
    return RoundAnnouncement(
        title=t("round.title"),
        text=t("round.text", groups=len(groups)) if groups else t("round.text_empty"),
        groups=listed,
        group_lines=tuple(" × ".join(f"<@{u}>" for u in g) for g in listed),
        footer=t("round.footer"),
        more=t("round.list.more", groups=more) if more else "",
    )


async def _record(
    scope: TenantScope,
    program: Program,
    round_id: int,
    members: list[Membership],
    result: PairingResult,
    t: Texts,
    now: datetime,
    day: date,
) -> None:
    by_user = {m.person.user_id: m for m in members}
    # The channel hears about the round first, then each group gets its intro.
    announcement = round_announcement(t, [g.members for g in result.groups])
    queued: list[tuple[str, Destination, Message, int | None]] = [
        (f"announce:{round_id}", ToChannel(program.channel_id), announcement, None)
    ]
    for index, group in enumerate(result.groups):
        people = [by_user[u].person for u in group.members]
        group_id = await scope.groups.add(
            round_id,
            [(p.id, p.division) for p in people],
            [r.value for r in sorted(group.reasons)],
            group.shared_interests,
        )
        icebreaker = (
            t("icebreaker.interest", interest=group.shared_interests[0])
            if group.shared_interests
            else t.pick("icebreaker.general", index + round_id)
        )
        zones = [p.timezone or program.config.timezone for p in people]
        intro = Intro(
            group_id=group_id,
            title=t("intro.title", names=" & ".join(f"<@{u}>" for u in group.members)),
            text=t("intro.text"),
            people=tuple(
                PersonLine(
                    p.user_id,
                    t(
                        "intro.person",
                        division=p.division or t("intro.no_division"),
                        zone=p.timezone or program.config.timezone,
                    ),
                )
                for p in people
            ),
            reasons=_reason_lines(t, group),
            icebreaker=icebreaker,
            window=_window(t, zones, day),
            buttons=meetup_buttons(t, group_id),
        )
        to = ToGroup(group_id, group.members, program.channel_id, t("intro.thread_title"))
        queued.append((f"intro:{group_id}", to, intro, group_id))

    for left_out in result.unpaired:
        person = by_user[left_out.member].person
        await scope.groups.add_unpaired(round_id, person.id, left_out.reason.value)
        key = _SIT_OUT_NOTICE[left_out.reason]
        queued.append((f"unpaired:{round_id}:{person.id}", ToUser(person.user_id), Notice(t(key)), None))
    await scope.outbox.add_many(queued, now)


async def _queue_nudges(
    scope: TenantScope, program: Program, members: list[Membership], t: Texts, now: datetime
) -> None:
    due = nudges.due(members, now)
    if not due:
        return  # spares reading the program's whole history
    for nudge in nudges.choose(due, await scope.groups.of_program_with_days(program.id), now):
        membership = nudge.membership
        if await scope.memberships.claim_nudge(membership.id, now, now - nudges.NUDGE_EVERY):
            await scope.outbox.add(
                f"nudge:{membership.id}:{now.date().isoformat()}",
                ToUser(membership.person.user_id),
                Notice(t("notice.nudge", user=f"<@{nudge.friend_user_id}>")),
                now,
            )


async def due_rounds(deps: Deps) -> list[RoundSummary]:
    """Start every round that is due now (or was missed within the catch-up window)."""
    now = deps.now()
    todo: list[tuple[int, Program, schedule.Occurrence]] = []
    async with deps.store.unit() as uow:
        for tenant_id in await uow.tenants.active_ids():
            scope = uow.scoped(tenant_id)
            for program in await scope.programs.all():
                since = program.schedule_since
                claimed = await scope.rounds.periods(program.id)
                claimed_since = await scope.rounds.periods(program.id, claimed_after=since)
                occurrence = schedule.due_round(
                    program.config, now, claimed, since=since, claimed_since=claimed_since
                )
                if occurrence is not None:
                    todo.append((tenant_id, program, occurrence))
    started = []
    for tenant_id, program, occurrence in todo:
        # One workspace's trouble (its platform down, a bug on its data) must not hold back
        # everyone else's round; its own is claimed only when it commits, so it is retried.
        try:
            summary = await start_round(deps, tenant_id, program.id, occurrence.period, occurrence.due)
        except Exception:
            log.exception(
                "round %s of program %s (workspace %s) failed", occurrence.period, program.id, tenant_id
            )
            continue
        if summary is not None:
            started.append(summary)
    return started


async def due_checkins(deps: Deps) -> int:
    """Half-way through a round, ask each group that has not said how it went."""
    sent = 0
    async with deps.store.unit() as uow:
        tenant_ids = await uow.tenants.active_ids()
    for tenant_id in tenant_ids:
        try:
            sent += await _checkins_of(deps, tenant_id)
        except Exception:
            log.exception("check-ins of workspace %s failed", tenant_id)
    return sent


async def _checkins_of(deps: Deps, tenant_id: int) -> int:
    now = deps.now()
    sent = 0
    async with deps.store.unit() as uow:
        scope = uow.scoped(tenant_id)
        for due in await scope.rounds.checkins_due(now):
            if not await scope.rounds.claim_checkin(due.id, now):
                continue
            program = await scope.programs.get(due.program_id)
            assert program is not None
            t = texts(program.config.lang)
            for group in await scope.groups.of_round(due.id):
                if group.outcome is not Outcome.PENDING or len(group.user_ids) < 2:
                    continue
                names = " & ".join(f"<@{u}>" for u in group.user_ids)
                await scope.outbox.add(
                    f"checkin:{group.id}",
                    ToGroup(group.id, group.user_ids, program.channel_id, t("intro.thread_title")),
                    CheckIn(group.id, t("checkin.text", names=names), meetup_buttons(t, group.id)),
                    now,
                    group_id=group.id,
                )
                sent += 1
        await uow.commit()
    return sent


def tenant_label(tenant: TenantRef) -> str:
    return f"{tenant.platform.value}:{tenant.external_id}"
