"""An in-memory store behind the services' unit-of-work port (bot/services/ports.py), after the
cosmicpython pattern: service tests of the rules run against it with no database at all.

What it covers: workspaces, programs, admins, blocked pairs, people and memberships, rounds and
groups, shout-outs, milestones, delivery ids, the outbox (kept as a list of queued messages), and
the leaderboard's facts. So join/leave/pause/resume and the profile, setup and admins, a whole
round (pairing, sitting out, silent rounds, nudges, check-ins), recorded outcomes and milestones,
shout-outs and the leaderboard all run on it. What it leaves to the database (and raises
NotImplementedError for): erasing a person or a workspace, the admins' stats and CSV exports, and
the outbox's delivery side (the relay). Those are SQL worth testing on SQLite and PostgreSQL.

A unit of work works on a copy of the data and puts it back on commit: leaving without commit
rolls back, as the real one does, so a refused command still changes nothing.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any

from bot.domain.leaderboard import ConfirmedMeetup, GivenShoutOut, LeaderboardFacts
from bot.domain.model import (
    Group,
    GroupMember,
    Membership,
    MemberStatus,
    Outcome,
    PastMeeting,
    Person,
    Platform,
    Program,
    ProgramConfig,
    Round,
    ShoutOutRecord,
    TenantRef,
)
from bot.domain.stats import StatsFacts
from bot.messages import Destination, Message
from bot.services import ports


@dataclass
class _Tenant:
    ref: TenantRef
    active: bool
    created_at: datetime


@dataclass
class _Membership:
    tenant_id: int
    program_id: int
    person_id: int
    status: MemberStatus
    joined_at: datetime
    silent_rounds: int = 0
    paused_until: date | None = None
    left_at: datetime | None = None
    last_nudged_at: datetime | None = None


@dataclass
class _Round:
    tenant_id: int
    round: Round
    closed_at: datetime | None = None


@dataclass
class _Group:
    tenant_id: int
    round_id: int
    members: list[tuple[int | None, str | None]]  # (person id, division then)
    reasons: tuple[str, ...]
    shared_interests: tuple[str, ...]
    outcome: Outcome = Outcome.PENDING
    outcome_by: str | None = None


@dataclass
class _ShoutOut:
    tenant_id: int
    program_id: int
    giver_id: int | None
    giver_division: str | None
    recipients: list[tuple[int | None, str | None]]
    text: str
    tags: tuple[str, ...]
    milestone: str | None
    created_at: datetime


@dataclass
class _Achievement:
    tenant_id: int
    program_id: int
    owner: str
    key: str
    announced_at: datetime | None = None


@dataclass(frozen=True)
class Queued:
    """A message the services queued: what the relay would deliver."""

    tenant_id: int
    key: str
    destination: Destination
    message: Message
    group_id: int | None


@dataclass
class Data:
    """Every row, by table. Ids come from one counter: unique, and increasing as in a database."""

    tenants: dict[int, _Tenant] = field(default_factory=dict)
    programs: dict[int, Program] = field(default_factory=dict)
    admins: set[tuple[int, str]] = field(default_factory=set)
    blocks: set[tuple[int, int, int]] = field(default_factory=set)
    people: dict[int, Person] = field(default_factory=dict)
    memberships: dict[int, _Membership] = field(default_factory=dict)
    rounds: dict[int, _Round] = field(default_factory=dict)
    groups: dict[int, _Group] = field(default_factory=dict)
    unpaired: list[tuple[int, int, int, str]] = field(default_factory=list)  # tenant, round, person, why
    shoutouts: dict[int, _ShoutOut] = field(default_factory=dict)
    achievements: dict[int, _Achievement] = field(default_factory=dict)
    deliveries: set[tuple[int, str]] = field(default_factory=set)
    outbox: list[Queued] = field(default_factory=list)
    audit: list[tuple[int, int | None, str, str, dict[str, Any]]] = field(default_factory=list)
    last_id: int = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id


class _Repository:
    def __init__(self, data: Data, tenant_id: int) -> None:
        self._data = data
        self.tenant_id = tenant_id


class FakePeople(_Repository):
    def _mine(self) -> Iterator[Person]:
        return (p for p in self._data.people.values() if p.tenant_id == self.tenant_id)

    async def by_user(self, user_id: str) -> Person | None:
        return next((p for p in self._mine() if p.user_id == user_id), None)

    async def by_users(self, user_ids: Iterable[str]) -> dict[str, Person]:
        wanted = set(user_ids)
        return {p.user_id: p for p in self._mine() if p.user_id in wanted}

    async def by_ids(self, ids: Iterable[int]) -> list[Person]:
        wanted = set(ids)
        return [p for p in self._mine() if p.id in wanted]

    async def divisions(self, program_id: int | None = None) -> list[str]:
        taking_part = {
            m.person_id
            for m in self._data.memberships.values()
            if m.tenant_id == self.tenant_id
            and m.status is not MemberStatus.LEFT
            and (program_id is None or m.program_id == program_id)
        }
        used = Counter(p.division for p in self._mine() if p.id in taking_part and p.division is not None)
        return [d for d, _ in sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))]

    async def ensure(self, user_id: str, now: datetime) -> Person:
        found = await self.by_user(user_id)
        if found is None:
            found = Person(self._data.new_id(), self.tenant_id, user_id, None, None, ())
            self._data.people[found.id] = found
        return found

    async def update_profile(
        self,
        person_id: int,
        *,
        division: str | None = None,
        timezone: str | None = None,
        interests: tuple[str, ...] | None = None,
    ) -> None:
        person = self._data.people[person_id]
        changes: dict[str, Any] = {}
        if division is not None:
            changes["division"] = division
        if timezone is not None:
            changes["timezone"] = timezone
        if interests is not None:
            changes["interests"] = tuple(interests)
        self._data.people[person_id] = replace(person, **changes)

    async def erase(self, person_id: int) -> None:
        raise NotImplementedError("erasing is the database's to test")

    async def forget_in_outbox(self, user_id: str) -> None:
        raise NotImplementedError("erasing is the database's to test")


class FakeMemberships(_Repository):
    def _view(self, membership_id: int, row: _Membership) -> Membership:
        return Membership(
            membership_id,
            row.program_id,
            self._data.people[row.person_id],
            row.status,
            row.paused_until,
            row.joined_at,
            row.silent_rounds,
            row.last_nudged_at,
        )

    def _where(self, **equal: object) -> list[Membership]:
        return [
            self._view(i, m)
            for i, m in sorted(self._data.memberships.items())
            if m.tenant_id == self.tenant_id and all(getattr(m, k) == v for k, v in equal.items())
        ]

    async def get(self, program_id: int, person_id: int) -> Membership | None:
        return next(iter(self._where(program_id=program_id, person_id=person_id)), None)

    async def of_person(self, person_id: int) -> list[Membership]:
        return self._where(person_id=person_id)

    async def of_program(self, program_id: int, *statuses: MemberStatus) -> list[Membership]:
        return [m for m in self._where(program_id=program_id) if not statuses or m.status in statuses]

    async def join(self, program_id: int, person_id: int, now: datetime) -> bool:
        existing = await self.get(program_id, person_id)
        if existing is None:
            self._data.memberships[self._data.new_id()] = _Membership(
                self.tenant_id, program_id, person_id, MemberStatus.ACTIVE, now
            )
            return True
        await self.set_status(existing.id, MemberStatus.ACTIVE)
        return existing.status is not MemberStatus.ACTIVE

    async def set_status(
        self,
        membership_id: int,
        status: MemberStatus,
        *,
        paused_until: date | None = None,
        left_at: datetime | None = None,
    ) -> None:
        row = self._data.memberships[membership_id]
        row.status, row.paused_until = status, paused_until
        if status is MemberStatus.ACTIVE:
            row.silent_rounds = 0
        if status is MemberStatus.LEFT:
            row.left_at = left_at

    async def set_silent_rounds(self, membership_id: int, count: int) -> None:
        self._data.memberships[membership_id].silent_rounds = count

    async def claim_nudge(self, membership_id: int, now: datetime, not_since: datetime) -> bool:
        row = self._data.memberships[membership_id]
        if row.last_nudged_at is not None and row.last_nudged_at >= not_since:
            return False
        row.last_nudged_at = now
        return True


class FakePrograms(_Repository):
    def _mine(self) -> list[Program]:
        return [p for _, p in sorted(self._data.programs.items()) if p.tenant_id == self.tenant_id]

    async def by_channel(self, channel_id: str) -> Program | None:
        return next((p for p in self._mine() if p.channel_id == channel_id), None)

    async def get(self, program_id: int) -> Program | None:
        return next((p for p in self._mine() if p.id == program_id), None)

    async def all(self) -> list[Program]:
        return self._mine()

    async def create(self, channel_id: str, config: ProgramConfig, now: datetime, set_up_by: str) -> Program:
        assert await self.by_channel(channel_id) is None, "unique (tenant_id, channel_id)"
        program = Program(self._data.new_id(), self.tenant_id, channel_id, config, now, set_up_by, now)
        self._data.programs[program.id] = program
        return program

    async def update_config(
        self, program_id: int, config: ProgramConfig, set_up_by: str, schedule_changed_at: datetime | None
    ) -> None:
        program = self._data.programs[program_id]
        moved = program.schedule_changed_at if schedule_changed_at is None else schedule_changed_at
        self._data.programs[program_id] = replace(
            program, config=config, set_up_by=set_up_by, schedule_changed_at=moved
        )

    async def forget_setter(self, user_id: str) -> None:
        for program in self._mine():
            if program.set_up_by == user_id:
                self._data.programs[program.id] = replace(program, set_up_by=None)


class FakeAdmins(_Repository):
    async def is_listed(self, user_id: str) -> bool:
        return (self.tenant_id, user_id) in self._data.admins

    async def add(self, user_id: str, now: datetime) -> None:
        self._data.admins.add((self.tenant_id, user_id))

    async def remove(self, user_id: str) -> None:
        self._data.admins.discard((self.tenant_id, user_id))


class FakeBlocks(_Repository):
    async def add(self, first_person: int, second_person: int, now: datetime) -> bool:
        low, high = sorted((first_person, second_person))
        if (self.tenant_id, low, high) in self._data.blocks:
            return False
        self._data.blocks.add((self.tenant_id, low, high))
        return True

    async def user_pairs(self) -> list[tuple[str, str]]:
        people = self._data.people
        return [
            (people[a].user_id, people[b].user_id)
            for tenant_id, a, b in sorted(self._data.blocks)
            if tenant_id == self.tenant_id
        ]


class FakeShoutOuts(_Repository):
    async def add(
        self,
        program_id: int,
        giver: Person | None,
        recipients: Sequence[Person],
        text: str,
        tags: Sequence[str],
        now: datetime,
        milestone: str | None = None,
    ) -> int:
        shoutout_id = self._data.new_id()
        self._data.shoutouts[shoutout_id] = _ShoutOut(
            self.tenant_id,
            program_id,
            None if giver is None else giver.id,
            None if giver is None else giver.division,
            [(p.id, p.division) for p in recipients],
            text,
            tuple(tags),
            milestone,
            now,
        )
        return shoutout_id

    async def given_since(self, person_id: int, since: datetime) -> int:
        return sum(
            1
            for s in self._data.shoutouts.values()
            if s.tenant_id == self.tenant_id and s.giver_id == person_id and s.created_at >= since
        )

    async def listing(
        self, program_ids: Sequence[int], since: datetime | None = None
    ) -> list[ShoutOutRecord]:
        people = self._data.people

        def user(person_id: int | None) -> str | None:
            return people[person_id].user_id if person_id in people else None

        return [
            ShoutOutRecord(
                id=i,
                program_id=s.program_id,
                giver_user=user(s.giver_id),
                giver_division=s.giver_division,
                recipients=tuple((user(p), division) for p, division in s.recipients),
                text=s.text,
                tags=s.tags,
                milestone=s.milestone,
                created_at=s.created_at,
            )
            for i, s in sorted(self._data.shoutouts.items())
            if s.tenant_id == self.tenant_id
            and s.program_id in program_ids
            and (since is None or s.created_at >= since)
        ]


class FakeAchievements(_Repository):
    async def claim(self, program_id: int, owner: str, key: str, now: datetime) -> bool:
        if any(
            (a.program_id, a.owner, a.key) == (program_id, owner, key)
            for a in self._data.achievements.values()
        ):
            return False
        self._data.achievements[self._data.new_id()] = _Achievement(self.tenant_id, program_id, owner, key)
        return True

    async def unannounced(self, program_id: int) -> list[tuple[int, str, str]]:
        return [
            (i, a.owner, a.key)
            for i, a in sorted(self._data.achievements.items())
            if a.tenant_id == self.tenant_id and a.program_id == program_id and a.announced_at is None
        ]

    async def mark_announced(self, ids: list[int], now: datetime) -> None:
        for i in ids:
            self._data.achievements[i].announced_at = now


class FakeDeliveries(_Repository):
    async def claim(self, delivery_id: str, now: datetime) -> bool:
        key = (self.tenant_id, delivery_id[:128])
        if key in self._data.deliveries:
            return False
        self._data.deliveries.add(key)
        return True


class FakeRounds(_Repository):
    def _mine(self) -> list[_Round]:
        return [r for _, r in sorted(self._data.rounds.items()) if r.tenant_id == self.tenant_id]

    async def lock_program(self, program_id: int) -> bool:
        return True  # one process, one event loop: nobody else computes a round

    async def claim(
        self,
        program_id: int,
        period: str,
        scheduled_for: datetime,
        seed: int,
        checkin_at: datetime,
        now: datetime,
    ) -> int | None:
        if any(r.round.program_id == program_id and r.round.period == period for r in self._mine()):
            return None
        round_id = self._data.new_id()
        claimed = Round(round_id, program_id, period, scheduled_for, now, seed, checkin_at, False)
        self._data.rounds[round_id] = _Round(self.tenant_id, claimed)
        return round_id

    async def periods(self, program_id: int, claimed_after: datetime | None = None) -> set[str]:
        return {
            r.round.period
            for r in self._mine()
            if r.round.program_id == program_id
            and (claimed_after is None or r.round.created_at > claimed_after)
        }

    async def of_program(self, program_id: int, limit: int | None = None) -> list[Round]:
        found = sorted(
            (r.round for r in self._mine() if r.round.program_id == program_id),
            key=lambda r: (r.scheduled_for, r.id),
            reverse=True,
        )
        return found if limit is None else found[:limit]

    async def get(self, round_id: int) -> Round | None:
        return next((r.round for r in self._mine() if r.round.id == round_id), None)

    async def open_before(self, program_id: int, round_id: int) -> list[Round]:
        return [
            r.round
            for r in self._mine()
            if r.round.program_id == program_id and r.round.id != round_id and r.closed_at is None
        ]

    async def close(self, round_id: int, now: datetime) -> None:
        self._data.rounds[round_id].closed_at = now

    async def checkins_due(self, now: datetime) -> list[Round]:
        return [
            r.round
            for r in self._mine()
            if not r.round.checkin_sent and r.closed_at is None and r.round.checkin_at <= now
        ]

    async def claim_checkin(self, round_id: int, now: datetime) -> bool:
        row = self._data.rounds[round_id]
        if row.round.checkin_sent:
            return False
        row.round = replace(row.round, checkin_sent=True)
        return True


class FakeGroups(_Repository):
    def _view(self, group_id: int, row: _Group) -> Group:
        people = self._data.people
        members = tuple(
            GroupMember(p, people[p].user_id if p in people else None, division)
            for p, division in row.members
        )
        return Group(group_id, row.round_id, members, row.outcome, None, row.reasons, row.shared_interests)

    def _where(self, keep: Any) -> list[Group]:
        return [
            self._view(i, g)
            for i, g in sorted(self._data.groups.items())
            if g.tenant_id == self.tenant_id and keep(g)
        ]

    def _round(self, round_id: int) -> Round:
        return self._data.rounds[round_id].round

    async def add(
        self,
        round_id: int,
        members: Sequence[tuple[int, str | None]],
        reasons: Sequence[str],
        shared_interests: Sequence[str],
    ) -> int:
        group_id = self._data.new_id()
        self._data.groups[group_id] = _Group(
            self.tenant_id, round_id, list(members), tuple(reasons), tuple(shared_interests)
        )
        return group_id

    async def add_unpaired(self, round_id: int, person_id: int, reason: str) -> None:
        self._data.unpaired.append((self.tenant_id, round_id, person_id, reason))

    async def of_round(self, round_id: int) -> list[Group]:
        return self._where(lambda g: g.round_id == round_id)

    async def get(self, group_id: int) -> Group | None:
        row = self._data.groups.get(group_id)
        return None if row is None or row.tenant_id != self.tenant_id else self._view(group_id, row)

    async def set_outcome(self, group_id: int, outcome: Outcome, by: str, now: datetime) -> bool:
        row = self._data.groups[group_id]
        if row.outcome is outcome:
            return False
        row.outcome, row.outcome_by = outcome, by
        return True

    async def program_of(self, group_id: int) -> int | None:
        row = self._data.groups.get(group_id)
        return None if row is None else self._round(row.round_id).program_id

    async def meetings_of(self, person_id: int, program_id: int | None = None) -> list[PastMeeting]:
        mine = self._where(
            lambda g: (
                any(p == person_id for p, _ in g.members)
                and (program_id is None or self._round(g.round_id).program_id == program_id)
            )
        )
        return [
            PastMeeting(
                g.round_id,
                self._round(g.round_id).scheduled_for,
                g.id,
                g.outcome,
                tuple(m for m in g.members if m.person_id != person_id),
            )
            for g in sorted(mine, key=lambda g: self._round(g.round_id).scheduled_for, reverse=True)
        ]

    async def of_program_with_days(self, program_id: int) -> list[tuple[datetime, Group]]:
        found = self._where(lambda g: self._round(g.round_id).program_id == program_id)
        return sorted(
            ((self._round(g.round_id).scheduled_for, g) for g in found),
            key=lambda pair: (pair[0], pair[1].id),
        )

    async def history(self, program_id: int, rounds_back: int) -> list[tuple[date, list[Group]]]:
        recent = await FakeRounds(self._data, self.tenant_id).of_program(program_id, rounds_back)
        return [(r.scheduled_for.date(), await self.of_round(r.id)) for r in recent]

    async def confirmed_in_program(self, program_id: int) -> int:
        return len(
            self._where(
                lambda g: g.outcome is Outcome.MET and self._round(g.round_id).program_id == program_id
            )
        )


class FakeOutbox(_Repository):
    async def add(
        self,
        dedupe_key: str,
        destination: Destination,
        message: Message,
        now: datetime,
        group_id: int | None = None,
    ) -> bool:
        key = dedupe_key[:128]
        if any(q.tenant_id == self.tenant_id and q.key == key for q in self._data.outbox):
            return False
        self._data.outbox.append(Queued(self.tenant_id, key, destination, message, group_id))
        return True

    async def add_many(
        self, items: Sequence[tuple[str, Destination, Message, int | None]], now: datetime
    ) -> None:
        for key, destination, message, group_id in items:
            await self.add(key, destination, message, now, group_id)


class FakeReports(_Repository):
    async def stats_facts(self, program_ids: Sequence[int]) -> StatsFacts:
        raise NotImplementedError("the admins' stats are SQL worth testing on a database")

    async def export_rows(self, program_ids: Sequence[int]) -> dict[str, list[dict[str, object]]]:
        raise NotImplementedError("the CSV exports are SQL worth testing on a database")

    async def leaderboard_facts(self, program_id: int, since: datetime | None) -> LeaderboardFacts:
        shoutouts = await FakeShoutOuts(self._data, self.tenant_id).listing([program_id], since)
        groups = FakeGroups(self._data, self.tenant_id)
        meetups = [
            ConfirmedMeetup(m.person.user_id, m.person.division)
            for m in await FakeMemberships(self._data, self.tenant_id).of_program(program_id)
            for meeting in await groups.meetings_of(m.person.id, program_id)
            if meeting.outcome is Outcome.MET and (since is None or meeting.day >= since)
        ]
        return LeaderboardFacts(
            tuple(
                GivenShoutOut(s.giver_user, s.giver_division, s.recipients, s.milestone is not None)
                for s in shoutouts
            ),
            tuple(meetups),
        )


class FakeAudit(_Repository):
    async def record(
        self, program_id: int | None, user_id: str, action: str, details: dict[str, Any], at: datetime
    ) -> None:
        self._data.audit.append((self.tenant_id, program_id, user_id, action, details))

    async def forget(self, user_id: str) -> None:
        self._data.audit = [
            (t, p, "" if t == self.tenant_id and u == user_id else u, a, d)
            for t, p, u, a, d in self._data.audit
        ]


class FakeDivisions(_Repository):
    async def of_program(self, program_id: int) -> list[str]:
        raise NotImplementedError("renaming divisions rewrites several tables: the database's to test")

    async def rename(self, program_id: int, names: Collection[str], new: str) -> int:
        raise NotImplementedError("renaming divisions rewrites several tables: the database's to test")


class FakeTenants:
    def __init__(self, data: Data) -> None:
        self._data = data

    async def find(self, ref: TenantRef) -> int | None:
        return next((i for i, t in self._data.tenants.items() if t.ref == ref), None)

    async def ensure(self, ref: TenantRef, now: datetime) -> int:
        found = await self.find(ref)
        if found is None:
            found = self._data.new_id()
            self._data.tenants[found] = _Tenant(ref, True, now)
        self._data.tenants[found].active = True
        return found

    async def on_platform(self, platform: Platform) -> dict[str, tuple[int, datetime]]:
        return {
            t.ref.external_id: (i, t.created_at)
            for i, t in self._data.tenants.items()
            if t.ref.platform is platform
        }

    async def ref(self, tenant_id: int) -> TenantRef:
        return self._data.tenants[tenant_id].ref

    async def active_ids(self) -> list[int]:
        return [i for i, t in sorted(self._data.tenants.items()) if t.active]

    async def created_at(self, tenant_id: int) -> datetime:
        return self._data.tenants[tenant_id].created_at

    async def erase(self, tenant_id: int) -> None:
        raise NotImplementedError("erasing is the database's to test")


class FakeScope:
    """Every fake repository for one workspace, over one unit of work's copy of the data."""

    def __init__(self, data: Data, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.programs = FakePrograms(data, tenant_id)
        self.admins = FakeAdmins(data, tenant_id)
        self.blocks = FakeBlocks(data, tenant_id)
        self.people = FakePeople(data, tenant_id)
        self.memberships = FakeMemberships(data, tenant_id)
        self.rounds = FakeRounds(data, tenant_id)
        self.groups = FakeGroups(data, tenant_id)
        self.shoutouts = FakeShoutOuts(data, tenant_id)
        self.achievements = FakeAchievements(data, tenant_id)
        self.deliveries = FakeDeliveries(data, tenant_id)
        self.outbox = FakeOutbox(data, tenant_id)
        self.reports = FakeReports(data, tenant_id)
        self.audit = FakeAudit(data, tenant_id)
        self.divisions = FakeDivisions(data, tenant_id)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._data: Data | None = None
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self._data = copy.deepcopy(self._store.data)
        self.tenants = FakeTenants(self._data)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._data = None  # uncommitted changes go with the copy

    def scoped(self, tenant_id: int) -> FakeScope:
        assert self._data is not None, "use the unit of work inside `async with`"
        return FakeScope(self._data, tenant_id)

    async def commit(self) -> None:
        assert self._data is not None
        self._store.data = copy.deepcopy(self._data)  # what follows in this unit is not committed yet
        self.committed = True
        self._store.commits += 1


class FakeStore:
    """The services' store, in memory. `data` is what has been committed."""

    def __init__(self) -> None:
        self.data = Data()
        self.commits = 0

    def unit(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


def _conforms(store: FakeStore) -> ports.Store:
    return store  # mypy checks that the fake offers what the services ask of a store
