"""Plain data in and out of the pairing engine: no I/O, no storage types."""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import overload


class CrossDivisionMode(StrEnum):
    """How hard the engine pushes for groups that span divisions."""

    OFF = "off"
    PREFER = "prefer"
    REQUIRE = "require"


class Reason(StrEnum):
    """Why a group was put together; the intro tells people."""

    CROSS_DIVISION = "cross_division"
    FIRST_MEETING = "first_meeting"
    HOURS_OVERLAP = "hours_overlap"
    SHARED_INTEREST = "shared_interest"


class UnpairedReason(StrEnum):
    """Why someone eligible was left without a group this round."""

    ALONE = "alone"  # fewer than two people were eligible
    BLOCKED = "blocked"  # every possible partner is blocked for them
    SAME_DIVISION_ONLY = "same_division_only"  # `require` mode: no group across divisions had room


class Relaxed(StrEnum):
    """A rule the engine had to bend. (`require` mode bends nothing: see UnpairedReason.)"""

    NO_REPEAT = "no_repeat"


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    division: str | None = None
    utc_offset_minutes: int | None = None  # None: unknown time zone
    interests: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PastGroup:
    members: tuple[str, ...]
    met: bool | None = None  # False: introduced, but they reported they did not meet


class FlatGroups(Sequence[PastGroup]):
    """A round's groups held flat, as positions in the request's member list.

    Any sequence of PastGroups will do for `PastRound.groups`; this one is for big rounds: a
    round of 100,000 people is one array of 400 KB, not 50,000 PastGroups, and when `members`
    is the request's own list the engine reads the positions as they are, with no id to look
    up (looking up 800,000 ids was half of indexing a 100,000-member request). PastGroups are
    made only for a caller who reads it as a sequence."""

    __slots__ = ("at", "members", "met", "starts")

    def __init__(
        self,
        members: Sequence[Member],
        at: array[int],
        starts: array[int] | None = None,
        met: dict[int, bool] | None = None,
    ) -> None:
        if at and not 0 <= min(at) <= max(at) < len(members):
            raise ValueError("a past group names a position outside the member list")
        self.members = members
        self.at = at  # group g is members[at[i]] for i in range(starts[g], starts[g + 1])
        self.starts = starts  # None: every group is a pair (at[0] with at[1], at[2] with at[3], ...)
        self.met = met or {}  # group index -> met, for the groups that said

    def bounds(self, index: int) -> tuple[int, int]:
        return (
            (self.starts[index], self.starts[index + 1])
            if self.starts is not None
            else (2 * index, 2 * index + 2)
        )

    def __len__(self) -> int:
        return len(self.starts) - 1 if self.starts is not None else len(self.at) // 2

    @overload
    def __getitem__(self, index: int) -> PastGroup: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PastGroup]: ...
    def __getitem__(self, index: int | slice) -> PastGroup | Sequence[PastGroup]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        start, end = self.bounds(index)
        return PastGroup(tuple([self.members[i].id for i in self.at[start:end]]), self.met.get(index))

    def __iter__(self) -> Iterator[PastGroup]:
        for index in range(len(self)):
            yield self[index]


@dataclass(frozen=True, slots=True)
class PastRound:
    date: date
    groups: Sequence[PastGroup]  # read once, in order; a caller may make them as they are read


@dataclass(frozen=True, slots=True)
class PairingRequest:
    members: Sequence[Member]
    history: Sequence[PastRound] = ()
    blocked: Collection[tuple[str, str]] = ()
    group_size: int = 2
    cross_division: CrossDivisionMode = CrossDivisionMode.PREFER
    seed: int = 0


@dataclass(frozen=True, slots=True)
class ProposedGroup:
    members: tuple[str, ...]
    reasons: frozenset[Reason] = frozenset()
    shared_interests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unpaired:
    member: str
    reason: UnpairedReason


@dataclass(frozen=True, slots=True)
class Relaxation:
    rule: Relaxed
    members: tuple[str, ...]  # the group that needed it


@dataclass(frozen=True, slots=True)
class PairingMetrics:
    pairs: int  # pairs inside groups (a trio has three)
    cross_division_pairs: int
    ceiling: int  # the most cross-division pairs any grouping could have
    repeats: int  # pairs that already met within the history given
    seconds: float = 0.0
    weak_repeats: int = 0  # of those, pairs whose history only says they were introduced and did not meet
    hours_overlap_pairs: int = 0  # pairs whose UTC offsets are within three hours
    shared_interest_pairs: int = 0  # pairs with at least one interest in common
    objective: int = 0  # the sum of the engine's pair weights over all pairs (see weights.py)


@dataclass(frozen=True, slots=True)
class PairingResult:
    groups: tuple[ProposedGroup, ...]
    unpaired: tuple[Unpaired, ...] = ()
    relaxed: tuple[Relaxation, ...] = ()
    metrics: PairingMetrics = field(
        default_factory=lambda: PairingMetrics(pairs=0, cross_division_pairs=0, ceiling=0, repeats=0)
    )
