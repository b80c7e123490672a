import pytest

from bot import actions
from bot import commands as c
from bot.domain.model import Outcome, StillInChoice


@pytest.mark.parametrize(
    "action",
    [
        actions.MeetupAction(1, Outcome.MET),
        actions.MeetupAction(2**31 - 1, Outcome.SKIPPED),  # the largest id the columns hold
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
        # Past what the id columns hold: PostgreSQL refused the query with an error, a 500.
        "jb:meetup:2147483648:met",
        "jb:meetup:999999999999999999:met",
        # Digits of other scripts: \d would read ١٢ as 12.
        "jb:meetup:١٢:met",
        "jb:stillin:３:keep",
    ],
)
def test_foreign_or_tampered_ids_decode_to_nothing(raw: str) -> None:
    assert actions.decode(raw) is None


def test_a_click_means_the_same_command_on_every_platform() -> None:
    assert actions.command_for("jb:meetup:12:met") == c.RecordOutcome(12, "met")
    assert actions.command_for("jb:stillin:3:out") == c.AnswerStillIn(3, StillInChoice.OUT)
    assert actions.command_for("jb:meetup:12:maybe") is None
