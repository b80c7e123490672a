"""Slack installations (OAuth installs into many workspaces): one row per workspace or org.

The token is stored as it is handed over, already encrypted (bot/installations.py holds the
keys); this module only keeps and finds rows. An install is keyed by the Slack app (its client
id, several apps may share one database), the org and the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import slack_installations as table


@dataclass(frozen=True)
class StoredInstall:
    """A row as stored: `bot_token` is ciphertext."""

    enterprise_id: str  # "" when not on Enterprise Grid
    team_id: str  # "" for an org-wide install
    is_enterprise_install: bool
    bot_token: str
    bot_scopes: str
    installed_at: datetime
    app_id: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    row_id: int | None = None

    @property
    def workspace(self) -> str:
        """The id the core knows the workspace by: the org's for an org-wide install."""
        return self.enterprise_id if self.is_enterprise_install else self.team_id


def _stored(row: Any) -> StoredInstall:
    return StoredInstall(
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        is_enterprise_install=row["is_enterprise_install"],
        bot_token=row["bot_token"],
        bot_scopes=row["bot_scopes"],
        installed_at=row["installed_at"],
        app_id=row["app_id"],
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        row_id=row["id"],
    )


class Installations:
    """One Slack app's installations, inside a unit of work."""

    def __init__(self, conn: AsyncConnection, client_id: str) -> None:
        self._conn = conn
        self._client_id = client_id

    def _key(self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> Any:
        if is_enterprise_install:
            return and_(
                table.c.client_id == self._client_id,
                table.c.enterprise_id == (enterprise_id or ""),
                table.c.is_enterprise_install.is_(True),
            )
        clauses = [table.c.client_id == self._client_id, table.c.team_id == (team_id or "")]
        if enterprise_id:
            clauses.append(table.c.enterprise_id == enterprise_id)
        return and_(*clauses)

    async def replace(self, install: StoredInstall) -> None:
        """A reinstall replaces the row: the newest token is the one that works."""
        key = self._key(install.enterprise_id, install.team_id, install.is_enterprise_install)
        await self._conn.execute(delete(table).where(key))
        await self._conn.execute(
            table.insert().values(
                client_id=self._client_id,
                enterprise_id=install.enterprise_id,
                team_id=install.team_id,
                is_enterprise_install=install.is_enterprise_install,
                app_id=install.app_id,
                bot_id=install.bot_id,
                bot_user_id=install.bot_user_id,
                bot_token=install.bot_token,
                bot_scopes=install.bot_scopes,
                installed_at=install.installed_at,
            )
        )

    async def find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> StoredInstall | None:
        key = self._key(enterprise_id, team_id, is_enterprise_install)
        found = (await self._conn.execute(select(table).where(key))).mappings().first()
        return None if found is None else _stored(found)

    async def delete(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
    ) -> None:
        await self._conn.execute(
            delete(table).where(self._key(enterprise_id, team_id, is_enterprise_install))
        )

    async def workspaces(self) -> list[tuple[str, str, bool]]:
        """(team id, org id, org-wide) of every install of this app."""
        rows = await self._conn.execute(
            select(table.c.team_id, table.c.enterprise_id, table.c.is_enterprise_install).where(
                table.c.client_id == self._client_id
            )
        )
        return [(team, org, bool(org_wide)) for team, org, org_wide in rows]

    async def every(self) -> Sequence[StoredInstall]:
        """Every stored install, of whichever app: what a key check or a key rotation goes over."""
        return [_stored(row) for row in (await self._conn.execute(select(table))).mappings().all()]

    async def set_token(self, row_id: int, bot_token: str) -> None:
        await self._conn.execute(update(table).where(table.c.id == row_id).values(bot_token=bot_token))
