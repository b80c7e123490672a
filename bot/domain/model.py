"""The core's nouns: tenants, programs, people and their memberships, rounds and groups, the
meetings and shout-outs read back from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.pairing.model import CrossDivisionMode


class Platform(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    CONSOLE = "console"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Lang(StrEnum):
    EN = "en"
    ID = "id"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Outcome(StrEnum):
    PENDING = "pending"
    MET = "met"
    NOT_YET = "not_yet"
    SKIPPED = "skipped"


class StillInChoice(StrEnum):
    """The three answers to "are you still in?" after rounds without any response."""

    KEEP = "keep"
    LATER = "later"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class TenantRef:
    """A workspace as the platform names it: a Slack team or a Discord guild."""

    platform: Platform
    external_id: str


@dataclass(frozen=True, slots=True)
class ProgramConfig:
    cadence: Cadence = Cadence.WEEKLY
    weekday: int = 0  # Monday is 0, as in datetime.weekday()
    local_time: time = time(9, 0)
    timezone: str = "UTC"
    group_size: int = 2
    lang: Lang = Lang.EN
    cross_division: CrossDivisionMode = CrossDivisionMode.PREFER
    shoutout_channel: str | None = None
    anchor: date = date(2024, 1, 1)  # biweekly rounds fall on even weeks counted from here


@dataclass(frozen=True, slots=True)
class Program:
    id: int
    tenant_id: int
    channel_id: str
    config: ProgramConfig
    created_at: datetime
    set_up_by: str | None = None  # the admin who last ran setup: told when a channel post fails
    schedule_changed_at: datetime | None = None  # None: the schedule is as old as the program

    @property
    def schedule_since(self) -> datetime:
        """When the current schedule began: a slot due at or before this never runs."""
        return self.schedule_changed_at or self.created_at

    @property
    def shoutout_channel(self) -> str:
        return self.config.shoutout_channel or self.channel_id


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    tenant_id: int
    user_id: str
    division: str | None
    timezone: str | None
    interests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    program_id: int
    person: Person
    status: MemberStatus
    paused_until: date | None
    joined_at: datetime
    silent_rounds: int  # rounds in a row whose group gave no response at all
    last_nudged_at: datetime | None


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    program_id: int
    period: str
    scheduled_for: datetime
    created_at: datetime
    seed: int
    checkin_at: datetime
    checkin_sent: bool


@dataclass(frozen=True, slots=True)
class GroupMember:
    person_id: int | None  # None once that person asked to be forgotten
    user_id: str | None
    division: str | None  # as it was on the day of the round, so stats stay put


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    round_id: int
    members: tuple[GroupMember, ...]
    outcome: Outcome
    conversation_id: str | None
    reasons: tuple[str, ...]
    shared_interests: tuple[str, ...]

    @property
    def user_ids(self) -> tuple[str, ...]:
        return tuple(m.user_id for m in self.members if m.user_id is not None)


@dataclass(frozen=True, slots=True)
class PastMeeting:
    """One group a person was in: who else, their divisions then, and how it went."""

    round_id: int
    day: datetime
    group_id: int
    outcome: Outcome
    others: tuple[GroupMember, ...]


@dataclass(frozen=True, slots=True)
class ShoutOutRecord:
    """A shout-out as read back: who gave it, to whom, with the divisions as they were then."""

    id: int
    program_id: int
    giver_user: str | None
    giver_division: str | None
    recipients: tuple[tuple[str | None, str | None], ...]  # (user id or None if forgotten, division)
    text: str
    tags: tuple[str, ...]
    milestone: str | None
    created_at: datetime
