"""The request, indexed: members in a canonical order, history and blocks as integer pair keys.

Members are ordered by id so that the result does not depend on the order they came in.
Everything after this module works on indices 0..n-1; a pair (i, j) with i < j has the key
i * n + j.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import add, attrgetter, eq, lt, mul

from bot.domain.pairing.model import FlatGroups, Member, PairingRequest, PastGroup
from bot.domain.pairing.repeats import BLOCKED, repeat_penalty

UNKNOWN_OFFSET_SPACING = 10_000_000  # unknown time zones sit far from every real offset and from each other


@dataclass(slots=True)
class Roster:
    members: list[Member]
    division: list[int]  # a code per member; members without a division share one code
    division_names: list[str | None]
    offset_key: list[int]  # UTC offset in minutes, or a far-away stand-in when unknown
    interests: list[int]  # bit set over interest_names
    interest_ids: list[list[int]]  # the same, as a list of indices into interest_names
    interest_names: list[str]
    penalty: dict[int, int]  # pair key -> what grouping them costs (repeats; blocks cost BLOCKED)
    blocked: set[int]
    never_met: set[int]  # pairs grouped before who each time said they did not meet
    seen_divisions: list[int]  # bit set of divisions each member was grouped with in the history

    @property
    def size(self) -> int:
        return len(self.members)

    def key(self, i: int, j: int) -> int:
        n = len(self.members)
        return i * n + j if i < j else j * n + i

    def grouped_before(self, key: int) -> bool:
        return key in self.penalty and key not in self.blocked


class _Indices:
    """Turns a past round into member indices: from ids, or, for FlatGroups over the request's
    own member list, from its positions, with no id to look up."""

    def __init__(self, request: PairingRequest, where: dict[str, int], rank: list[int] | None) -> None:
        self.members, self.where, self.rank = request.members, where, rank  # rank None: positions are indices

    def groups(self, groups: Sequence[PastGroup]) -> Iterator[tuple[list[int], bool]]:
        """Each group's members present (as indices), and whether it did not say it did not meet."""
        if isinstance(groups, FlatGroups) and groups.members is self.members:
            found = self.positions(groups)
            met = groups.met.get
            for g in range(len(groups)):
                start, end = groups.bounds(g)
                yield found[start:end], met(g) is not False
            return
        where = self.where
        for group in groups:
            yield [where[u] for u in group.members if u in where], group.met is not False

    def positions(self, groups: FlatGroups) -> list[int]:
        return groups.at.tolist() if self.rank is None else list(map(self.rank.__getitem__, groups.at))

    def pairs(self, groups: Sequence[PastGroup]) -> tuple[list[int], list[int], list[tuple[int, int, bool]]]:
        """The round's pairs as two lists of indices (a[i] with b[i]), and the pairs of bigger groups
        or of groups that said whether they met, as (x, y, not said they did not meet).

        Most rounds are pairs that did not say: those go through `map`, in C, not a Python step
        per group. People no longer on the roster are left out."""
        found: list[int] | None = None
        if isinstance(groups, FlatGroups) and groups.members is self.members:
            if groups.starts is None and not groups.met:
                found = self.positions(groups)
        else:
            members = list(map(attrgetter("members"), groups))
            if set(map(len, members)) <= {2} and False not in map(attrgetter("met"), groups):
                found = list(map(self.where.get, chain.from_iterable(members), repeat(-1)))
        if found is not None:
            a, b = found[0::2], found[1::2]
            if -1 not in found and not any(map(eq, a, b)):
                return a, b, []
        a, b, others = [], [], []
        for present, said in self.groups(groups):
            present = sorted(set(present))
            if len(present) == 2 and said:
                a.append(present[0])
                b.append(present[1])
            else:
                others += [(x, y, said) for i, x in enumerate(present) for y in present[i + 1 :]]
        return a, b, others


