"""What admins do: set up a program, run or preview a round, block pairs, read the stats."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.chart import chart_title, stats_chart
from bot.commands import SetupProgram
from bot.domain import schedule, validation
from bot.domain.model import Program, ProgramConfig
from bot.domain.stats import Stats, compute
from bot.i18n import Texts
from bot.messages import Attachment, Reply, StatsReport
from bot.services import rounds
from bot.services.base import CommandContext, Deps, Refusal


def _apply(config: ProgramConfig, command: SetupProgram) -> ProgramConfig:
    # Parse every field first: one bad field rejects the whole command and changes nothing.
    changes: dict[str, object] = {}
    if command.cadence:
        changes["cadence"] = validation.cadence(command.cadence)
    if command.weekday:
        changes["weekday"] = validation.weekday(command.weekday)
    if command.time:
        changes["local_time"] = validation.local_time(command.time)
    if command.timezone:
        changes["timezone"] = validation.timezone(command.timezone)
    if command.group_size is not None:
        changes["group_size"] = validation.group_size(command.group_size)
    if command.lang:
        changes["lang"] = validation.lang(command.lang)
    if command.cross_division:
        changes["cross_division"] = validation.cross_division(command.cross_division)
    if command.shoutout_channel is not None:
        changes["shoutout_channel"] = command.shoutout_channel or None
    return replace(config, **changes)  # type: ignore[arg-type]


def _slots(config: ProgramConfig) -> tuple[object, ...]:
    """What decides when rounds fall: changing any of it starts the schedule afresh."""
    return (config.cadence, config.weekday, config.local_time, config.timezone, config.anchor)


async def setup(deps: Deps, ctx: CommandContext, command: SetupProgram) -> Reply:
    channel = ctx.actor.channel_id
    if not channel:
        raise Refusal("error.setup_in_channel")
    existing = await ctx.scope.programs.by_channel(channel)
    if existing is None:
        base = ProgramConfig(lang=deps.default_lang, anchor=ctx.now.date())
        config = _apply(base, command)
        program = await ctx.scope.programs.create(channel, config, ctx.now, ctx.actor.user_id)
        key = "setup.created"
    else:
        config = _apply(existing.config, command)
        moved = ctx.now if _slots(config) != _slots(existing.config) else None
        await ctx.scope.programs.update_config(existing.id, config, ctx.actor.user_id, moved)
        program = replace(
            existing,
            config=config,
            set_up_by=ctx.actor.user_id,
            schedule_changed_at=moved or existing.schedule_changed_at,
        )
        key = "setup.updated"
    ctx.program = program
    t = ctx.t
    upcoming = schedule.next_after(config, ctx.now)
    return Reply(
        t(
            key,
            channel=f"<#{channel}>",
            cadence=t(f"cadence.{config.cadence.value}"),
            weekday=t.pick("weekdays", config.weekday),
            time=config.local_time.strftime("%H:%M"),
            zone=config.timezone,
            size=config.group_size,
            mode=t(f"mode.{config.cross_division.value}"),
            next=upcoming.due.astimezone(ZoneInfo(config.timezone)).strftime("%Y-%m-%d %H:%M"),
        )
    )


async def run_now(deps: Deps, tenant_id: int, program: Program, t: Texts) -> Reply:
    """Bring the next scheduled round forward, so the schedule does not run a second one."""
    upcoming = schedule.next_after(program.config, deps.now())
    async with deps.store.unit() as uow:
        claimed = await uow.scoped(tenant_id).rounds.periods(program.id)
    summary = None
    if upcoming.period not in claimed:
        summary = await rounds.start_round(deps, tenant_id, program.id, upcoming.period, deps.now())
    if summary is None:
        raise Refusal("error.round_already", period=upcoming.period)
    return Reply(t("round.started", groups=summary.groups, unpaired=summary.unpaired, seed=summary.seed))


async def preview(deps: Deps, ctx: CommandContext) -> Reply:
    program = ctx.require_program()
    result = await rounds.preview(deps, ctx.scope, program, ctx.now)
    t = ctx.t
    lines = [
        t(
            "preview.title",
            groups=len(result.groups),
            cross=result.metrics.cross_division_pairs,
            pairs=result.metrics.pairs,
            ceiling=result.metrics.ceiling,
        )
    ]
    lines += [" × ".join(f"<@{u}>" for u in g.members) for g in result.groups]
    lines += [
        t("preview.unpaired", user=f"<@{u.member}>", reason=t(f"unpaired.{u.reason.value}"))
        for u in result.unpaired
    ]
    return Reply("\n".join(lines))


async def block(ctx: CommandContext, first: str, second: str) -> Reply:
    if not first or not second or first == second:
        raise Refusal("error.block_two_people")
    a = await ctx.scope.people.ensure(first, ctx.now)
    b = await ctx.scope.people.ensure(second, ctx.now)
    added = await ctx.scope.blocks.add(a.id, b.id, ctx.now)
    return Reply(ctx.t("block.done" if added else "block.already", a=f"<@{first}>", b=f"<@{second}>"))


async def grant_admin(ctx: CommandContext, user_id: str, revoke: bool) -> Reply:
    if revoke:
        await ctx.scope.admins.remove(user_id)
        return Reply(ctx.t("admin.revoked", user=f"<@{user_id}>"))
    await ctx.scope.admins.add(user_id, ctx.now)
    return Reply(ctx.t("admin.granted", user=f"<@{user_id}>"))


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def stats_rows(stats: Stats, t: Texts) -> tuple[tuple[str, str], ...]:
    unmatched = ", ".join(f"{t('unpaired.' + k)}: {v}" for k, v in sorted(stats.unmatched.items())) or "0"
    top_matrix = sorted(stats.matrix.items(), key=lambda kv: -kv[1])[:5]
    return (
        (
            t("stats.participants"),
            t("stats.participants_value", active=stats.active, paused=stats.paused, left=stats.left),
        ),
        (t("stats.rounds"), str(stats.rounds)),
        (t("stats.groups"), str(stats.groups)),
        (t("stats.meetup_rate"), _percent(stats.meetup_rate)),
        (t("stats.trend"), " → ".join(_percent(r.meetup_rate) for r in stats.trend[-6:]) or "–"),
        (t("stats.cross_share"), _percent(stats.cross_division_share)),
        (
            t("stats.division_pairs"),
            t("stats.division_pairs_value", met=stats.division_pairs_met, pairs=stats.division_pairs)
            if stats.division_pairs
            else "–",
        ),
        (t("stats.connections"), str(stats.connections)),
        (t("stats.median_met"), f"{stats.median_colleagues_met:g}"),
        (
            t("stats.shoutouts"),
            t(
                "stats.shoutouts_value",
                given=stats.shoutouts_given,
                cross=stats.shoutouts_cross_division,
                received=stats.shoutouts_received,
                people=stats.people_recognised,
                milestones=stats.milestones,
            ),
        ),
        (t("stats.unmatched"), unmatched),
        (t("stats.repeat_rate"), _percent(stats.repeat_rate)),
        (t("stats.matrix"), "; ".join(f"{a} × {b}: {n}" for (a, b), n in top_matrix) or "–"),
    )


async def show_stats(ctx: CommandContext, workspace: bool) -> Reply:
    program = None if workspace else ctx.require_program()
    program_ids = [p.id for p in await ctx.scope.programs.all()] if program is None else [program.id]
    if not program_ids:
        raise Refusal("error.no_program_here")
    stats = compute(await ctx.scope.reports.stats_facts(program_ids))
    t = ctx.t
    rows = stats_rows(stats, t)
    title = (
        t("stats.title_workspace")
        if program is None
        else t("stats.title", channel=f"<#{program.channel_id}>")
    )
    text = "\n".join([f"*{title}*"] + [f"{label}: {value}" for label, value in rows])
    subject = t("chart.workspace") if program is None else f"#{program.channel_id}"
    chart = Attachment("jembatan-stats.png", stats_chart(stats, t, subject), chart_title(stats, t, subject))
    return Reply(text, message=StatsReport(title, text, rows), attachments=(chart,))


def _cell(value: object) -> object:
    # Spreadsheets run a cell that starts with = + - @ as a formula; people's words never should.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue().encode()


async def export_csv(ctx: CommandContext) -> Reply:
    program_ids = [p.id for p in await ctx.scope.programs.all()]
    tables = await ctx.scope.reports.export_rows(program_ids)
    files = tuple(
        Attachment(f"jembatan-{name}.csv", _csv(rows), name, "text/csv") for name, rows in tables.items()
    )
    return Reply(ctx.t("export.csv_ready", files=len(files)), attachments=files)
