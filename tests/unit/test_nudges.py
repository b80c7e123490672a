"""Which reminder goes to whom: the colleague met longest ago (three months at least), at most
one a month per member, and never someone only grouped with but not met."""

from datetime import UTC, datetime, timedelta

from bot.domain import nudges
from bot.domain.model import Group, GroupMember, Membership, MemberStatus, Outcome, Person

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
IDS = {"U1": 1, "U2": 2, "U3": 3, "U4": 4}


def _member(user: str, last_nudged_at: datetime | None = None) -> Membership:
    person = Person(IDS[user], 1, user, None, None, ())
    return Membership(IDS[user], 1, person, MemberStatus.ACTIVE, None, NOW, 0, last_nudged_at)


def _group(days_ago: int, *users: str, outcome: Outcome = Outcome.MET) -> tuple[datetime, Group]:
    members = tuple(GroupMember(IDS[u], u, None) for u in users)
    return NOW - timedelta(days=days_ago), Group(days_ago, 1, members, outcome, None, (), ())


def _chosen(members: list[Membership], history: list[tuple[datetime, Group]]) -> dict[str, str]:
    due = nudges.due(members, NOW)
    return {n.membership.person.user_id: n.friend_user_id for n in nudges.choose(due, history, NOW)}


def test_both_sides_of_a_meetup_three_months_ago_are_nudged_about_each_other() -> None:
    history = [_group(100, "U1", "U2")]
    assert _chosen([_member("U1"), _member("U2")], history) == {"U1": "U2", "U2": "U1"}


def test_not_before_three_months() -> None:
    assert _chosen([_member("U1")], [_group(89, "U1", "U2")]) == {}


def test_grouped_again_since_means_seen_recently() -> None:
    history = [_group(200, "U1", "U2"), _group(10, "U1", "U2", outcome=Outcome.SKIPPED)]
    assert _chosen([_member("U1")], history) == {}


def test_a_group_that_never_met_is_no_old_friend() -> None:
    assert _chosen([_member("U1")], [_group(120, "U1", "U2", outcome=Outcome.NOT_YET)]) == {}


def test_the_colleague_met_longest_ago_is_chosen() -> None:
    history = [_group(300, "U1", "U3"), _group(150, "U1", "U2")]
    assert _chosen([_member("U1")], history) == {"U1": "U3"}


def test_at_most_one_a_month() -> None:
    history = [_group(120, "U1", "U2")]
    recently = _member("U1", last_nudged_at=NOW - timedelta(days=29))
    a_month_ago = _member("U2", last_nudged_at=NOW - timedelta(days=30))
    assert nudges.due([recently, a_month_ago], NOW) == [a_month_ago]
    assert _chosen([recently, a_month_ago], history) == {"U2": "U1"}


def test_a_forgotten_colleague_is_not_suggested() -> None:
    day, group = _group(120, "U1", "U2")
    members = (group.members[0], GroupMember(None, None, None))
    forgotten = Group(group.id, 1, members, Outcome.MET, None, (), ())
    assert _chosen([_member("U1")], [(day, forgotten)]) == {}
