"""What meeting again costs: the repeat and block tiers of the pair weights.

Indexing the history (`roster`) turns each past group into these costs, and `weights` adds the
soft tiers on top; both import from here, so neither imports the other's internals.
"""

from __future__ import annotations

from typing import Final

BLOCKED: Final = -(10**15)
REPEAT_MET: Final = 1_000_000
REPEAT_MET_RECENCY: Final = 10_000  # per round more recent than RECENCY_HORIZON
REPEAT_UNMET: Final = 20_000
REPEAT_UNMET_RECENCY: Final = 100
RECENCY_HORIZON: Final = 64


def repeat_penalty(rounds_ago: int, met: bool | None) -> int:
    """What re-introducing a pair costs; `rounds_ago` is 1 for the latest round given."""
    fresher = max(0, RECENCY_HORIZON - rounds_ago)
    if met is False:
        return REPEAT_UNMET + REPEAT_UNMET_RECENCY * fresher
    return REPEAT_MET + REPEAT_MET_RECENCY * fresher
