import pytest

from bot import actions
from bot.domain.model import Outcome, StillInChoice


@pytest.mark.parametrize(
    "action",
    [
        actions.MeetupAction(1, Outcome.MET),
        actions.MeetupAction(10**17, Outcome.SKIPPED),
        actions.StillInAction(7, StillInChoice.LATER),
    ],
)
def test_button_ids_round_trip_and_fit_both_platforms(action: actions.Action) -> None:
    encoded = actions.encode(action)
    assert actions.decode(encoded) == action
    assert len(encoded) <= 100 and encoded.isascii()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "jb:meetup:1:pending",
        "jb:meetup:x:met",
        "jb:meetup:1:met:extra",
        "other:1",
        "jb:stillin:1:maybe",
        "jb:meetup:" + "9" * 40 + ":met",
    ],
)
def test_foreign_or_tampered_ids_decode_to_nothing(raw: str) -> None:
    assert actions.decode(raw) is None
