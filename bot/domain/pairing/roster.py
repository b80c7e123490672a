"""The request, indexed: members in a canonical order, history and blocks as integer pair keys.

Members are ordered by id so that the result does not depend on the order they came in.
Everything after this module works on indices 0..n-1; a pair (i, j) with i < j has the key
i * n + j.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice, repeat
from operator import and_, attrgetter, eq, lt, rshift

from bot.domain.pairing.model import Member, PairingRequest
from bot.domain.pairing.past import Indices, PairCosts
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
    penalty: PairCosts  # pair key -> what grouping them costs (repeats; blocks cost BLOCKED)
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
    request: PairingRequest, indices: Indices, division: list[int], blocked: set[int]
) -> tuple[PairCosts, set[int], list[int]]:
    """Repeat penalties per pair key (blocked pairs: -BLOCKED), pairs that never met, and the
    divisions each member has met."""
    n = len(division)
    seen = [0] * n
    division_bit = [1 << d for d in division]
    latest_first = sorted(request.history, key=attrgetter("date"), reverse=True)
    # Each time a pair was grouped, as one int: its key, shifted left by `bits`, and what that
    # time costs in the low bits (a slot: 2 * (age - 1) if they met or did not say, one more if
    # they said they did not; the last slot is a block). Sorted, a pair's times sit together
    # and add up: a list of ints for a moment instead of a dict of pairs held all through the run.
    slots = 2 * len(latest_first) + 1
    block = slots - 1
    bits = block.bit_length()
    slot_cost = [0] * block + [-BLOCKED]
    times: list[int] = []
    add = times.append
    for age, past in enumerate(latest_first, start=1):
        met_slot = 2 * (age - 1)
        slot_cost[met_slot], slot_cost[met_slot + 1] = repeat_penalty(age, True), repeat_penalty(age, False)
        plain, others = indices.pairs(past.groups)
        for x, y in plain:
            if x == y:
                continue
            seen[x] |= division_bit[y]
            seen[y] |= division_bit[x]
            add((x * n + y if x < y else y * n + x) << bits | met_slot)
        for x, y, met in others:
            seen[x] |= division_bit[y]
            seen[y] |= division_bit[x]
            add((x * n + y) << bits | (met_slot if met else met_slot + 1))
    times += [key << bits | block for key in blocked]
    times.sort()

    # The usual history, pairs who met, each once (a block on a pair never grouped is one time
    # too), is read by whole-list operations, in C.
    keys: array[int] = array("q", map(rshift, times, repeat(bits)))
    slot_of = list(map(and_, times, repeat((1 << bits) - 1)))
    if not any(slot & 1 for slot in set(slot_of)) and not any(map(eq, keys, islice(keys, 1, None))):
        return PairCosts(keys, array("q", map(slot_cost.__getitem__, slot_of))), set(), seen

    keys = array("q")
    costs: array[int] = array("q")
    never_met: set[int] = set()
    last, unmet_only = -1, False  # unmet_only: every time so far of pair `last` said they did not meet
    for time in times:
        key, slot = time >> bits, time & ((1 << bits) - 1)
        if key != last:
            if unmet_only:
                never_met.add(last)
            keys.append(key)
            costs.append(0)
            last, unmet_only = key, True
        if slot == block:  # the block's cost replaces the repeats' (its slot sorts last)
            costs[-1], unmet_only = -BLOCKED, False
        else:
            costs[-1] += slot_cost[slot]
            unmet_only = unmet_only and slot & 1 == 1
    if unmet_only:
        never_met.add(last)
    return PairCosts(keys, costs), never_met, seen


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


# Members from which the history is indexed with numpy: below it numpy's import (0.1 s) costs
# more than it saves, and `jembatan pair` on a small roster must start quickly.
BULK_FROM = 20_000

# The per-member parts below go through the members with C-level map()s, not a Python loop
# each: at 100,000 members each loop was 10-30 ms.


def _divisions(members: list[Member]) -> tuple[list[str | None], list[int]]:
    """The division names (no division first) and each member's code."""
    of = list(map(attrgetter("division"), members))
    names = sorted(set(of), key=lambda d: (d is not None, d or ""))
    code = {name: c for c, name in enumerate(names)}
    return names, list(map(code.__getitem__, of))


def _offsets(members: list[Member]) -> list[int]:
    offsets: list[int | None] = list(map(attrgetter("utc_offset_minutes"), members))
    if None not in offsets:
        return offsets  # type: ignore[return-value]  # no None in it: checked
    return [o if o is not None else UNKNOWN_OFFSET_SPACING * (i + 1) for i, o in enumerate(offsets)]


def _interests(members: list[Member]) -> tuple[list[str], list[list[int]], list[int]]:
    """The interest names, and each member's as indices and as a bit set; worked out once per
    distinct set (many people list the same ones), members with the same set share its list."""
    sets = list(map(attrgetter("interests"), members))
    # One lookup by set per member (equal sets may be different objects, compared item by
    # item): which member first had it; the rest is list indexing.
    first_with: dict[frozenset[str], int] = {}
    first = list(map(first_with.setdefault, sets, range(len(sets))))
    names = sorted(frozenset().union(*first_with))
    number = {t: b for b, t in enumerate(names)}
    bit = {t: 1 << b for b, t in enumerate(names)}
    known: list[list[int]] = [[]] * len(sets)
    masks = [0] * len(sets)
    for s, at in first_with.items():
        known[at], masks[at] = sorted(map(number.__getitem__, s)), sum(map(bit.__getitem__, s))
    return names, list(map(known.__getitem__, first)), list(map(masks.__getitem__, first))


def _blocked(pairs: Iterable[tuple[str, str]], ids: list[str]) -> set[int]:
    """Blocked pairs' keys; ids are sorted, so each is found by bisection (no id -> index dict
    for the few blocks there are)."""
    n = len(ids)
    blocked: set[int] = set()
    for a_id, b_id in pairs:
        a, b = bisect_left(ids, a_id), bisect_left(ids, b_id)
        if a == b or n in (a, b) or ids[a] != a_id or ids[b] != b_id:  # the same person; someone gone
            continue
        blocked.add(a * n + b if a < b else b * n + a)
    return blocked


def index_request(request: PairingRequest, *, bulk: bool | None = None) -> Roster:
    """`bulk`: index the history with numpy (None: from BULK_FROM members on, if there is any);
    both ways give the same Roster."""
    members, rank = _canonical(request.members)
    ids = list(map(attrgetter("id"), members))
    names, division = _divisions(members)
    interest_names, interest_ids, interests = _interests(members)
    blocked = _blocked(request.blocked, ids)
    indices = Indices(request, ids, rank)
    if bulk is None:
        bulk = len(members) >= BULK_FROM and bool(request.history)
    history = None
    if bulk:
        from bot.domain.pairing.bulk import bulk_history  # imports numpy: only for big rosters

        history = bulk_history(request, indices, division, blocked)
    penalty, never_met, seen = history or _history(request, indices, division, blocked)
    return Roster(
        members=members,
        division=division,
        division_names=names,
        offset_key=_offsets(members),
        interests=interests,
        interest_ids=interest_ids,
        interest_names=interest_names,
        penalty=penalty,
        blocked=blocked,
        never_met=never_met,
        seen_divisions=seen,
    )
