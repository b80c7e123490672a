"""A big roster's history indexed by whole-array operations (numpy), for `roster.index_request`.

It gives what `roster._history` gives, the same to the bit: at 100,000 members with 8 rounds
of history (400,000 past pairs) the per-pair Python loops took 0.3 s, these take a few
hundredths. Imported only for big rosters: numpy's import alone takes 0.1 s.
What the engine reads in its hot loops stays Python's (a bytearray, lists, arrays): indexing
a numpy array one element at a time from Python is slower than indexing a list.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain, combinations, repeat
from operator import attrgetter
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from bot.domain.pairing.model import FlatGroups, PairingRequest, PastGroup
from bot.domain.pairing.past import Indices, PairCosts, filter_size, split_groups
from bot.domain.pairing.repeats import BLOCKED, repeat_penalty

Ints: TypeAlias = npt.NDArray[np.int64]
Flags: TypeAlias = npt.NDArray[np.bool_]
History: TypeAlias = tuple[PairCosts, set[int], list[int]]

MAX_DIVISIONS = 64  # the divisions a member has met are one uint64 here


def bulk_history(
    request: PairingRequest, indices: Indices, division: list[int], blocked: set[int]
) -> History | None:
    """Repeat penalties per pair key (blocked pairs: -BLOCKED), pairs that never met, and the
    divisions each member has met; None when this way cannot hold them (more than 64
    divisions), for the caller to take the other."""
    n = len(division)
    kinds = max(division, default=0) + 1
    latest_first = sorted(request.history, key=attrgetter("date"), reverse=True)
    # As in roster._history: each time a pair was grouped is its key shifted left by `bits`,
    # with the slot of what that time costs in the low bits; the last slot is a block.
    block = 2 * len(latest_first)
    bits = block.bit_length()
    if kinds > MAX_DIVISIONS or n * n << bits >= 1 << 63:
        return None
    slot_cost = np.zeros(block + 1, np.int64)
    slot_cost[block] = -BLOCKED
    division_of = np.array(division, np.int8)
    met = np.zeros((n, kinds), np.bool_)  # member x division: grouped with someone of it
    parts = []  # a round at a time, so that only its times outlive it (memory: see _costs)
    for age, past in enumerate(latest_first, start=1):
        met_slot = 2 * (age - 1)
        slot_cost[met_slot], slot_cost[met_slot + 1] = repeat_penalty(age, True), repeat_penalty(age, False)
        x, y, said = _round(past.groups, indices)
        apart = x != y  # a careless caller's group of one person twice
        x, y, said = x[apart], y[apart], said[apart]
        met[x, division_of[y]] = True
        met[y, division_of[x]] = True
        times = np.minimum(x, y).astype(np.int64)
        times *= n
        times += np.maximum(x, y)
        times <<= bits
        times |= np.where(said, met_slot, met_slot + 1)
        parts.append(times)
    if blocked:
        parts.append(np.array(sorted(blocked), np.int64) << bits | block)
    times = np.concatenate(parts)
    del parts
    times.sort()
    return (*_costs(times, bits, block, slot_cost), _seen(met))


def _round(groups: Sequence[PastGroup], indices: Indices) -> tuple[Ints, Ints, Flags]:
    """The round's pairs as member indices (x[i], y[i]), and whether each did not say they did
    not meet; a == b possible; people no longer on the roster left out."""
    if isinstance(groups, FlatGroups) and groups.members is indices.members:  # from the bot
        at = np.asarray(groups.at).astype(np.int64)  # its buffer, not a list
        if indices.rank is not None:
            at = np.array(indices.rank, np.int64)[at]
        if indices.positions(groups, copy=False) is not None:  # the usual round: pairs only
            at = at[: len(at) // 2 * 2]
            return at[0::2], at[1::2], np.ones(len(at) // 2, np.bool_)
        return _flat_groups(groups, at)
    if not isinstance(groups, FlatGroups):
        groups = list(groups)  # read once, as a caller may make them as they are read
        named = list(map(attrgetter("members"), groups))
        if set(map(len, named)) == {2} and set(map(attrgetter("met"), groups)) <= {None, True}:
            return _pairs_by_id(named, indices.where)
    plain, others = indices.pairs(groups)
    return _arrays(list(plain), others)


def _arrays(plain: list[tuple[int, int]], others: list[tuple[int, int, bool]]) -> tuple[Ints, Ints, Flags]:
    two = np.array(plain, np.int64).reshape(-1, 2)
    three = np.array(others, np.int64).reshape(-1, 3)
    said = np.concatenate([np.ones(len(two), np.bool_), three[:, 2] != 0])
    return np.concatenate([two[:, 0], three[:, 0]]), np.concatenate([two[:, 1], three[:, 1]]), said


def _flat_groups(groups: FlatGroups, at: Ints) -> tuple[Ints, Ints, Flags]:
    """A round of groups of any size as positions (member indices `at`), some of which said:
    the groups of each size at once, a column of pairs at a time. A group naming someone twice
    has each of its pairs once, as in past.split_groups: those few go its way."""
    count = len(groups)
    starts = (
        np.asarray(groups.starts).astype(np.int64) if groups.starts is not None else np.arange(count + 1) * 2
    )
    sizes = np.diff(starts)
    said = np.ones(count, np.bool_)
    unmet = [g for g, met in groups.met.items() if met is False and 0 <= g < count]
    said[unmet] = False
    xs, ys, saids = [], [], []
    twice: list[tuple[list[int], bool]] = []
    for size in np.unique(sizes[sizes >= 2]).tolist():
        chosen = np.flatnonzero(sizes == size)
        rows = at[starts[chosen][:, None] + np.arange(size)]
        said_of = said[chosen]
        if size > 2:  # a pair naming someone twice is no pair either way: the caller drops it
            ordered = np.sort(rows, axis=1)
            repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
            twice += zip(rows[repeated].tolist(), said_of[repeated].tolist(), strict=True)
            rows, said_of = rows[~repeated], said_of[~repeated]
        for a, b in combinations(range(size), 2):
            xs.append(rows[:, a])
            ys.append(rows[:, b])
            saids.append(said_of)
    plain, others = split_groups(twice)
    x, y, said_plain = _arrays(plain, others)
    return np.concatenate([*xs, x]), np.concatenate([*ys, y]), np.concatenate([*saids, said_plain])


def _pairs_by_id(named: list[tuple[str, ...]], where: dict[str, int]) -> tuple[Ints, Ints, Flags]:
    """A round of pairs by id, none of which said: looked up in C, -1 for someone gone."""
    flat = np.array(list(map(where.get, chain.from_iterable(named), repeat(-1))), np.int64)
    x, y = flat[0::2], flat[1::2]
    present = (x >= 0) & (y >= 0)
    return x[present], y[present], np.ones(int(present.sum()), np.bool_)


def _seen(met: Flags) -> list[int]:
    """Each member's row of the member x division table as a bit set."""
    packed = np.packbits(met, axis=1, bitorder="little")
    wide = np.zeros((len(met), 8), np.uint8)
    wide[:, : packed.shape[1]] = packed
    seen: list[int] = wide.view("<u8").ravel().tolist()
    return seen


