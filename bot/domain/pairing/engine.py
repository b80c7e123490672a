"""The pairing engine: members, history and blocks in; groups, reasons and what had to bend out.

The steps, each in a module of its own:
1. `roster`   index the request (canonical order by id; history and blocks as pair keys);
   `weights`  one integer per pair, in tiers that follow the rules' priority;
2. `exact`    up to thirteen people: the best grouping, by a memoised search;
   `greedy`   pairs: greedy along the time-zone line, holding the cross-division ceiling
              (`sweep`, or `targeted` for big rosters);
   `deal`     groups of three or four: dealt out by division, aligned by time zone;
3. `repair`   pairs: augmenting paths to remove repeats, re-pair the stranded, reach the ceiling;
   `place`    a seat for whoever is left (the odd one out becomes the third of a trio);
4. `improve`  local search: swaps and alternating paths while the weights say it is better;
   `unrepeat` groups of three or four: swaps with anyone that remove a repeat;
   `bridges`  division pairs that never met, brought together where it costs no repeat or crossing;
   `across`   `require` mode: no group inside one division, the rest sit out;
5. `tally`    reasons, shared interests and metrics, in one pass; here: relaxations, unpaired.
"""

from __future__ import annotations

import gc
import random
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from bot.domain.pairing.across import keep_groups_across
from bot.domain.pairing.bridges import build_bridges
from bot.domain.pairing.ceiling import cross_division_ceiling
from bot.domain.pairing.deal import deal_groups
from bot.domain.pairing.exact import EXACT_MAX, exact_groups
from bot.domain.pairing.greedy import sweep_pairs
from bot.domain.pairing.improve import LocalSearch
from bot.domain.pairing.model import (
    CrossDivisionMode,
    PairingMetrics,
    PairingRequest,
    PairingResult,
    Unpaired,
    UnpairedReason,
)
from bot.domain.pairing.place import seat_stranded
from bot.domain.pairing.repair import avoid_repeats, raise_crossings, rematch_stranded
from bot.domain.pairing.roster import Roster, index_request
from bot.domain.pairing.sizes import MAX_GROUP_SIZE, MIN_GROUP_SIZE, group_sizes
from bot.domain.pairing.tally import Tally
from bot.domain.pairing.unrepeat import swap_out_repeats
from bot.domain.pairing.weights import Weights

SEARCH_PER_PERSON = 30  # move evaluations the local search may spend per person, ...
SEARCH_CAP = 20_000  # ... but beyond this many only a quarter per further person: on big rosters the
# greedy pass is already close, and the search's first job (groups that fall short) is small
PAIRS_SEARCH_CAP = 10_000  # for pairs on big rosters: see _pairs_budget, ...
INTERESTS_FIRST_FROM = 50_000  # ... from this many members on


