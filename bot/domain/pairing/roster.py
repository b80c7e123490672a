"""The request, indexed: members in a canonical order, history and blocks as integer pair keys.

Members are ordered by id so that the result does not depend on the order they came in.
Everything after this module works on indices 0..n-1; a pair (i, j) with i < j has the key
i * n + j.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.pairing.model import Member, PairingRequest
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


def _history(
    request: PairingRequest, where: dict[str, int], division: list[int]
) -> tuple[dict[int, int], set[int], list[int]]:
    """Repeat penalties per pair key, pairs that never met, and the divisions each member has met."""
    n = len(division)
    penalty: dict[int, int] = {}
    unmet_penalty: dict[int, int] = {}
    seen = [0] * n
    division_bit = [1 << d for d in division]
    get = where.get
    latest_first = sorted(range(len(request.history)), key=lambda r: request.history[r].date, reverse=True)
    for age, r in enumerate(latest_first, start=1):
        met_keys: list[int] = []
        unmet_keys: list[int] = []
        for group in request.history[r].groups:
            ids = group.members
            if len(ids) == 2:  # the common case, kept quick
                a, b = get(ids[0], -1), get(ids[1], -1)
                if a < 0 or b < 0 or a == b:
                    continue
                (unmet_keys if group.met is False else met_keys).append(a * n + b if a < b else b * n + a)
                seen[a] |= division_bit[b]
                seen[b] |= division_bit[a]
                continue
            present = sorted({where[u] for u in ids if u in where})
            for x, a in enumerate(present):
                for b in present[x + 1 :]:
                    (unmet_keys if group.met is False else met_keys).append(a * n + b)
                    seen[a] |= division_bit[b]
                    seen[b] |= division_bit[a]
        # A pair grouped once (nearly all of them) holds the round's own cost object, not a
        # copy: 400,000 pairs' worth of int objects at 100,000 members.
        cost = repeat_penalty(age, True)
        for key in met_keys:
            if key in penalty:
                penalty[key] += cost
            else:
                penalty[key] = cost
        cost = repeat_penalty(age, False)
        for key in unmet_keys:
            penalty[key] = penalty.get(key, 0) + cost
            unmet_penalty[key] = unmet_penalty.get(key, 0) + cost
    never_met = {key for key, cost in unmet_penalty.items() if penalty[key] == cost}
    return penalty, never_met, seen


def index_request(request: PairingRequest) -> Roster:
    unique: dict[str, Member] = {}
    for member in request.members:
        unique.setdefault(member.id, member)
    members = [unique[i] for i in sorted(unique)]
    n = len(members)
    where = {m.id: i for i, m in enumerate(members)}

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

    penalty, never_met, seen = _history(request, where, division)

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
