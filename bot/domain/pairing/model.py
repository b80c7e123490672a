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
    """A round's groups held flat: every member id in one tuple, and where each group starts.

    Any sequence of PastGroups will do for `PastRound.groups`; this one is for big rounds. Eight
    rounds of 100,000 people as PastGroup objects took about 48 MB, like this about 7 (the ids
    are the members' own strings), and the engine reads the ids straight from the tuple instead
    of making a PastGroup per group (see `roster`)."""

    __slots__ = ("ids", "met", "starts")

    def __init__(self, ids: tuple[str, ...], starts: array[int], met: dict[int, bool] | None = None) -> None:
        self.ids = ids  # group g is ids[starts[g]:starts[g + 1]]
        self.starts = starts
        self.met = met or {}  # group index -> met, for the groups that said

    @classmethod
    def of_pairs(cls, ids: tuple[str, ...]) -> FlatGroups:
        """Groups of two: ids[0] with ids[1], ids[2] with ids[3], ..."""
        return cls(ids, array("l", range(0, len(ids) + 1, 2)))

    def __len__(self) -> int:
        return len(self.starts) - 1

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
        start, end = self.starts[index], self.starts[index + 1]
        return PastGroup(self.ids[start:end], self.met.get(index))

    def __iter__(self) -> Iterator[PastGroup]:
        ids, starts, met = self.ids, self.starts, self.met.get
        for index in range(len(starts) - 1):
            yield PastGroup(ids[starts[index] : starts[index + 1]], met(index))


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
