"""How many groups of which size: the target size, with the remainder absorbed, never a group of 1."""

from __future__ import annotations

MIN_GROUP_SIZE = 2
MAX_GROUP_SIZE = 4


def group_sizes(n: int, k: int) -> list[int]:
    """Sizes for n people and target k, largest first.

    As many groups of k as possible; the rest are groups of k-1 or k+1, as few of them as
    possible (smaller groups on a tie). Size 2 with an odd count gives exactly one trio.
    Fewer people than any such plan allows make a single group of everyone.
    """
    if not MIN_GROUP_SIZE <= k <= MAX_GROUP_SIZE:
        raise ValueError(f"group size must be {MIN_GROUP_SIZE}-{MAX_GROUP_SIZE}, not {k}")
    if n < 2:
        return []
    q, r = divmod(n, k)
    if r == 0:
        return [k] * q
    up = r if q >= r else None  # r groups grow to k+1
    down = k - r if k - 1 >= 2 and q + 1 >= k - r else None  # k-r groups shrink to k-1
    if down is not None and (up is None or down <= up):
        return [k] * (q + 1 - down) + [k - 1] * down
    if up is not None:
        return [k + 1] * up + [k] * (q - up)
    return [n]
