"""The leaderboard's scoring rule: a point for each shout-out received and each meetup confirmed,
so recognising people and meeting them feed each other. Plain facts in, standings out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

TOP = 10  # the board shows this many; the rest are not ranked in public


@dataclass(frozen=True, slots=True)
class GivenShoutOut:
    giver_user: str | None  # None for a milestone (Jembatan gave it) or once the giver was forgotten
    giver_division: str | None  # as it was when given
    recipients: tuple[tuple[str | None, str | None], ...]  # (user id, None once forgotten; division then)
    milestone: bool  # a celebration Jembatan posted, not recognition from a colleague


@dataclass(frozen=True, slots=True)
class ConfirmedMeetup:
    """One group a member was in that said it met: a point for that member."""

    user_id: str
    division: str | None  # the member's division today (a person's points follow them)


@dataclass(frozen=True, slots=True)
class LeaderboardFacts:
    shoutouts: tuple[GivenShoutOut, ...]  # oldest first
    meetups: tuple[ConfirmedMeetup, ...]  # members in the order they joined


@dataclass(frozen=True, slots=True)
class Standing:
    who: str  # a user id, or a division name (`no_division` for people without one)
    points: int
    received: int
    given: int


def standings(facts: LeaderboardFacts, *, by_division: bool, no_division: str) -> list[Standing] | None:
    """The top of the board, most points first; ties keep the order the facts came in (those
    recognised first, then members in joining order). None when nobody received, gave or met."""

    def who(user: str | None, division: str | None) -> str | None:
        if by_division:
            return division or no_division
        return user  # a forgotten person counts for nobody

    received: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for shoutout in facts.shoutouts:
        if shoutout.milestone:
            continue
        for user, division in shoutout.recipients:
            if (recipient := who(user, division)) is not None:
                received[recipient] += 1
        if (giver := who(shoutout.giver_user, shoutout.giver_division)) is not None:
            given[giver] += 1
    points: Counter[str] = Counter(received)
    for meetup in facts.meetups:
        points[(meetup.division or no_division) if by_division else meetup.user_id] += 1
    if not points and not given:
        return None
    return [Standing(label, score, received[label], given[label]) for label, score in points.most_common(TOP)]
