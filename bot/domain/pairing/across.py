"""`require` mode: no group lies inside one division; whoever cannot be placed across sits out.

This is the hard department rule of Yelp Beans and S'Up. The engine first groups everyone as
in `prefer` (which already reaches the cross-division ceiling whenever repeats allow), then:

1. a group whose members all share one division swaps one of them with someone from another
   division in a group that keeps a second division without them (best pair weight first,
   never into a block);
2. the groups still inside one division are taken apart;
3. those people get a seat only where the sizes stay what the plan is for that many people
   (pairs: the one trio of an odd count; threes and fours: one k + 1 or k − 1 as planned);
   with pairs, two of them from different divisions may also pair up;
4. a repeat those moves made is swapped out where a swap keeps every group across.

Everyone else sits out this round, with reason `same_division_only`.
"""

from __future__ import annotations

from collections import Counter

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.sizes import group_sizes
from bot.domain.pairing.unrepeat import swap_out_repeats
from bot.domain.pairing.weights import Weights

SCAN = 256  # groups weighed as swap partners per group that needs one


def keep_groups_across(roster: Roster, weights: Weights, groups: list[list[int]], k: int) -> list[int]:
    """Make every group in `groups` span two divisions or more; returns who sits out."""
    division = roster.division

    def inside_one(members: list[int]) -> bool:
        d = division[members[0]]
        return all(division[x] == d for x in members)

    bad = [g for g, members in enumerate(groups) if inside_one(members)]
    if not bad:
        return []
    _swap_across(roster, weights, groups, bad)
    left: list[int] = []
    kept: list[list[int]] = []
    for members in groups:
        if inside_one(members):
            left.extend(members)
        else:
            kept.append(members)
    groups[:] = kept
    left.sort()
    if k == 2:
        left = _pair_across(roster, weights, groups, left)
    out = _seat_within_plan(roster, weights, groups, left, k)
    # The swaps and seats above weigh repeats but are forced by the rule and the plan; a swap
    # that keeps every group across may still remove a repeat they made.
    swap_out_repeats(roster, weights, groups, keep_across=True)
    return out


def _fits(roster: Roster, u: int, members: list[int], skip: int = -1) -> bool:
    n, blocked = roster.size, roster.blocked
    return all((u * n + x if u < x else x * n + u) not in blocked for x in members if x != skip)


def _swap_across(roster: Roster, weights: Weights, groups: list[list[int]], bad: list[int]) -> None:
    division, pair = roster.division, weights.pair
    partners: dict[int, list[int]] = {}  # division -> groups with two or more people from elsewhere
    for g in bad:
        mine = groups[g]
        d = division[mine[0]]
        if d not in partners:
            partners[d] = [h for h, them in enumerate(groups) if sum(division[y] != d for y in them) >= 2]
        best: tuple[int, int, int, int] | None = None  # (weight gained, a, b, b's group)
        scanned = 0
        for h in partners[d]:
            theirs = groups[h]
            if h == g or sum(division[y] != d for y in theirs) < 2:
                continue
            scanned += 1
            if scanned > SCAN:
                break
            for b in theirs:
                if division[b] == d:
                    continue
                for a in mine:
                    if not _fits(roster, b, mine, a) or not _fits(roster, a, theirs, b):
                        continue
                    gained = sum(pair(b, x) - pair(a, x) for x in mine if x != a) + sum(
                        pair(a, y) - pair(b, y) for y in theirs if y != b
                    )
                    if best is None or gained > best[0]:
                        best = (gained, a, b, h)
        if best is None:
            continue
        _, a, b, h = best
        theirs = groups[h]
        mine[mine.index(a)] = b
        theirs[theirs.index(b)] = a


def _pair_across(roster: Roster, weights: Weights, groups: list[list[int]], left: list[int]) -> list[int]:
    """People left over from different divisions pair up, best pairs first."""
    division = roster.division
    if len({division[u] for u in left}) < 2:
        return left
    options = sorted(
        (
            (weights.pair(a, b), a, b)
            for x, a in enumerate(left)
            for b in left[x + 1 :]
            if division[a] != division[b] and _fits(roster, a, [b])
        ),
        reverse=True,
    )
    free = set(left)
    for _, a, b in options:
        if a in free and b in free:
            groups.append([a, b])
            free -= {a, b}
    return sorted(free)


def _seat_within_plan(
    roster: Roster, weights: Weights, groups: list[list[int]], left: list[int], k: int
) -> list[int]:
    """Seat people where the group sizes stay the plan for one more person; returns the rest."""
    sizes = Counter(len(g) for g in groups)
    placed = sum(len(g) for g in groups)
    out: list[int] = []
    plans: dict[int, Counter[int]] = {}
    for u in left:
        if placed + 1 not in plans:
            plans[placed + 1] = Counter(group_sizes(placed + 1, k))
        plan = plans[placed + 1]
        seat, best_gain = -1, 0
        for size in [s for s in sizes if sizes[s] and _grows_to(sizes, s, plan)]:
            for g, members in enumerate(groups):
                if len(members) != size or not _fits(roster, u, members):
                    continue
                gain = sum(weights.pair(u, x) for x in members)
                if seat < 0 or gain > best_gain:
                    seat, best_gain = g, gain
        if seat < 0:
            out.append(u)
            continue
        s = len(groups[seat])
        groups[seat].append(u)
        sizes[s] -= 1
        sizes[s + 1] += 1
        placed += 1
    return out


def _grows_to(sizes: Counter[int], size: int, plan: Counter[int]) -> bool:
    """Does one group of `size` growing by one turn `sizes` into `plan`?"""
    after = sizes.copy()
    after[size] -= 1
    after[size + 1] += 1
    return +after == +plan
