"""Groups of three or four: swap people out of groups that repeat a pair, wherever that helps.

The local search only looks at candidates near a person (on the time-zone line, among shared
interests) and within a budget, so a repeat that only a swap with someone far away removes
can survive it. Repeats are few, so each person in a repeated pair can afford a look at
everyone: the swap that lowers the repeat cost most (best pair weight on a tie) is made,
and that continues until no single swap between two groups lowers it. A block counts as a
prohibitive repeat here, so no swap ever brings a blocked pair together. With `keep_across`
(`require` mode, whose rule ranks above repeats) no swap leaves a group inside one division.
"""

from __future__ import annotations

from bot.domain.pairing.roster import Roster
from bot.domain.pairing.weights import Weights


def swap_out_repeats(
    roster: Roster, weights: Weights, groups: list[list[int]], *, keep_across: bool = False
) -> None:
    n, penalty, division = roster.size, roster.penalty, roster.division
    if not penalty or len(groups) < 2:
        return
    get = penalty.get
    pair = weights.pair
    group_of = [-1] * n
    for g, members in enumerate(groups):
        for a in members:
            group_of[a] = g

    def cost_with(a: int, members: list[int], skip: int) -> int:
        return sum(get(a * n + x if a < x else x * n + a, 0) for x in members if x != skip and x != a)

    def across_after(members: list[int], out: int, into: int) -> bool:
        return any(division[x] != division[into] for x in members if x != out)

    def repeated(g: int) -> list[int]:
        members = groups[g]
        return [a for a in members if cost_with(a, members, -1)]

    pending = [g for g in range(len(groups)) if repeated(g)]
    while pending:
        g = pending.pop()
        for a in repeated(g):
            if group_of[a] != g:
                continue
            mine = groups[g]
            stay = cost_with(a, mine, a)
            best: tuple[int, int, int] | None = None  # (cost saved, weight gained, b)
            for h, theirs in enumerate(groups):
                if h == g:
                    continue
                for b in theirs:
                    saved = stay + cost_with(b, theirs, b) - cost_with(b, mine, a) - cost_with(a, theirs, b)
                    if saved <= 0:
                        continue
                    if keep_across and not (across_after(mine, a, b) and across_after(theirs, b, a)):
                        continue
                    gained = sum(pair(b, x) - pair(a, x) for x in mine if x != a) + sum(
                        pair(a, y) - pair(b, y) for y in theirs if y != b
                    )
                    if best is None or (saved, gained) > best[:2]:
                        best = (saved, gained, b)
            if best is None:
                continue
            b = best[2]
            h = group_of[b]
            mine[mine.index(a)] = b
            groups[h][groups[h].index(b)] = a
            group_of[a], group_of[b] = h, g
            pending.extend((g, h))
            break
