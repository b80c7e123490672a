"""Edmonds' augmenting paths with blossoms, over a graph given as a neighbours function.

The repairs (repair.py) run it from the few people the greedy pass left unmatched or badly
matched. Searching once from each of them is enough: a vertex with no augmenting path now
never gets one later, so whoever is still unmatched afterwards is unmatched in some maximum
matching of that graph.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

Neighbours = Callable[[int], Iterable[int]]


def augment_from(root: int, mate: list[int], neighbours: Neighbours) -> bool:
    """Find an augmenting path from the unmatched `root` and flip it; False if there is none."""
    n = len(mate)
    parent = [-1] * n
    base = list(range(n))
    used = [False] * n
    used[root] = True
    queue = deque([root])

    def lowest_common_ancestor(a: int, b: int) -> int:
        seen = [False] * n
        while True:
            a = base[a]
            seen[a] = True
            if mate[a] == -1:
                break
            a = parent[mate[a]]
        while True:
            b = base[b]
            if seen[b]:
                return b
            b = parent[mate[b]]

    def mark(v: int, stop: int, child: int, blossom: list[bool]) -> None:
        while base[v] != stop:
            blossom[base[v]] = blossom[base[mate[v]]] = True
            parent[v] = child
            child = mate[v]
            v = parent[mate[v]]

    while queue:
        v = queue.popleft()
        for to in neighbours(v):
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] != -1 and parent[mate[to]] != -1):
                top = lowest_common_ancestor(v, to)
                blossom = [False] * n
                mark(v, top, to, blossom)
                mark(to, top, v, blossom)
                for i in range(n):
                    if blossom[base[i]]:
                        base[i] = top
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
            elif parent[to] == -1:
                parent[to] = v
                if mate[to] == -1:
                    while to != -1:  # flip the path back to the root
                        previous = mate[parent[to]]
                        mate[to] = parent[to]
                        mate[parent[to]] = to
                        to = previous
                    return True
                used[mate[to]] = True
                queue.append(mate[to])
    return False
