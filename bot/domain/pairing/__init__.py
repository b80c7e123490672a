"""The pairing engine: members, history and blocks in; groups and reasons out."""

from bot.domain.pairing.engine import make_groups
from bot.domain.pairing.model import (
    CrossDivisionMode,
    FlatGroups,
    Member,
    PairingMetrics,
    PairingRequest,
    PairingResult,
    PastGroup,
    PastRound,
    ProposedGroup,
    Reason,
    Relaxation,
    Relaxed,
    Unpaired,
    UnpairedReason,
)

__all__ = [
    "CrossDivisionMode",
    "FlatGroups",
    "Member",
    "PairingMetrics",
    "PairingRequest",
    "PairingResult",
    "PastGroup",
    "PastRound",
    "ProposedGroup",
    "Reason",
    "Relaxation",
    "Relaxed",
    "Unpaired",
    "UnpairedReason",
    "make_groups",
]