def _budget(n: int) -> int:
    return min(SEARCH_PER_PERSON * n, SEARCH_CAP + n // 4)


def _pairs_budget(n: int) -> tuple[int, bool]:
    """(evaluations, whether interests go first) for the search over pairs.

    On big rosters the repairs before the search have already done what the rules' upper
    tiers allow (repeats as few as matchings find, crossings at the ceiling), the pairs still
    short are ones nothing mends, and the budget reaches few people: at 100,000 members,
    45,000 evaluations spent on the short pairs first moved no crossing, repeat or overlap of
    hours, and bought 60 more pairs sharing an interest (of 50,000; objective +533) for a
    fifth of a second. 10,000 spent on pairs that share no interest buy more in a quarter of
    the time: against that search, 115 more such pairs and objective +310 in `prefer`, +164
    and +565 in `require`. With `off`, where that search went to those pairs too, the smaller
    budget finds fewer (379 fewer pairs sharing an interest, of 50,000). Up to 15,000 members
    (random rosters) the short pass still mends a few pairs' hours, so rosters below
    INTERESTS_FIRST_FROM keep the search as it was."""
    if n < INTERESTS_FIRST_FROM:
        return _budget(n), False
    return min(_budget(n), PAIRS_SEARCH_CAP), True


def make_groups(request: PairingRequest) -> PairingResult:
    """Group the request's members; the same request (seed included) always gives the same result."""
    with _cyclic_gc_paused():
        return _make_groups(request)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The engine builds only acyclic lists and tuples, by the million on big rosters, and each
    full collection they trigger walks the caller's whole heap too; pause it, then restore it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _make_groups(request: PairingRequest) -> PairingResult:
    started = time.perf_counter()
    k = request.group_size
    if not MIN_GROUP_SIZE <= k <= MAX_GROUP_SIZE:
        raise ValueError(f"group size must be {MIN_GROUP_SIZE}-{MAX_GROUP_SIZE}, not {k}")
    roster = index_request(request)
    n = roster.size
    if n < 2:
        alone = tuple(Unpaired(m.id, UnpairedReason.ALONE) for m in roster.members)
        metrics = PairingMetrics(pairs=0, cross_division_pairs=0, ceiling=0, repeats=0)
        return PairingResult(groups=(), unpaired=alone, metrics=metrics)

    rng = random.Random(request.seed)
    # The time-zone line: by UTC offset (whole minutes), ties in seeded random order.
    place = [offset + rng.random() for offset in roster.offset_key]
    order = sorted(range(n), key=place.__getitem__)
    del place  # a float per person, needed only for that sort: 3 MiB at 100,000 for the whole run
    cross = request.cross_division is not CrossDivisionMode.OFF
    require = request.cross_division is CrossDivisionMode.REQUIRE
    weights = Weights(roster, cross_division=cross)

    exact = (
        exact_groups(roster, weights, group_sizes(n, k), order, cross_division=cross, require_across=require)
        if n <= EXACT_MAX
        else None
    )
    unplaced: list[int] = []
    if exact is not None:
        groups = exact
    elif k == 2:
        groups, unplaced = _pairs(roster, weights, order, rng, cross=cross)
    else:
        groups, unplaced = _groups(roster, weights, order, rng, k, cross=cross)

    if cross and exact is None:
        build_bridges(roster, groups, rng)
    sat_out = keep_groups_across(roster, weights, groups, k) if require else []
    sizes = [len(g) for g in groups]
    placed = [i for g in groups for i in g]
    ceiling = cross_division_ceiling([roster.division[i] for i in placed], sizes) if placed else 0
    return _result(roster, weights, groups, unplaced, sat_out, ceiling, request.cross_division, started)


def _pairs(
    roster: Roster, weights: Weights, order: list[int], rng: random.Random, *, cross: bool
) -> tuple[list[list[int]], list[int]]:
    groups, stranded = sweep_pairs(roster, weights, order, hold_ceiling=cross)
    stranded = avoid_repeats(roster, weights, groups, stranded, order)
    stranded = rematch_stranded(roster, groups, stranded, order)
    if cross:
        raise_crossings(roster, weights, groups, order)
    unplaced = seat_stranded(roster, weights, groups, stranded, max_size=3)
    budget, interests_first = _pairs_budget(roster.size)
    LocalSearch(roster, weights, groups, order, rng).run(budget, cross=cross, interests_first=interests_first)
    return groups, unplaced


def _groups(
    roster: Roster, weights: Weights, order: list[int], rng: random.Random, k: int, *, cross: bool
) -> tuple[list[list[int]], list[int]]:
    groups = deal_groups(roster, group_sizes(roster.size, k), order)
    search = LocalSearch(roster, weights, groups, order, rng)
    search.run(_budget(roster.size), cross=cross)
    swap_out_repeats(roster, weights, groups)
    stranded = _evict_blocked(roster, groups)  # what swaps could not fix
    groups[:] = [g for g in groups if g]
    return groups, seat_stranded(roster, weights, groups, stranded, max_size=k + 1)


def _evict_blocked(roster: Roster, groups: list[list[int]]) -> list[int]:
    """Take people out of groups that hold a blocked pair (most blocks first); lone leftovers too."""
    n, blocked = roster.size, roster.blocked
    out: list[int] = []
    if not blocked:
        return out
    for members in groups:
        while True:
            clashes = {
                a: sum((a * n + b if a < b else b * n + a) in blocked for b in members if b != a)
                for a in members
            }
            worst = max(sorted(members), key=lambda a: clashes[a])
            if clashes[worst] == 0:
                break
            members.remove(worst)
            out.append(worst)
        if len(members) == 1:
            out.append(members.pop())
    return sorted(out)


def _result(
    roster: Roster,
    weights: Weights,
    groups: list[list[int]],
    unplaced: list[int],
    sat_out: list[int],
    ceiling: int,
    mode: CrossDivisionMode,
    started: float,
) -> PairingResult:
    deque(map(list.sort, groups), maxlen=0)  # each group sorted, by a loop in C
    groups.sort(key=itemgetter(0))  # by the first member's id: the order the result lists them in
    tally = Tally(roster, weights, cross_division=mode is not CrossDivisionMode.OFF)
    out = tally.groups(groups)
    members = roster.members
    unpaired = tuple(
        sorted(
            [Unpaired(members[i].id, UnpairedReason.BLOCKED) for i in unplaced]
            + [Unpaired(members[i].id, UnpairedReason.SAME_DIVISION_ONLY) for i in sat_out],
            key=lambda u: u.member,
        )
    )
    counts = tally.metrics
    metrics = PairingMetrics(
        pairs=counts.pairs,
        cross_division_pairs=counts.cross,
        ceiling=ceiling,
        repeats=counts.repeats,
        seconds=time.perf_counter() - started,
        weak_repeats=counts.weak,
        hours_overlap_pairs=counts.hours,
        shared_interest_pairs=counts.shared,
        objective=counts.objective,
    )
    return PairingResult(groups=out, unpaired=unpaired, relaxed=tuple(tally.relaxed), metrics=metrics)
