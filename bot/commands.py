"""What people ask of the core: frozen commands, parsed by adapters from platform events."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import StillInChoice, TenantRef


@dataclass(frozen=True, slots=True)
class Actor:
    tenant: TenantRef
    user_id: str
    channel_id: str | None = None
    is_platform_admin: bool = False  # workspace owner/admin, or Manage Server: the adapter knows
    delivery_id: str | None = None  # the platform's id for this request, so a retry acts once


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Join:
    division: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class Pause:
    weeks: str | int | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class SetDivision:
    division: str


@dataclass(frozen=True, slots=True)
class SetTimezone:
    timezone: str


@dataclass(frozen=True, slots=True)
class SetInterests:
    interests: str


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    """The profile form: every field at once; None leaves a field as it is."""

    division: str | None = None
    timezone: str | None = None
    interests: str | None = None


@dataclass(frozen=True, slots=True)
class Status:
    pass


@dataclass(frozen=True, slots=True)
class GiveShoutOut:
    recipients: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Leaderboard:
    period: str = "month"  # week | month | all
    by_division: bool = False


@dataclass(frozen=True, slots=True)
class ExportMyData:
    pass


@dataclass(frozen=True, slots=True)
class ForgetMe:
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    group_id: int
    outcome: str


@dataclass(frozen=True, slots=True)
class AnswerStillIn:
    program_id: int
    choice: StillInChoice


# Admin commands.
@dataclass(frozen=True, slots=True)
class SetupProgram:
    cadence: str | None = None
    weekday: str | None = None
    time: str | None = None
    timezone: str | None = None
    group_size: str | int | None = None
    lang: str | None = None
    cross_division: str | None = None
    shoutout_channel: str | None = None


@dataclass(frozen=True, slots=True)
class RunRoundNow:
    pass


@dataclass(frozen=True, slots=True)
class PreviewRound:
    pass


@dataclass(frozen=True, slots=True)
class ShowStats:
    workspace: bool = False  # every program in the workspace rather than this channel's


@dataclass(frozen=True, slots=True)
class BlockPair:
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class ExportCsv:
    pass


@dataclass(frozen=True, slots=True)
class GrantAdmin:
    user_id: str
    revoke: bool = False


@dataclass(frozen=True, slots=True)
class RenameDivision:
    """Every person of the program (and its history) in one of `old` moves to `new`: "Eng" and
    "engineering" merge into "Engineering". Names match ignoring case and extra spaces."""

    old: tuple[str, ...]
    new: str


@dataclass(frozen=True, slots=True)
class OpenDashboard:
    """The admin dashboard's address, for the admin who asks."""


Command = (
    Help
    | Join
    | Leave
    | Pause
    | Resume
    | SetDivision
    | SetTimezone
    | SetInterests
    | UpdateProfile
    | Status
    | GiveShoutOut
    | Leaderboard
    | ExportMyData
    | ForgetMe
    | RecordOutcome
    | AnswerStillIn
    | SetupProgram
    | RunRoundNow
    | PreviewRound
    | ShowStats
    | BlockPair
    | ExportCsv
    | GrantAdmin
    | RenameDivision
    | OpenDashboard
)
ADMIN_COMMANDS = (
    SetupProgram,
    RunRoundNow,
    PreviewRound,
    ShowStats,
    BlockPair,
    ExportCsv,
    GrantAdmin,
    RenameDivision,
    OpenDashboard,
)
# What the audit list records (who, when, what), whichever door the command came through: every
# admin command that changes something or takes data out; reads that only show are left out.
AUDITED_COMMANDS = (SetupProgram, RunRoundNow, BlockPair, ExportCsv, GrantAdmin, RenameDivision)
