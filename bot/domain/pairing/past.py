"""The history's building blocks, shared by both ways of indexing it (roster.py in Python,
bulk.py with numpy for big rosters): what past pairs cost (`PairCosts`), and a past round's
groups as member indices (`Indices`, `split_groups`)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from bot.domain.pairing.model import FlatGroups, PairingRequest, PastGroup


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


class Indices:
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
            return split_groups(
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
        more, others = split_groups(bigger)
        return plain + more, others


def split_groups(
    groups: list[tuple[list[int], bool]],
) -> tuple[list[tuple[int, int]], list[tuple[int, int, bool]]]:
    plain: list[tuple[int, int]] = []
    others: list[tuple[int, int, bool]] = []
    for present, said in groups:
        if len(present) == 2 and said:
            plain.append((present[0], present[1]))
            continue
        present = sorted(set(present))
        others += [(x, y, said) for i, x in enumerate(present) for y in present[i + 1 :]]
    return plain, others
