"""One transaction, and the repositories that work inside it."""

from __future__ import annotations

import asyncio
from collections.abc import Set
from datetime import datetime
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from bot.domain.model import TenantRef
from bot.store.audit import AuditLog
from bot.store.dashboard import DashboardQueries
from bot.store.db import AT_COMMIT
from bot.store.divisions import Divisions
from bot.store.expiry import Expiry
from bot.store.holders import Holder, register
from bot.store.installations import Installations
from bot.store.outbox import Outbox
from bot.store.pacing import DueWorkspaces, Pacing
from bot.store.people import Memberships, People
from bot.store.programs import Admins, Blocks, Programs
from bot.store.recognition import Achievements, Deliveries, ShoutOuts
from bot.store.reports import Reports
from bot.store.rounds import Groups, Rounds
from bot.store.tenants import TenantDirectory


class TenantScope:
    """Every repository for one workspace, bound to the same transaction."""

    def __init__(self, conn: AsyncConnection, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.programs = Programs(conn, tenant_id)
        self.admins = Admins(conn, tenant_id)
        self.blocks = Blocks(conn, tenant_id)
        self.people = People(conn, tenant_id)
        self.memberships = Memberships(conn, tenant_id)
        self.rounds = Rounds(conn, tenant_id)
        self.groups = Groups(conn, tenant_id)
        self.shoutouts = ShoutOuts(conn, tenant_id)
        self.achievements = Achievements(conn, tenant_id)
        self.deliveries = Deliveries(conn, tenant_id)
        self.outbox = Outbox(conn, tenant_id)
        self.pacing = Pacing(conn, tenant_id)
        self.reports = Reports(conn, tenant_id)
        self.dashboard = DashboardQueries(conn, tenant_id)
        self.audit = AuditLog(conn, tenant_id)
        self.divisions = Divisions(conn, tenant_id)


class UnitOfWork:
    """`async with store.unit() as uow:` … `await uow.commit()`; leaving without commit rolls back."""

    def __init__(
        self, engine: AsyncEngine, held: Set[TenantRef] = frozenset(), slack_client_id: str = ""
    ) -> None:
        self._engine = engine
        self._held = held
        self._slack_client_id = slack_client_id
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        self._tx = await self._conn.begin()
        self.tenants = TenantDirectory(self._conn, self._held)
        self.installations = Installations(self._conn, self._slack_client_id)
        self.due = DueWorkspaces(self._conn, self._held)
        self.expiry = Expiry(self._conn)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if self._tx.is_active:
                await self._tx.rollback()
        finally:
            await self._conn.close()

    def scoped(self, tenant_id: int) -> TenantScope:
        assert self._conn is not None, "use the unit of work inside `async with`"
        return TenantScope(self._conn, tenant_id)

    async def commit(self) -> None:
        assert self._tx is not None
        try:
            await self._tx.commit()
        except DBAPIError as error:
            # Whether the server committed is unknown: callers must not simply run it again.
            setattr(error, AT_COMMIT, True)
            raise


class Store:
    """The database, as the services see it: a factory of units of work."""

    def __init__(self, engine: AsyncEngine, slack_client_id: str | None = None) -> None:
        self.engine = engine
        # The Slack app whose OAuth installs this database keeps (None: one SLACK_BOT_TOKEN, or
        # no Slack at all); several apps may share a database, each sees only its own.
        self.slack_client_id = slack_client_id
        # Workspaces whose messages wait for the operator, not for the platform: an adapter that
        # cannot read a workspace's credentials (a changed secret key) puts it here, and the relay
        # leaves its rows pending, untried and uncounted, until it is taken out again.
        self.held: set[TenantRef] = set()

    def unit(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.held, self.slack_client_id or "")

    async def ping(self, within: float = 2.0) -> bool:
        """Whether the database answers a trivial query within `within` seconds (readiness)."""
        try:
            async with asyncio.timeout(within), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not ready"; the reason is the operator's to find
            return False
        return True

    async def register_holder(self, now: datetime) -> Holder:
        """Register this process as one that sends outbox rows (see holders.py)."""
        return await register(self.engine, now)

    async def dispose(self) -> None:
        await self.engine.dispose()