def _costs(times: Ints, bits: int, block: int, slot_cost: Ints) -> tuple[PairCosts, set[int]]:
    """Sorted times, a pair's together, added up per pair: PairCosts, and the pairs whose
    every time said they did not meet. Written straight into the arrays PairCosts keeps, with
    `times` itself as the scratch space (used up): numpy's big temporaries come from the C
    heap, which keeps what they took (at 100,000 members, each is 3-4 MB)."""
    if not len(times):
        return PairCosts(array("q"), array("q")), set()
    # The smallest type that holds every slot: a history of 128 rounds or more has slots past 255.
    slot = (times & ((1 << bits) - 1)).astype(np.min_scalar_type(block))
    keys = times
    keys >>= bits
    first = np.ones(len(keys), np.bool_)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    unmet = (slot & 1) == 1
    if first.all() and not unmet.any():  # the usual history: pairs who met, once each
        held_keys, key_of = _held(len(keys))
        held_costs, cost_of = _held(len(keys))
        key_of[:] = keys
        np.take(slot_cost, slot, out=cost_of)
        return PairCosts(held_keys, held_costs, _filter(key_of, keys)), set()
    starts = np.flatnonzero(first)
    held_keys, key_of = _held(len(starts))
    held_costs, cost_of = _held(len(starts))
    np.take(keys, starts, out=key_of)
    np.take(slot_cost, slot, out=keys)  # each time's cost
    np.add.reduceat(keys, starts, out=cost_of)
    cost_of[np.logical_or.reduceat(slot == block, starts)] = -BLOCKED  # a block's replaces the repeats'
    never_met = np.logical_and.reduceat(unmet, starts)  # a block's slot is even: never "never met"
    return PairCosts(held_keys, held_costs, _filter(key_of, keys)), set(key_of[never_met].tolist())


def _held(size: int) -> tuple[array[int], Ints]:
    """An array PairCosts keeps, and a numpy view to write it through."""
    held = array("q", [0]) * size
    return held, np.frombuffer(held, np.int64)


def _filter(keys: Ints, scratch: Ints) -> bytearray:
    """PairCosts' filter for `keys`, its bits set by one unbuffered OR per key, in C;
    `scratch`, as long as `keys` or longer, is used up."""
    mask = filter_size(len(keys)) - 1
    maybe = bytearray(mask + 1)
    work = scratch[: len(keys)]
    np.bitwise_and(keys, 7, out=work)
    bit = work.astype(np.uint8)
    np.left_shift(1, bit, out=bit)
    np.right_shift(keys, 3, out=work)
    work &= mask
    np.bitwise_or.at(np.frombuffer(maybe, np.uint8), work, bit)
    return maybe
