"""What the admin dashboard shows, as plain frozen values: a program's overview, its rounds, its
people, its settings and their audit list; and what it does, which is only ever a core command
run through `handle`, exactly as chat runs it. Every read is asked for a tenant and reads only
that tenant's rows."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import TypeVar

from bot import commands as c
from bot.domain import schedule
from bot.domain.model import (
    Cadence,
    Lang,
    MemberStatus,
    Outcome,
    Platform,
    Program,
    ShoutOutRecord,
    TenantRef,
)
from bot.domain.network import histogram
from bot.domain.pairing.ceiling import cross_division_ceiling
from bot.domain.pairing.model import CrossDivisionMode
from bot.domain.stats import ShoutOutFact, StatsFacts, compute
from bot.domain.validation import WEEKDAYS
from bot.i18n import Texts
from bot.messages import Attachment, Reply
from bot.services import rounds as round_service
from bot.services.audit import settings_of
from bot.services.base import Deps
from bot.services.dispatch import handle
from bot.store.audit import AuditEntry as AuditEntry  # re-exported: the settings page lists them
from bot.store.dashboard import RosterRow, RoundCounts, Tally
from bot.store.unit_of_work import Store, TenantScope

T = TypeVar("T")
log = logging.getLogger(__name__)
# Is this person, on this platform workspace, an admin there (the admin commands' rule)?
PlatformAdmin = Callable[[TenantRef, str], Awaitable[bool]]
# A session carries the workspaces its person administered at sign-in; each is asked again when
# its last answer is older than this, so a demoted admin is refused within a minute.
RECHECK = timedelta(seconds=60)
REMEMBERED = 1_000  # answers held before the expired ones are dropped


@dataclass(frozen=True, slots=True)
class ProgramCard:
    tenant_id: int
    program_id: int
    channel_id: str
    lang: Lang
    timezone: str
    members: int  # active and paused


@dataclass(frozen=True, slots=True)
class RoundLine:
    round_id: int
    day: date
    period: str
    groups: int
    met: int
    not_yet: int
    skipped: int
    silent: int  # no answer from anyone in the group
    sat_out: int
    pairs: int
    cross_pairs: int
    ceiling: int
    seats: int  # people placed in a group

    @property
    def meetup_rate(self) -> float:
        return self.met / self.groups if self.groups else 0.0

    @property
    def cross_share(self) -> float:
        return self.cross_pairs / self.pairs if self.pairs else 0.0

    @property
    def ceiling_share(self) -> float:
        return self.ceiling / self.pairs if self.pairs else 0.0


@dataclass(frozen=True, slots=True)
class Participation:
    day: date
    in_round: int  # placed in a group or sat out with a reason
    not_in_round: int  # in the program but not drawn: paused, or joined after the draw
    left: int


@dataclass(frozen=True, slots=True)
class DivisionNode:
    name: str | None
    members: int  # active and paused members now


@dataclass(frozen=True, slots=True)
class DivisionLink:
    first: str | None
    second: str | None
    meetups: int  # met pairs between the two divisions, over every round


@dataclass(frozen=True, slots=True)
class Totals:
    """The figures at a glance, as `/jembatan stats` words them, over every round so far."""

    active: int
    paused: int
    left: int
    rounds: int
    groups: int
    meetup_rate: float
    cross_division_share: float  # pairs across divisions / pairs, as the per-round chart counts
    connections: int  # distinct pairs of people who met
    shoutouts_given: int
    shoutouts_cross_division: int
    shoutouts_received: int
    people_recognised: int
    milestones: int


@dataclass(frozen=True, slots=True)
class Overview:
    program: ProgramCard
    stats: Totals
    rounds: tuple[RoundLine, ...]  # oldest first
    participation: tuple[Participation, ...]  # one per round, oldest first
    cross_colleagues_median: float  # per current member: distinct people met in another division
    cross_colleagues_histogram: tuple[int, ...]  # members with 0, 1, 2, 3, 4, 5+ of them
    nodes: tuple[DivisionNode, ...]  # biggest first
    links: tuple[DivisionLink, ...]  # heaviest first; pairs within one division left out


@dataclass(frozen=True, slots=True)
class Seat:
    user_id: str | None  # None: forgotten on request
    division: str | None


@dataclass(frozen=True, slots=True)
class GroupView:
    members: tuple[Seat, ...]
    outcome: Outcome
    reasons: tuple[str, ...]  # catalogue keys under `reason.`
    shared_interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoundDetail:
    program: ProgramCard
    line: RoundLine
    groups: tuple[GroupView, ...]
    sat_out: tuple[tuple[str | None, str], ...]  # (user id, reason key under `unpaired.`)


@dataclass(frozen=True, slots=True)
class PersonLine:
    user_id: str
    division: str | None
    timezone: str | None
    status: MemberStatus
    paused_until: date | None
    rounds: int
    meetups: int


@dataclass(frozen=True, slots=True)
class PeoplePage:
    program: ProgramCard
    people: tuple[PersonLine, ...]  # in the program first, then paused, then those who left


# What an admin can download, as chat attaches it: the CSV tables of `export`, the chart of `stats`.
CSV_FILES = ("jembatan-rounds.csv", "jembatan-groups.csv", "jembatan-shoutouts.csv")
CHART_FILE = "jembatan-stats.png"


@dataclass(frozen=True, slots=True)
class SettingsPage:
    program: ProgramCard
    settings: dict[str, str]  # as `bot.services.audit.settings_of` words them
    audit: tuple[AuditEntry, ...]  # newest first


@dataclass(frozen=True, slots=True)
class PreviewGroup:
    members: tuple[Seat, ...]
    reasons: tuple[str, ...]  # catalogue keys under `reason.`
    shared_interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Preview:
    """Who would meet if the next round were drawn now (nothing is stored or sent)."""

    day: date
    groups: tuple[PreviewGroup, ...]
    sat_out: tuple[tuple[str, str], ...]  # (user id, reason key under `unpaired.`)
    pairs: int
    cross_pairs: int
    ceiling: int


class _NobodyAsked:
    """The directory a dashboard without a platform uses (the demo): every name is its id, and
    nobody has left. Only a round asks, and the dashboard never runs one."""

    async def display_name(self, tenant: TenantRef, user_id: str) -> str:
        return user_id

    async def still_present(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]:
        return set(user_ids)


def _card(program: Program, members: int) -> ProgramCard:
    return ProgramCard(
        program.tenant_id,
        program.id,
        program.channel_id,
        program.config.lang,
        program.config.timezone,
        members,
    )


def _line(counts: RoundCounts) -> RoundLine:
    """A round's line from the counts the database added up. The ceiling needs only how many
    sat in each division and the groups' sizes; nobody without a division shares one."""
    labels: list[int] = []
    for number, (division, n) in enumerate(counts.seats.items()):
        if division is None:
            labels.extend(-len(labels) - 1 - i for i in range(n))
        else:
            labels.extend([number] * n)
    sizes = [size for size, n in sorted(counts.sizes.items()) for _ in range(n)]
    ceiling = cross_division_ceiling(labels, sizes) if labels else 0
    outcomes = counts.outcomes
    return RoundLine(
        counts.round_id,
        counts.scheduled_for.date(),
        counts.period,
        sum(outcomes.values()),
        outcomes[Outcome.MET],
        outcomes[Outcome.NOT_YET],
        outcomes[Outcome.SKIPPED],
        outcomes[Outcome.PENDING],
        counts.sat_out,
        counts.pairs,
        counts.cross_pairs,
        max(ceiling, counts.cross_pairs),
        sum(counts.seats.values()),
    )


