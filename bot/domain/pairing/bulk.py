"""A big roster's history indexed by whole-array operations (numpy), for `roster.index_request`.

It gives what `roster._history` gives, the same to the bit: at 100,000 members with 8 rounds
of history (400,000 past pairs) the per-pair Python loops took 0.3 s, these take a few
hundredths. Imported only for big rosters: numpy's import alone takes 0.1 s.
What the engine reads in its hot loops stays Python's (a bytearray, lists, arrays): indexing
a numpy array one element at a time from Python is slower than indexing a list.
"""

from __future__ import annotations

import os
import sys
from array import array
from collections.abc import Sequence
from itertools import chain, repeat
from operator import attrgetter
from typing import TypeAlias

if "numpy" not in sys.modules:
    # Nothing here multiplies matrices, yet numpy's BLAS starts a thread per core on import,
    # whose start-up spin cost 0.04-0.1 s of CPU (as much as the indexing itself); one thread
    # then. A process that set its own number, or imported numpy first, keeps its choice.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # after the thread setting, which numpy reads on import
import numpy.typing as npt

from bot.domain.pairing.model import FlatGroups, PairingRequest, PastGroup
from bot.domain.pairing.repeats import BLOCKED, repeat_penalty
from bot.domain.pairing.roster import PairCosts, _Indices, filter_size

Ints: TypeAlias = npt.NDArray[np.int64]
Flags: TypeAlias = npt.NDArray[np.bool_]
History: TypeAlias = tuple[PairCosts, set[int], list[int]]

MAX_DIVISIONS = 64  # the divisions a member has met are one uint64 here


def bulk_history(
    request: PairingRequest, indices: _Indices, division: list[int], blocked: set[int]
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
    firsts, seconds, slots = [], [], []
    for age, past in enumerate(latest_first, start=1):
        met_slot = 2 * (age - 1)
        slot_cost[met_slot], slot_cost[met_slot + 1] = repeat_penalty(age, True), repeat_penalty(age, False)
        x, y, said = _round(past.groups, indices)
        firsts.append(x)
        seconds.append(y)
        slots.append(np.where(said, met_slot, met_slot + 1))
    x, y, slot = np.concatenate(firsts), np.concatenate(seconds), np.concatenate(slots)
    apart = x != y  # a careless caller's group of one person twice
    x, y, slot = x[apart], y[apart], slot[apart]
    seen = _seen(x, y, np.array(division, np.int64), kinds)
    times = (np.minimum(x, y) * n + np.maximum(x, y)) << bits | slot
    if blocked:
        times = np.concatenate([times, np.array(sorted(blocked), np.int64) << bits | block])
    times.sort()
    return (*_costs(times, bits, block, slot_cost), seen)


def _round(groups: Sequence[PastGroup], indices: _Indices) -> tuple[Ints, Ints, Flags]:
    """The round's pairs as member indices (x[i], y[i]), and whether each did not say they did
    not meet; a == b possible; people no longer on the roster left out."""
    if indices.positions(groups, copy=False) is not None:  # the usual round from the bot
        assert isinstance(groups, FlatGroups)
        flat = np.asarray(groups.at).astype(np.int64)[: len(groups.at) // 2 * 2]  # its buffer, not a list
        if indices.rank is not None:
            flat = np.array(indices.rank, np.int64)[flat]
        return flat[0::2], flat[1::2], np.ones(len(flat) // 2, np.bool_)
    if not isinstance(groups, FlatGroups):
        groups = list(groups)  # read once, as a caller may make them as they are read
        named = list(map(attrgetter("members"), groups))
        if set(map(len, named)) == {2} and set(map(attrgetter("met"), groups)) <= {None, True}:
            return _pairs_by_id(named, indices.where)
    plain, others = indices.pairs(groups)
    two = np.array(list(plain), np.int64).reshape(-1, 2)
    three = np.array(others, np.int64).reshape(-1, 3)
    said = np.concatenate([np.ones(len(two), np.bool_), three[:, 2] != 0])
    return np.concatenate([two[:, 0], three[:, 0]]), np.concatenate([two[:, 1], three[:, 1]]), said


def _pairs_by_id(named: list[tuple[str, ...]], where: dict[str, int]) -> tuple[Ints, Ints, Flags]:
    """A round of pairs by id, none of which said: looked up in C, -1 for someone gone."""
    flat = np.array(list(map(where.get, chain.from_iterable(named), repeat(-1))), np.int64)
    x, y = flat[0::2], flat[1::2]
    present = (x >= 0) & (y >= 0)
    return x[present], y[present], np.ones(int(present.sum()), np.bool_)


def _seen(x: Ints, y: Ints, division: Ints, kinds: int) -> list[int]:
    """Bit set of the divisions each member was grouped with, from a member x division table."""
    met = np.zeros((len(division), kinds), np.bool_)
    met[x, division[y]] = True
    met[y, division[x]] = True
    packed = np.packbits(met, axis=1, bitorder="little")
    wide = np.zeros((len(division), 8), np.uint8)
    wide[:, : packed.shape[1]] = packed
    seen: list[int] = wide.view("<u8").ravel().tolist()
    return seen


def _costs(times: Ints, bits: int, block: int, slot_cost: Ints) -> tuple[PairCosts, set[int]]:
    """Sorted times, a pair's together, added up per pair: PairCosts, and the pairs whose
    every time said they did not meet."""
    if not len(times):
        return PairCosts(array("q"), array("q")), set()
    keys, slot = times >> bits, times & ((1 << bits) - 1)
    first = np.ones(len(keys), np.bool_)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    unmet = (slot & 1) == 1
    if first.all() and not unmet.any():  # the usual history: pairs who met, once each
        return _pair_costs(keys, slot_cost[slot]), set()
    starts = np.flatnonzero(first)
    costs = np.add.reduceat(slot_cost[slot], starts)
    last = np.append(starts[1:], len(keys)) - 1
    costs[slot[last] == block] = -BLOCKED  # a block's cost replaces the repeats' (its slot sorts last)
    keys = keys[starts]
    never_met = np.logical_and.reduceat(unmet, starts)  # a block's slot is even: never "never met"
    return _pair_costs(keys, costs), set(keys[never_met].tolist())


def _pair_costs(keys: Ints, costs: Ints) -> PairCosts:
    """PairCosts with its filter's bits set by one unbuffered OR per key, in C."""
    mask = filter_size(len(keys)) - 1
    maybe = np.zeros(mask + 1, np.uint8)
    np.bitwise_or.at(maybe, (keys >> 3) & mask, np.left_shift(1, keys & 7).astype(np.uint8))
    return PairCosts(_array(keys), _array(costs), bytearray(maybe))


def _array(values: Ints) -> array[int]:
    return array("q", values.astype(np.int64).tobytes())  # no Python int per value
