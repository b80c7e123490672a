"""Read-only queries: the facts stats and the leaderboard are computed from, and CSV exports."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.domain.leaderboard import ConfirmedMeetup, GivenShoutOut, LeaderboardFacts
from bot.domain.model import Outcome
from bot.domain.stats import GroupFact, RoundFact, ShoutOutFact, StatsFacts
from bot.store.base import Repository, utc
from bot.store.recognition import ShoutOuts
from bot.store.tables import group_members, groups, memberships, people, programs, rounds, unpaired


def _key(person_id: int | None, row_id: int) -> str:
    return f"p{person_id}" if person_id is not None else f"anon{row_id}"


class Reports(Repository):
    async def stats_facts(self, program_ids: Sequence[int]) -> StatsFacts:
        ids = list(program_ids)
        statuses: Counter[str] = Counter()
        current: set[str] = set()
        for person_id, status in await self._conn.execute(
            select(memberships.c.person_id, memberships.c.status).where(
                memberships.c.tenant_id == self.tenant_id, memberships.c.program_id.in_(ids)
            )
        ):
            statuses[status] += 1
            if status != "left":
                current.add(_key(person_id, 0))
        round_rows = (
            await self._conn.execute(
                select(rounds.c.id, rounds.c.scheduled_for)
                .where(rounds.c.tenant_id == self.tenant_id, rounds.c.program_id.in_(ids))
                .order_by(rounds.c.scheduled_for, rounds.c.id)
            )
        ).all()
        round_ids = [r.id for r in round_rows]
        members: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        group_rows = (
            await self._conn.execute(
                select(groups.c.id, groups.c.round_id, groups.c.outcome).where(
                    groups.c.tenant_id == self.tenant_id, groups.c.round_id.in_(round_ids)
                )
            )
        ).all()
        for gm in await self._conn.execute(
            select(
                group_members.c.id,
                group_members.c.group_id,
                group_members.c.person_id,
                group_members.c.division,
            )
            .where(
                group_members.c.tenant_id == self.tenant_id,
                group_members.c.group_id.in_([g.id for g in group_rows]),
            )
            .order_by(group_members.c.id)
        ):
            members[gm.group_id].append((_key(gm.person_id, gm.id), gm.division))
        by_round: dict[int, list[GroupFact]] = defaultdict(list)
        for g in group_rows:
            keys = tuple(k for k, _ in members[g.id])
            divisions = tuple(d for _, d in members[g.id])
            by_round[g.round_id].append(GroupFact(keys, divisions, Outcome(g.outcome)))
        reasons: dict[int, list[str]] = defaultdict(list)
        for round_id, reason in await self._conn.execute(
            select(unpaired.c.round_id, unpaired.c.reason).where(
                unpaired.c.tenant_id == self.tenant_id, unpaired.c.round_id.in_(round_ids)
            )
        ):
            reasons[round_id].append(reason)
        shoutouts = await ShoutOuts(self._conn, self.tenant_id).listing(ids)
        return StatsFacts(
            statuses=statuses,
            current_members=tuple(sorted(current)),
            rounds=tuple(
                RoundFact(utc(r.scheduled_for).date(), tuple(by_round[r.id]), tuple(reasons[r.id]))
                for r in round_rows
            ),
            shoutouts=tuple(
                ShoutOutFact(
                    s.giver_division,
                    tuple(d for _, d in s.recipients),
                    s.milestone is not None,
                    tuple(u or f"forgotten-{s.id}-{i}" for i, (u, _) in enumerate(s.recipients)),
                )
                for s in shoutouts
            ),
        )

    async def leaderboard_facts(self, program_id: int, since: datetime | None) -> LeaderboardFacts:
        """Shout-outs given in a program since `since` (all time when None), and one row per
        member per group of theirs that met in a round scheduled since then: a fixed number of
        statements however many members the program has."""
        shoutouts = await ShoutOuts(self._conn, self.tenant_id).listing([program_id], since)
        query = (
            select(people.c.user_id, people.c.division)
            .select_from(memberships)
            .join(people, people.c.id == memberships.c.person_id)
            .join(group_members, group_members.c.person_id == memberships.c.person_id)
            .join(groups, groups.c.id == group_members.c.group_id)
            .join(rounds, rounds.c.id == groups.c.round_id)
            .where(
                memberships.c.tenant_id == self.tenant_id,
                memberships.c.program_id == program_id,
                group_members.c.tenant_id == self.tenant_id,
                groups.c.tenant_id == self.tenant_id,
                groups.c.outcome == Outcome.MET.value,
                rounds.c.tenant_id == self.tenant_id,
                rounds.c.program_id == program_id,
            )
            .order_by(memberships.c.id, rounds.c.scheduled_for.desc(), groups.c.id)
        )
        if since is not None:
            query = query.where(rounds.c.scheduled_for >= since)
        meetups = await self._conn.execute(query)
        return LeaderboardFacts(
            shoutouts=tuple(
                GivenShoutOut(s.giver_user, s.giver_division, s.recipients, s.milestone is not None)
                for s in shoutouts
            ),
            meetups=tuple(ConfirmedMeetup(user_id, division) for user_id, division in meetups),
        )

    async def export_rows(self, program_ids: Sequence[int]) -> dict[str, list[dict[str, object]]]:
        """Rounds, groups with outcomes, and shout-outs, one list of rows per CSV file."""
        ids = list(program_ids)
        round_rows = (
            await self._conn.execute(
                select(
                    rounds.c.id, rounds.c.period, rounds.c.scheduled_for, rounds.c.seed, programs.c.channel_id
                )
                .join(programs, programs.c.id == rounds.c.program_id)
                .where(rounds.c.tenant_id == self.tenant_id, rounds.c.program_id.in_(ids))
                .order_by(rounds.c.id)
            )
        ).all()
        group_rows = (
            await self._conn.execute(
                select(
                    groups.c.id,
                    groups.c.round_id,
                    groups.c.outcome,
                    groups.c.outcome_at,
                    group_members.c.division,
                    people.c.user_id,
                )
                .join(group_members, group_members.c.group_id == groups.c.id)
                .outerjoin(people, people.c.id == group_members.c.person_id)
                .where(
                    groups.c.tenant_id == self.tenant_id, groups.c.round_id.in_([r.id for r in round_rows])
                )
                .order_by(groups.c.id, group_members.c.id)
            )
        ).all()
        shoutouts = await ShoutOuts(self._conn, self.tenant_id).listing(ids)
        return {
            "rounds": [
                {
                    "round": r.id,
                    "channel": r.channel_id,
                    "period": r.period,
                    "scheduled_for": utc(r.scheduled_for).isoformat(),
                    "seed": r.seed,
                }
                for r in round_rows
            ],
            "groups": [
                {
                    "group": g.id,
                    "round": g.round_id,
                    "user": g.user_id or "(forgotten)",
                    "division": g.division or "",
                    "outcome": g.outcome,
                    "reported_at": utc(g.outcome_at).isoformat() if g.outcome_at else "",
                }
                for g in group_rows
            ],
            "shoutouts": [
                {
                    "shoutout": s.id,
                    "at": s.created_at.isoformat(),
                    "from": s.giver_user or "",
                    "from_division": s.giver_division or "",
                    "to": " ".join(u or "(forgotten)" for u, _ in s.recipients),
                    "to_divisions": " | ".join(d or "" for _, d in s.recipients),
                    "tags": " ".join(s.tags),
                    "milestone": s.milestone or "",
                    "text": s.text,
                }
                for s in shoutouts
            ],
        }