class Dashboard:
    """The dashboard's reads. Each method opens one unit of work and scopes it to `tenant_id`;
    a program that is not that tenant's is simply not found (None)."""

    def __init__(
        self, store: Store, deps: Deps | None = None, platform_admin: PlatformAdmin | None = None
    ) -> None:
        self._store = store
        # The process's own dependencies when it has them (its clock, its directory), so a
        # command from here acts as one from chat would.
        self._deps = deps or Deps(store, _NobodyAsked())
        # None: no platform to ask again (the demo, whose one-time link is the only right, and
        # whose sessions end with its process); `still_admin` then keeps the sign-in's answer.
        self._platform_admin = platform_admin
        self._checked: dict[tuple[int, str], tuple[datetime, bool]] = {}
        self._forget_at = REMEMBERED

    async def still_admin(self, tenant_id: int, user_id: str) -> bool:
        """Does `user_id` still administer `tenant_id`: one of our listed admins, or an admin of
        the platform workspace? Asked again once the last answer is `RECHECK` old. A platform
        that cannot be asked right now means no (a wrong yes is not safe), and is asked again
        on the next request."""
        if self._platform_admin is None:
            return True
        now, key = self._deps.now(), (tenant_id, user_id)
        known = self._checked.get(key)
        if known is not None and now < known[0]:
            return known[1]
        async with self._store.unit() as uow:
            tenant = await uow.tenants.ref_if_any(tenant_id)
            if tenant is None:  # erased since the sign-in (the app was removed): nothing to see
                return False
            allowed = await uow.scoped(tenant_id).admins.is_listed(user_id)
        if not allowed:
            try:
                allowed = await self._platform_admin(tenant, user_id)
            except Exception:
                log.warning("could not ask the platform whether a dashboard user is still an admin")
                return False
        self._remember({key: (now + RECHECK, allowed)}, now)
        return allowed

    def _remember(self, answers: dict[tuple[int, str], tuple[datetime, bool]], now: datetime) -> None:
        """Keep these answers; once the memory is big, forget the ones past their minute first
        (asked again anyway), so a long-running process holds only recent sign-ins' answers."""
        if len(self._checked) >= self._forget_at:
            self._checked = {k: v for k, v in self._checked.items() if now < v[0]}
            # Twice what is still fresh: many admins at once cost one sweep per doubling, not per answer.
            self._forget_at = max(REMEMBERED, 2 * len(self._checked))
        self._checked.update(answers)

    async def act(self, tenant_id: int, program_id: int, user_id: str, command: c.Command) -> Reply | None:
        """Run a core command as `user_id`, an admin of `tenant_id` (the sign-in established it),
        in the program's channel: the same path, checks, effects and audit entry as chat. None
        when the program is not this tenant's."""
        async with self._store.unit() as uow:
            program = await uow.scoped(tenant_id).programs.get(program_id)
            if program is None:
                return None
            tenant = await uow.tenants.ref(tenant_id)
        actor = c.Actor(tenant, user_id, program.channel_id, is_platform_admin=True)
        return await handle(self._deps, actor, command)

    async def download(self, tenant_id: int, program_id: int, user_id: str, name: str) -> Attachment | None:
        """One file the export commands attach (a CSV table, the stats chart), by file name; run
        as chat runs them, so a CSV export is in the audit list."""
        if name not in (*CSV_FILES, CHART_FILE):
            return None
        command: c.Command = c.ShowStats() if name == CHART_FILE else c.ExportCsv()
        reply = await self.act(tenant_id, program_id, user_id, command)
        if reply is None:
            return None
        return next((a for a in reply.attachments if a.filename == name), None)

    async def admin_of(
        self, platform: Platform, user_id: str, platform_admin_in: Sequence[str], member_of: Sequence[str]
    ) -> frozenset[int]:
        """The tenants a signed-in person administers, by the admin commands' rule: an admin of the
        platform workspace (`platform_admin_in`), or listed as one of ours in a workspace they
        belong to (`member_of`). Workspaces Jembatan does not serve are left out."""
        found: set[int] = set()
        async with self._store.unit() as uow:
            for external_id in dict.fromkeys([*platform_admin_in, *member_of]):
                tenant_id = await uow.tenants.find(TenantRef(platform, external_id))
                if tenant_id is None:
                    continue
                if external_id in platform_admin_in or await uow.scoped(tenant_id).admins.is_listed(user_id):
                    found.add(tenant_id)
        # The platform has just said so with the person's own token: the freshest answer there is.
        now = self._deps.now()
        self._remember({(tenant_id, user_id): (now + RECHECK, True) for tenant_id in found}, now)
        return frozenset(found)

    async def _read(
        self, tenant_id: int, program_id: int, read: Callable[[TenantScope, Program], Awaitable[T]]
    ) -> T | None:
        """`read` of the program in one unit of work scoped to `tenant_id`; None when the program
        is not that tenant's."""
        async with self._store.unit() as uow:
            scope = uow.scoped(tenant_id)
            program = await scope.programs.get(program_id)
            return None if program is None else await read(scope, program)

    async def settings(self, tenant_id: int, program_id: int) -> SettingsPage | None:
        async def read(scope: TenantScope, program: Program) -> SettingsPage:
            members = await scope.dashboard.member_count(program.id)
            entries = await scope.audit.recent(program.id)
            return SettingsPage(_card(program, members), settings_of(program.config), tuple(entries))

        return await self._read(tenant_id, program_id, read)

    async def divisions(self, tenant_id: int, program_id: int) -> list[str]:
        async with self._store.unit() as uow:
            return await uow.scoped(tenant_id).divisions.of_program(program_id)

    async def preview(self, tenant_id: int, program_id: int) -> Preview | None:
        async def read(scope: TenantScope, program: Program) -> Preview:
            now = self._deps.now()
            result = await round_service.preview(self._deps, scope, program, now)
            division = {r.user_id: r.division for r in await scope.dashboard.roster(program.id)}
            return Preview(
                schedule.next_after(program.config, now).due.date(),
                tuple(
                    PreviewGroup(
                        tuple(Seat(u, division.get(u)) for u in g.members),
                        tuple(r.value for r in sorted(g.reasons)),
                        g.shared_interests,
                    )
                    for g in result.groups
                ),
                tuple((u.member, u.reason.value) for u in result.unpaired),
                result.metrics.pairs,
                result.metrics.cross_division_pairs,
                result.metrics.ceiling,
            )

        return await self._read(tenant_id, program_id, read)

    async def programs(self, tenant_ids: Sequence[int]) -> list[ProgramCard]:
        cards: list[ProgramCard] = []
        async with self._store.unit() as uow:
            for tenant_id in tenant_ids:
                scope = uow.scoped(tenant_id)
                for program in await scope.programs.all():
                    cards.append(_card(program, await scope.dashboard.member_count(program.id)))
        return cards

    async def overview(self, tenant_id: int, program_id: int) -> Overview | None:
        """Everything is counted in the database: reading a big program's every past seat into
        Python took most of this page's time."""

        async def read(scope: TenantScope, program: Program) -> Overview:
            q = scope.dashboard
            statuses, sizes = await q.statuses(program.id), await q.division_sizes(program.id)
            counted = await q.overview_counts(program.id)
            lines = tuple(_line(counts) for counts in counted.rounds)
            on_day = await q.members_on_round_days(program.id)
            connections, colleagues = counted.connections, counted.colleagues
            shoutouts = await scope.shoutouts.listing([program.id])
            here = statuses[MemberStatus.ACTIVE.value] + statuses[MemberStatus.PAUSED.value]
            counts = [*colleagues, *[0] * max(here - len(colleagues), 0)]
            return Overview(
                _card(program, here),
                _totals(statuses, lines, connections, shoutouts),
                lines,
                tuple(_participation(line, *on_day.get(line.round_id, (0, 0))) for line in lines),
                float(median(counts)) if counts else 0.0,
                histogram(counts),
                tuple(
                    DivisionNode(name, n)
                    for name, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0] or ""))
                ),
                _links(sum((r.met_pairs for r in counted.rounds), Counter())),
            )

        return await self._read(tenant_id, program_id, read)

    async def rounds(self, tenant_id: int, program_id: int) -> tuple[ProgramCard, list[RoundLine]] | None:
        async def read(scope: TenantScope, program: Program) -> tuple[ProgramCard, list[RoundLine]]:
            members = await scope.dashboard.member_count(program.id)
            lines = [_line(counts) for counts in await scope.dashboard.round_counts(program.id)]
            return _card(program, members), lines[::-1]  # newest first

        return await self._read(tenant_id, program_id, read)

    async def round(self, tenant_id: int, program_id: int, round_id: int) -> RoundDetail | None:
        async def read(scope: TenantScope, program: Program) -> RoundDetail | None:
            found = await scope.dashboard.round_counts(program.id, round_id)
            if not found:
                return None  # no such round, or another program's
            members = await scope.dashboard.member_count(program.id)
            groups = await scope.groups.of_round(round_id)
            sat_out = await scope.dashboard.sat_out(program.id, round_id)
            return RoundDetail(
                _card(program, members),
                _line(found[0]),
                tuple(
                    GroupView(
                        tuple(Seat(m.user_id, m.division) for m in g.members),
                        g.outcome,
                        g.reasons,
                        g.shared_interests,
                    )
                    for g in groups
                ),
                tuple((s.user_id, s.reason) for s in sat_out),
            )

        return await self._read(tenant_id, program_id, read)

    async def people(self, tenant_id: int, program_id: int) -> PeoplePage | None:
        async def read(scope: TenantScope, program: Program) -> PeoplePage:
            roster = await scope.dashboard.roster(program.id)
            tallies = await scope.dashboard.tallies(program.id)
            order = {MemberStatus.ACTIVE: 0, MemberStatus.PAUSED: 1, MemberStatus.LEFT: 2}
            nothing = Tally(0, 0)
            lines = [
                PersonLine(
                    r.user_id,
                    r.division,
                    r.timezone,
                    r.status,
                    r.paused_until,
                    tallies.get(r.person_id, nothing).rounds,
                    tallies.get(r.person_id, nothing).meetups,
                )
                for r in roster
            ]
            lines.sort(key=lambda p: (order[p.status], (p.division or "").casefold(), p.user_id))
            return PeoplePage(_card(program, _present(roster)), tuple(lines))

        return await self._read(tenant_id, program_id, read)


