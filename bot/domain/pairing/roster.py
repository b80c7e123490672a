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


def filter_size(pairs: int) -> int:
    """Bytes of PairCosts' filter for that many pairs: 64 bits a pair, a power of two, so that
    about 1 % of "no"s get past it."""
    size = 64
    while size < 8 * pairs:
        size *= 2
    return size


class PairCosts:
    """Pair key -> what grouping the pair costs, for the few pairs that have a cost (0 for the rest).

    At 100,000 members with 8 rounds of history that is 400,000 pairs: a dict took 84 bytes a
    pair (its table and an int object per key), the largest thing the engine held. Here the keys
    sit sorted in one array and their costs in another (16 bytes a pair), found by bisection;
    and since the engine asks about far more pairs than ever met (about 700,000 questions, 1,600
    yes at that size), a bit per slot of a hash filter (8 bytes a pair) answers nearly every "no"
    in one indexing step, as fast as the dict did. `maybe` and `mask` are public so the hot loops
    in `weights` can ask the filter inline: `maybe[key >> 3 & mask] >> (key & 7) & 1`.
    """

    __slots__ = ("_costs", "_keys", "mask", "maybe")

    def __init__(self, keys: array[int], costs: array[int], maybe: bytearray | None = None) -> None:
        """keys sorted, unique; costs[i] is keys[i]'s; `maybe`, the filter already made for them
        (by whole-array operations, for a big roster), or None to make it here."""
        self._keys, self._costs = keys, costs
        self.mask = filter_size(len(keys)) - 1
        if maybe is not None:
            self.maybe = maybe
            return
        self.maybe = bytearray(self.mask + 1)
        filter_bits, mask = self.maybe, self.mask
        for key in keys:
            filter_bits[key >> 3 & mask] |= 1 << (key & 7)

    def find(self, key: int) -> int:
        """The cost, 0 if none; the filter already passed (or not asked)."""
        keys = self._keys
        i = bisect_left(keys, key)
        return self._costs[i] if i < len(keys) and keys[i] == key else 0

    def get(self, key: int, default: int = 0) -> int:
        if not self.maybe[key >> 3 & self.mask] >> (key & 7) & 1:
            return default
        keys = self._keys
        i = bisect_left(keys, key)
        return self._costs[i] if i < len(keys) and keys[i] == key else default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int) or not self.maybe[key >> 3 & self.mask] >> (key & 7) & 1:
            return False
        keys = self._keys
        i = bisect_left(keys, key)
        return i < len(keys) and keys[i] == key

    def __getitem__(self, key: int) -> int:
        if key not in self:
            raise KeyError(key)
        return self.find(key)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> Iterable[tuple[int, int]]:
        return zip(self._keys, self._costs, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PairCosts):
            return self._keys == other._keys and self._costs == other._costs
        if isinstance(other, dict):
            return len(other) == len(self) and all(other.get(k) == c for k, c in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking equality, as a dict's

    def __repr__(self) -> str:
        return f"PairCosts({dict(self.items())!r})"


class _Indices:
    """Turns a past round into member indices: from ids, or, for FlatGroups over the request's
    own member list, from its positions, with no id to look up."""

    def __init__(self, request: PairingRequest, ids: list[str], rank: list[int] | None) -> None:
        self.members, self.ids, self.rank = request.members, ids, rank  # rank None: positions are indices
        self._where: dict[str, int] | None = None

    @property
    def where(self) -> dict[str, int]:
        """id -> index; made when a round comes as ids (a round of positions needs none)."""
        if self._where is None:
            self._where = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._where

    def positions(self, groups: Sequence[PastGroup], *, copy: bool = True) -> list[int] | None:
        """A round of pairs only, over the request's own list, none of which said: at[0] with
        at[1], ... as indices; None for any other round (and [] for one when not `copy`)."""
        if not isinstance(groups, FlatGroups) or groups.members is not self.members:
            return None
        if groups.starts is not None or groups.met:
            return None
        if not copy:
            return []
        return groups.at.tolist() if self.rank is None else list(map(self.rank.__getitem__, groups.at))

    def pairs(
        self, groups: Sequence[PastGroup]
    ) -> tuple[Iterable[tuple[int, int]], list[tuple[int, int, bool]]]:
        """The round's pairs that did not say they did not meet, as (a, b) (a == b possible, from
        a careless caller); those of bigger groups or of groups that said, as (a, b, met), a < b.
        People no longer on the roster are left out. Most rounds are pairs only: one step per
        pair, and none at all per group when they come as positions."""
        at = self.positions(groups)
        if at is not None:
            pairs = iter(at)
            return zip(pairs, pairs, strict=False), []  # at[0] with at[1], ...
        if isinstance(groups, FlatGroups) and groups.members is self.members:
            at = groups.at.tolist() if self.rank is None else list(map(self.rank.__getitem__, groups.at))
            spans = (groups.bounds(g) for g in range(len(groups)))
            return _split(
                [(at[start:end], groups.met.get(g) is not False) for g, (start, end) in enumerate(spans)]
            )
        return self.by_id(groups)

    def by_id(self, groups: Sequence[PastGroup]) -> tuple[list[tuple[int, int]], list[tuple[int, int, bool]]]:
        where = self.where
        get = where.get
        plain: list[tuple[int, int]] = []
        bigger: list[tuple[list[int], bool]] = []
        for group in groups:
            ids = group.members
            if len(ids) == 2 and group.met is not False:  # the common case, kept to one step
                a, b = get(ids[0]), get(ids[1])
                if a is not None and b is not None:
                    plain.append((a, b))
            else:
                bigger.append(([where[u] for u in ids if u in where], group.met is not False))
        more, others = _split(bigger)
        return plain + more, others


def _split(groups: list[tuple[list[int], bool]]) -> tuple[list[tuple[int, int]], list[tuple[int, int, bool]]]:
    plain: list[tuple[int, int]] = []
    others: list[tuple[int, int, bool]] = []
    for present, said in groups:
        if len(present) == 2 and said:
            plain.append((present[0], present[1]))
            continue
        present = sorted(set(present))
        others += [(x, y, said) for i, x in enumerate(present) for y in present[i + 1 :]]
    return plain, others


def _history(
    request: PairingRequest, indices: _Indices, division: list[int], blocked: set[int]
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
    indices = _Indices(request, ids, rank)
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
