"""Round invariants, for any roster: hypothesis drives the real services on SQLite."""

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import commands as c
from bot.app import build
from bot.domain.model import Platform, TenantRef
from bot.messages import Intro, Notice
from bot.settings import Settings
from tests.drive import Driver
from tests.fakes import FakeClock, FakeDirectory, FakeMessenger

OTHER = TenantRef(Platform.SLACK, "T-OTHER")
person = st.tuples(
    st.sampled_from(["Sales", "Finance", "Legal", "Ops", None]),
    st.sampled_from(["active", "active", "active", "paused", "left", "departed"]),
)
roster = st.lists(person, min_size=0, max_size=14)


async def _scenario(
    template: Path,
    people: list[tuple[str | None, str]],
    blocks: list[tuple[int, int]],
    size: int,
    others: int,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "db.sqlite"
        shutil.copy(template, path)
        messenger, directory = FakeMessenger(), FakeDirectory()
        clock = FakeClock(datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
        app = build(Settings(database_url=f"sqlite:///{path}"), messenger, directory, clock)
        drive = Driver(app, messenger, clock, directory)
        try:
            await drive.setup(group_size=size)
            await drive.say("U-ADMIN", c.SetupProgram(timezone="Asia/Jakarta"), admin=True, tenant=OTHER)
            users = [f"U{i}" for i in range(len(people))]
            for user, (division, status) in zip(users, people, strict=True):
                await drive.say(user, c.Join(division))
                if status == "paused":
                    await drive.say(user, c.Pause())
                elif status == "left":
                    await drive.say(user, c.Leave())
                elif status == "departed":
                    directory.departed.add(user)
            for i in range(others):
                await drive.say(f"U{i}", c.Join("Other"), tenant=OTHER)
            blocked = {
                frozenset((users[a], users[b]))
                for a, b in blocks
                if a < len(users) and b < len(users) and a != b
            }
            for pair in blocked:
                await drive.say("U-ADMIN", c.BlockPair(*sorted(pair)), admin=True)
            await drive.run_round()
            eligible = {u for u, (_, s) in zip(users, people, strict=True) if s == "active"}
            groups = await drive.latest_groups()
            placed = [u for g in groups for u in g.user_ids]
            told = {
                s.conversation.removeprefix("DM-")
                for s in messenger.of_kind(Notice)
                if s.tenant.external_id == "T-ACME"
            }
            assert len(placed) == len(set(placed)), "someone is in two groups"
            assert set(placed) <= eligible, "a paused, departed or left member was paired"
            assert set(placed) | told == eligible, "someone eligible was dropped silently"
            assert not set(placed) & told
            if not blocked and len(eligible) >= 2:
                assert told == set(), "nothing stood in the way, yet someone was left out"
            for group in groups:
                assert len(group.user_ids) >= 2
                assert not any(pair <= set(group.user_ids) for pair in blocked), "a blocked pair met"
            joined_other = {f"U{i}" for i in range(others)}
            for sent in messenger.of_kind(Intro):
                introduced = {p.user_id for p in sent.message.people}  # type: ignore[union-attr]
                home = eligible if sent.tenant.external_id == "T-ACME" else joined_other
                assert introduced <= home, "an intro crossed workspaces"
        finally:
            await app.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=roster,
    blocks=st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=6),
    size=st.integers(2, 4),
    others=st.integers(0, 5),
)
def test_every_eligible_member_is_grouped_once_or_told_why(
    sqlite_template: Path,
    people: list[tuple[str | None, str]],
    blocks: list[tuple[int, int]],
    size: int,
    others: int,
) -> None:
    asyncio.run(_scenario(sqlite_template, people, blocks, size, others))
