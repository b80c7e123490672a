"""Is it working? Participation, meetups, reach across divisions, recognition: from plain facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from statistics import median

from bot.domain.model import Outcome


@dataclass(frozen=True, slots=True)
class GroupFact:
    members: tuple[str, ...]  # stable keys: a person id, or an anonymous key once forgotten
    divisions: tuple[str | None, ...]
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class RoundFact:
    day: date
    groups: tuple[GroupFact, ...]
    unpaired: tuple[str, ...]  # reasons


@dataclass(frozen=True, slots=True)
class ShoutOutFact:
    giver_division: str | None
    recipient_divisions: tuple[str | None, ...]
    milestone: bool
    recipients: tuple[str, ...] = ()  # stable keys, like GroupFact.members


@dataclass(frozen=True, slots=True)
class StatsFacts:
    statuses: Counter[str]
    current_members: tuple[str, ...]  # keys of active and paused members
    rounds: tuple[RoundFact, ...]  # oldest first
    shoutouts: tuple[ShoutOutFact, ...]


@dataclass(frozen=True, slots=True)
class RoundTrend:
    day: date
    groups: int
    people: int
    met: int
    meetup_rate: float  # met groups / groups
    cross_share: float  # cross-division pairs / pairs


@dataclass(frozen=True, slots=True)
class Stats:
    active: int
    paused: int
    left: int
    rounds: int
    groups: int
    meetup_rate: float
    cross_division_share: float
    connections: int  # distinct pairs of people who met
    median_colleagues_met: float
    shoutouts_given: int
    shoutouts_cross_division: int
    shoutouts_received: int  # one per person recognised in a shout-out
    people_recognised: int  # distinct people who received at least one
    milestones: int
    unmatched: dict[str, int]
    repeat_rate: float  # pairs introduced again after an earlier round
    trend: tuple[RoundTrend, ...]
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)  # met pairs by division pair
    # Division-pair coverage: of the pairs of (named) divisions whose members have taken part,
    # how many have had a meetup between them at least once. The engine aims for all of them.
    division_pairs_met: int = 0
    division_pairs: int = 0


def crosses(a: str | None, b: str | None) -> bool:
    """Do two seats' divisions make a cross-division pair: two different divisions, or one
    division and none. Two without a division do not. The same whichever seat comes first
    (the stats sort people, the dashboard reads seats in order)."""
    return a != b and (a is not None or b is not None)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _division(name: str | None) -> str:
    return name or "–"


def compute(facts: StatsFacts) -> Stats:
    seen_pairs: set[tuple[str, str]] = set()
    met_pairs: set[tuple[str, str]] = set()
    met_by_person: dict[str, set[str]] = {}
    matrix: Counter[tuple[str, str]] = Counter()
    trend: list[RoundTrend] = []
    taking_part: set[str] = set()  # named divisions with someone in a group
    bridged: set[tuple[str, str]] = set()  # pairs of named divisions with a meetup between them
    total_pairs = cross_pairs = repeated = groups = met_groups = 0
    unmatched: Counter[str] = Counter()
    for rnd in facts.rounds:
        r_pairs = r_cross = r_met = 0
        round_pairs: list[tuple[str, str]] = []
        for group in rnd.groups:
            groups += 1
            met = group.outcome is Outcome.MET
            r_met += met
            divisions = dict(zip(group.members, group.divisions, strict=True))
            taking_part.update(d for d in group.divisions if d is not None)
            for a, b in combinations(sorted(group.members), 2):
                r_pairs += 1
                r_cross += crosses(divisions[a], divisions[b])
                if (a, b) in seen_pairs:
                    repeated += 1
                round_pairs.append((a, b))
                if met:
                    met_pairs.add((a, b))
                    met_by_person.setdefault(a, set()).add(b)
                    met_by_person.setdefault(b, set()).add(a)
                    matrix[tuple(sorted((_division(divisions[a]), _division(divisions[b]))))] += 1  # type: ignore[index]
                    da, db = divisions[a], divisions[b]
                    if da is not None and db is not None and da != db:
                        bridged.add((da, db) if da < db else (db, da))
        seen_pairs.update(round_pairs)
        unmatched.update(rnd.unpaired)
        total_pairs += r_pairs
        cross_pairs += r_cross
        met_groups += r_met
        people = sum(len(g.members) for g in rnd.groups)
        trend.append(
            RoundTrend(
                rnd.day,
                len(rnd.groups),
                people,
                r_met,
                _share(r_met, len(rnd.groups)),
                _share(r_cross, r_pairs),
            )
        )
    counts = [len(met_by_person.get(key, ())) for key in facts.current_members]
    given = [s for s in facts.shoutouts if not s.milestone]
    return Stats(
        active=facts.statuses.get("active", 0),
        paused=facts.statuses.get("paused", 0),
        left=facts.statuses.get("left", 0),
        rounds=len(facts.rounds),
        groups=groups,
        meetup_rate=_share(met_groups, groups),
        cross_division_share=_share(cross_pairs, total_pairs),
        connections=len(met_pairs),
        median_colleagues_met=float(median(counts)) if counts else 0.0,
        shoutouts_given=len(given),
        shoutouts_cross_division=sum(
            1 for s in given if any(d is not None and d != s.giver_division for d in s.recipient_divisions)
        ),
        shoutouts_received=sum(len(s.recipients) for s in given),
        people_recognised=len({key for s in given for key in s.recipients}),
        milestones=len(facts.shoutouts) - len(given),
        unmatched=dict(unmatched),
        repeat_rate=_share(repeated, total_pairs),
        trend=tuple(trend),
        matrix=dict(matrix),
        division_pairs_met=len(bridged),
        division_pairs=len(taking_part) * (len(taking_part) - 1) // 2,
    )
