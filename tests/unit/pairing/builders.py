"""Test data for the pairing engine: rosters, history and the facts tests check about results."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import combinations

from bot.domain.pairing import Member, PairingResult, PastGroup, PastRound

ZONES = (-480, -300, 0, 60, 330, 420, 480, 540)  # minutes east of UTC
INTERESTS = ("chess", "climbing", "coffee", "cooking", "cycling", "football", "gardening", "music")


def member(i: int, division: str | None = "Sales", offset: int | None = 420, *interests: str) -> Member:
    return Member(f"U{i:04d}", division, offset, frozenset(interests))


def roster(n: int, *, divisions: int = 6, seed: int = 1, skew: float = 1.0) -> list[Member]:
    """n people; division sizes fall off like a power law (the first one is the biggest)."""
    rng = random.Random(seed)
    weights = [1 / (d + 1) ** skew for d in range(divisions)]
    return [
        Member(
            f"U{i:04d}",
            f"D{rng.choices(range(divisions), weights)[0]}",
            rng.choice(ZONES),
            frozenset(rng.sample(INTERESTS, rng.randint(0, 2))),
        )
        for i in range(n)
    ]


def past_round(week: int, groups: Iterable[Sequence[str]], met: bool | None = None) -> PastRound:
    return PastRound(
        date(2026, 1, 5) + timedelta(weeks=week), tuple(PastGroup(tuple(g), met) for g in groups)
    )


def round_from(result: PairingResult, week: int) -> PastRound:
    return past_round(week, (g.members for g in result.groups))


def pairs_of(groups: Iterable[Sequence[str]]) -> list[frozenset[str]]:
    return [frozenset(p) for g in groups for p in combinations(g, 2)]


def result_pairs(result: PairingResult) -> list[frozenset[str]]:
    return pairs_of(g.members for g in result.groups)


def placed(result: PairingResult) -> list[str]:
    return [m for g in result.groups for m in g.members]


def largest_division(members: Sequence[Member]) -> int:
    return max(Counter(m.division for m in members).values(), default=0)