def _history(
    request: PairingRequest, indices: _Indices, division: list[int]
) -> tuple[dict[int, int], set[int], list[int]]:
    """Repeat penalties per pair key, pairs that never met, and the divisions each member has met."""
    n = len(division)
    penalty: dict[int, int] = {}
    unmet_penalty: dict[int, int] = {}
    seen = [0] * n
    division_bit = [1 << d for d in division]
    latest_first = sorted(request.history, key=attrgetter("date"), reverse=True)
    for age, past in enumerate(latest_first, start=1):
        a, b, others = indices.pairs(past.groups)
        for x, y in zip(a, b, strict=True):
            seen[x] |= division_bit[y]
            seen[y] |= division_bit[x]
        # Pair keys, min * n + max, all in C; a pair grouped once (nearly all of them) holds
        # the round's own cost object, not a copy of it.
        keys = list(map(add, map(mul, map(min, a, b), repeat(n)), map(max, a, b)))
        cost = repeat_penalty(age, True)
        fresh = dict.fromkeys(keys, cost)
        again = {key: penalty[key] + cost for key in fresh.keys() & penalty.keys()}
        if len(fresh) < len(keys):  # a pair listed twice in one round counts twice
            for key, times in Counter(keys).items():
                if times > 1:
                    again[key] = again.get(key, penalty.get(key, 0) + cost) + cost * (times - 1)
        penalty.update(fresh)
        penalty.update(again)
        for x, y, met in others:
            seen[x] |= division_bit[y]
            seen[y] |= division_bit[x]
            key = x * n + y if x < y else y * n + x
            cost = repeat_penalty(age, None if met else False)
            penalty[key] = penalty.get(key, 0) + cost
            if not met:
                unmet_penalty[key] = unmet_penalty.get(key, 0) + cost
    never_met = {key for key, cost in unmet_penalty.items() if penalty[key] == cost}
    return penalty, never_met, seen


def _canonical(given: Sequence[Member]) -> tuple[list[Member], list[int] | None]:
    """Members by id, each once, and where each given member went (None: nowhere else, as
    they came in order already, the common case, checked in C)."""
    ids = list(map(attrgetter("id"), given))
    if all(map(lt, ids, islice(ids, 1, None))):
        return list(given), None
    unique: dict[str, Member] = {}
    for member in given:
        unique.setdefault(member.id, member)
    members = [unique[i] for i in sorted(unique)]
    where = {m.id: i for i, m in enumerate(members)}
    return members, [where[i] for i in ids]


def index_request(request: PairingRequest) -> Roster:
    members, rank = _canonical(request.members)
    n = len(members)
    where = dict(zip(map(attrgetter("id"), members), range(n), strict=True))

    names = sorted({m.division for m in members}, key=lambda d: (d is not None, d or ""))
    code = {name: c for c, name in enumerate(names)}
    division = [code[m.division] for m in members]

    offset_key = [
        m.utc_offset_minutes if m.utc_offset_minutes is not None else UNKNOWN_OFFSET_SPACING * (i + 1)
        for i, m in enumerate(members)
    ]

    interest_names = sorted({t for m in members for t in m.interests})
    number = {t: b for b, t in enumerate(interest_names)}
    known: dict[frozenset[str], list[int]] = {}  # many people list the same interests
    for m in members:
        if m.interests not in known:
            known[m.interests] = sorted(number[t] for t in m.interests)
    interest_ids = [known[m.interests] for m in members]
    masks = {key: sum(1 << b for b in ids) for key, ids in known.items()}
    interests = [masks[m.interests] for m in members]

    penalty, never_met, seen = _history(request, _Indices(request, where, rank), division)

    blocked: set[int] = set()
    for a_id, b_id in request.blocked:
        a, b = where.get(a_id), where.get(b_id)
        if a is None or b is None or a == b:
            continue
        key = a * n + b if a < b else b * n + a
        blocked.add(key)
        penalty[key] = -BLOCKED
        never_met.discard(key)

    return Roster(
        members=members,
        division=division,
        division_names=names,
        offset_key=offset_key,
        interests=interests,
        interest_ids=interest_ids,
        interest_names=interest_names,
        penalty=penalty,
        blocked=blocked,
        never_met=never_met,
        seen_divisions=seen,
    )
