"""The leaderboard's rule: a point per shout-out received and per meetup confirmed; what is given
is shown but scores nothing; milestones and forgotten people count for nobody."""

from bot.domain.leaderboard import (
    TOP,
    ConfirmedMeetup,
    GivenShoutOut,
    LeaderboardFacts,
    Standing,
    standings,
)

NONE = "no division"


def _thanks(giver: str | None, *to: str | None, division: str | None = None) -> GivenShoutOut:
    return GivenShoutOut(giver, division, tuple((user, division) for user in to), milestone=False)


def _board(
    shoutouts: tuple[GivenShoutOut, ...] = (),
    meetups: tuple[ConfirmedMeetup, ...] = (),
    by_division: bool = False,
) -> list[Standing] | None:
    return standings(LeaderboardFacts(shoutouts, meetups), by_division=by_division, no_division=NONE)


def test_a_quiet_period_has_no_board() -> None:
    assert _board() is None


def test_received_shout_outs_and_meetups_both_score_and_giving_is_shown() -> None:
    board = _board((_thanks("U1", "U2"),), (ConfirmedMeetup("U1", "Sales"), ConfirmedMeetup("U2", "Finance")))
    assert board == [Standing("U2", 2, 1, 0), Standing("U1", 1, 0, 1)]


def test_milestones_are_celebrations_not_points() -> None:
    milestone = GivenShoutOut(None, None, (("U2", "Finance"),), milestone=True)
    assert _board((milestone,)) is None


def test_someone_who_only_gave_gets_a_title_without_lines() -> None:
    forgotten_recipient = _thanks("U1", None)
    assert _board((forgotten_recipient,)) == []


def test_by_division_counts_the_division_then_and_groups_people_without_one() -> None:
    board = _board(
        (_thanks("U1", "U2", division="Sales"), _thanks("U3", "U4")),
        (ConfirmedMeetup("U5", None),),
        by_division=True,
    )
    assert board == [Standing(NONE, 2, 1, 1), Standing("Sales", 1, 1, 1)]


def test_ties_keep_the_order_the_facts_came_in() -> None:
    board = _board(
        (_thanks("U9", "U3"), _thanks("U9", "U1")),
        (ConfirmedMeetup("U2", None), ConfirmedMeetup("U1", None), ConfirmedMeetup("U3", None)),
    )
    assert board is not None
    assert [s.who for s in board] == ["U3", "U1", "U2"]


def test_only_the_top_ten_are_ranked() -> None:
    meetups = tuple(ConfirmedMeetup(f"U{i}", None) for i in range(TOP + 5) for _ in range(i + 1))
    board = _board((), meetups)
    assert board is not None and len(board) == TOP
    assert board[0] == Standing(f"U{TOP + 4}", TOP + 5, 0, 0)