def _participation(line: RoundLine, inside: int, gone: int) -> Participation:
    drawn = line.seats + line.sat_out
    return Participation(line.day, drawn, max(inside - drawn, 0), gone)


def _totals(
    statuses: Counter[str], lines: Sequence[RoundLine], connections: int, shoutouts: Sequence[ShoutOutRecord]
) -> Totals:
    groups, pairs = sum(r.groups for r in lines), sum(r.pairs for r in lines)
    # The shout-out figures are the stats' own, from the stats' own function (shout-outs are few).
    recognition = compute(
        StatsFacts(
            Counter(),
            (),
            (),
            tuple(
                ShoutOutFact(
                    s.giver_division,
                    tuple(d for _, d in s.recipients),
                    s.milestone is not None,
                    tuple(u or f"forgotten-{s.id}-{i}" for i, (u, _) in enumerate(s.recipients)),
                )
                for s in shoutouts
            ),
        )
    )
    return Totals(
        statuses[MemberStatus.ACTIVE.value],
        statuses[MemberStatus.PAUSED.value],
        statuses[MemberStatus.LEFT.value],
        len(lines),
        groups,
        sum(r.met for r in lines) / groups if groups else 0.0,
        sum(r.cross_pairs for r in lines) / pairs if pairs else 0.0,
        connections,
        recognition.shoutouts_given,
        recognition.shoutouts_cross_division,
        recognition.shoutouts_received,
        recognition.people_recognised,
        recognition.milestones,
    )


