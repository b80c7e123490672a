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


def _seen(met: Flags) -> list[int]:
    """Each member's row of the member x division table as a bit set."""
    packed = np.packbits(met, axis=1, bitorder="little")
    wide = np.zeros((len(met), 8), np.uint8)
    wide[:, : packed.shape[1]] = packed
    seen: list[int] = wide.view("<u8").ravel().tolist()
    return seen


def _costs(times: Ints, bits: int, block: int, slot_cost: Ints) -> tuple[PairCosts, set[int]]:
    """Sorted times, a pair's together, added up per pair: PairCosts, and the pairs whose
    every time said they did not meet. Worked in place where it can: numpy's big temporaries
    come from the C heap, which keeps what they took (at 100,000 members, each is 3 MB)."""
    if not len(times):
        return PairCosts(array("q"), array("q")), set()
    slot = (times & ((1 << bits) - 1)).astype(np.uint8)
    keys = times
    keys >>= bits
    first = np.ones(len(keys), np.bool_)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    unmet = (slot & 1) == 1
    if first.all() and not unmet.any():  # the usual history: pairs who met, once each
        return _pair_costs(keys, slot_cost, slot), set()
    starts = np.flatnonzero(first)
    costs = np.add.reduceat(slot_cost[slot], starts)
    last = np.append(starts[1:], len(keys)) - 1
    costs[slot[last] == block] = -BLOCKED  # a block's cost replaces the repeats' (its slot sorts last)
    never_met = np.logical_and.reduceat(unmet, starts)  # a block's slot is even: never "never met"
    keys = keys[starts]
    never = set(keys[never_met].tolist())
    return _pair_costs(keys, costs), never


def _pair_costs(keys: Ints, costs: Ints, slot: npt.NDArray[np.uint8] | None = None) -> PairCosts:
    """PairCosts written straight into the arrays it keeps (costs[slot] when a slot is given),
    its filter's bits set by one unbuffered OR per key, in C. Uses `keys` up."""
    held_keys, held_costs = array("q", [0]) * len(keys), array("q", [0]) * len(keys)
    np.frombuffer(held_keys, np.int64)[:] = keys
    if slot is None:
        np.frombuffer(held_costs, np.int64)[:] = costs
    else:
        np.take(costs, slot, out=np.frombuffer(held_costs, np.int64))
    mask = filter_size(len(keys)) - 1
    maybe = bytearray(mask + 1)
    bit = (keys & 7).astype(np.uint8)
    np.left_shift(1, bit, out=bit)
    keys >>= 3
    keys &= mask
    np.bitwise_or.at(np.frombuffer(maybe, np.uint8), keys, bit)
    return PairCosts(held_keys, held_costs, maybe)