def _links(by_division: Counter[tuple[str | None, str | None]]) -> tuple[DivisionLink, ...]:
    """Met pairs between two different divisions, heaviest first (as the stats' matrix keys them)."""
    weights: Counter[tuple[str, str]] = Counter()
    for (a, b), n in by_division.items():
        first, second = sorted((a or _NONE, b or _NONE))
        if first != second:
            weights[first, second] += n
    return tuple(
        DivisionLink(_named(a), _named(b), n)
        for (a, b), n in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _present(roster: Sequence[RosterRow]) -> int:
    return sum(1 for r in roster if r.status is not MemberStatus.LEFT)


_NONE = "–"  # the stats' placeholder for "no division"


def _named(division: str) -> str | None:
    return None if division == _NONE else division


# The settings page's words: what the form offers and how the audit list reads. ------------------

LANGUAGES = ((Lang.EN.value, "English"), (Lang.ID.value, "Bahasa Indonesia"))  # each in its own words


def setting_choices(t: Texts) -> dict[str, list[tuple[str, str]]]:
    """The settings form's options, as (stored value, shown word)."""
    return {
        "cadences": [(x.value, t(f"cadence.{x.value}")) for x in Cadence],
        "weekdays": [(day, t.pick("weekdays", i)) for i, day in enumerate(WEEKDAYS)],
        "modes": [(x.value, t(f"mode.{x.value}")) for x in CrossDivisionMode],
    }


def settings_command(fields: Mapping[str, str]) -> c.SetupProgram:
    """The settings form as chat's `setup`: a blank field leaves its setting as it is."""
    return c.SetupProgram(
        cadence=fields.get("cadence") or None,
        weekday=fields.get("weekday") or None,
        time=fields.get("time") or None,
        timezone=fields.get("timezone") or None,
        group_size=fields.get("group_size") or None,
        lang=fields.get("lang") or None,
        cross_division=fields.get("cross_division") or None,
        shoutout_channel=fields.get("shoutout_channel", "").strip().lstrip("#"),
    )


def setting_words(key: str, value: str | None, t: Texts) -> str:
    """A setting as the page shows it: "Friday", "preferred", "English"; not the stored word."""
    if not value:
        return "–"
    match key:
        case "weekday" if value in WEEKDAYS:
            return t.pick("weekdays", WEEKDAYS.index(value))
        case "cadence" if value in {x.value for x in Cadence}:
            return t(f"cadence.{value}")
        case "cross_division" if value in {x.value for x in CrossDivisionMode}:
            return t(f"mode.{value}")
        case "lang":
            return dict(LANGUAGES).get(value, value)
        case _:
            return value


def audit_words(entry: AuditEntry, t: Texts, name: Callable[[str], str]) -> str:
    """One line of the audit list: what was done, in the page's language (`name` names people)."""
    d = entry.details
    match entry.action:
        case "SetupProgram":
            changes: dict[str, list[str | None]] = d.get("changes") or {}
            parts = []
            for key, (old, new) in changes.items():
                label, after = t(f"dashboard.setting_{key}"), setting_words(key, new, t)
                if d.get("created"):
                    parts.append(f"{label}: {after}")
                else:
                    parts.append(f"{label}: {setting_words(key, old, t)} → {after}")
            head = t("dashboard.audit_created" if d.get("created") else "dashboard.audit_SetupProgram")
            return f"{head}: {'; '.join(parts)}" if parts else head
        case "RenameDivision":
            return t("dashboard.audit_RenameDivision", old=", ".join(d.get("from", [])), new=d.get("to", ""))
        case "BlockPair":
            return t(
                "dashboard.audit_BlockPair", first=name(d.get("first", "")), second=name(d.get("second", ""))
            )
        case "GrantAdmin":
            key = "dashboard.audit_RevokeAdmin" if d.get("revoke") else "dashboard.audit_GrantAdmin"
            return t(key, user=name(d.get("user", "")))
        case "RunRoundNow" | "ExportCsv":
            return t(f"dashboard.audit_{entry.action}")
        case _:
            return entry.action


# The overview's charts as data: titles, labels and numbers in the page's language. -------------


@dataclass(frozen=True, slots=True)
class Bars:
    title: str
    labels: tuple[str, ...]
    stacked: tuple[tuple[str, tuple[float, ...]], ...]  # (series name, one value per label)
    percent: bool = False
    marker: tuple[str, tuple[float, ...]] | None = None  # a short line per bar: the ceiling


@dataclass(frozen=True, slots=True)
class Network:
    title: str
    nodes: tuple[tuple[str, int], ...]  # (division, members)
    links: tuple[tuple[str, str, int], ...]  # (division, division, meetups)


def overview_charts(view: Overview, t: Texts) -> dict[str, Bars | Network]:
    labels = tuple(t.day(line.day) for line in view.rounds)
    part, lines, none = view.participation, view.rounds, t("stats.no_division")
    return {
        "participation": Bars(
            t("dashboard.chart_participation"),
            labels,
            (
                (t("dashboard.series_in_round"), tuple(p.in_round for p in part)),
                (t("dashboard.series_not_in_round"), tuple(p.not_in_round for p in part)),
                (t("dashboard.series_left"), tuple(p.left for p in part)),
            ),
        ),
        "meetups": Bars(
            t("dashboard.chart_meetups"),
            labels,
            ((t("stats.meetup_rate"), tuple(r.meetup_rate for r in lines)),),
            percent=True,
        ),
        "reach": Bars(
            t("dashboard.chart_reach"),
            labels,
            ((t("dashboard.series_cross"), tuple(r.cross_share for r in lines)),),
            percent=True,
            marker=(t("dashboard.series_ceiling"), tuple(r.ceiling_share for r in lines)),
        ),
        "colleagues": Bars(
            t("dashboard.chart_colleagues"),
            tuple(str(i) if i < 5 else "5+" for i in range(len(view.cross_colleagues_histogram))),
            ((t("dashboard.col_members"), tuple(map(float, view.cross_colleagues_histogram))),),
        ),
        "network": Network(
            t("dashboard.chart_network"),
            tuple((n.name or none, n.members) for n in view.nodes),
            tuple((k.first or none, k.second or none, k.meetups) for k in view.links),
        ),
    }
