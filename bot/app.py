"""The door: the one module of the core an edge imports (a platform adapter, the command line,
the dashboard), besides the shared vocabulary (commands, messages, actions, ports, settings,
i18n, the domain's model, lengths and markup). docs/architecture.md draws the house; the
contracts in pyproject.toml hold it.

It builds the core from settings (`build`, `Jembatan`) and offers what an edge does with it:
handle a command, claim a delivery, install and uninstall a workspace, forget the workspaces
that are gone, run the scheduled jobs, check, migrate and open the database, read for the
dashboard, and start a process (`bot.process`: one start-up error type, logging, signals, the
database wait). Behind it the rooms may change without an adapter noticing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import metrics
from bot.delivery import DEFAULT_LEASE, Relay
from bot.demo import Demo, DemoResult, person_name
from bot.domain import schedule, validation
from bot.domain.model import Lang, TenantRef
from bot.domain.pairing.model import CrossDivisionMode
from bot.domain.validation import MAX_DIVISION_CODE_POINTS, WEEKDAYS
from bot.installations import Install, Installs, OAuthState, TokenUnreadable, keyring, rotate_keys, state_key
from bot.installations import uninstall as _uninstall
from bot.intake import Intake
from bot.key_rotation import main as rotate_key_main
from bot.logs import Throttled
from bot.logs import configure as configure_logging
from bot.platform_config import DiscordConfig, SlackConfig, discord_config, port_from_env, slack_config
from bot.ports import Directory, Messenger
from bot.process import (
    STOP_WITHIN,
    Backoff,
    BadConfig,
    Platform,
    Readiness,
    Shell,
    check_url,
    database_errors_as_bad_config,
    keep_connected,
    load_settings,
    refuse,
    serve_platform,
    wait_for_database,
)
from bot.process import run as run_process
from bot.runtime.ticker import Jobs, Ticker
from bot.services.base import Deps, utc_now
from bot.services.dashboard import (
    CHART_FILE,
    CSV_FILES,
    LANGUAGES,
    AuditEntry,
    Dashboard,
    Network,
    Overview,
    ProgramCard,
    audit_words,
    overview_charts,
    setting_choices,
    settings_command,
)
from bot.services.dispatch import claim_delivery, forget_absent, handle, workspaces_on
from bot.services.members import known_divisions
from bot.settings import Settings
from bot.store.db import DatabaseUrlError, async_url, create_engine, database_problem, pool_for, shown
from bot.store.migrate import check_database, upgrade, upgrade_sync
from bot.store.single_holder import held_alone, lock_key
from bot.store.unit_of_work import Store

__all__ = [
    "CHART_FILE",
    "CSV_FILES",
    "LANGUAGES",
    "MAX_DIVISION_CODE_POINTS",
    "STOP_WITHIN",
    "WEEKDAYS",
    "AuditEntry",
    "Backoff",
    "BadConfig",
    "CrossDivisionMode",
    "Dashboard",
    "DatabaseUrlError",
    "Demo",
    "DemoResult",
    "Deps",
    "DiscordConfig",
    "Install",
    "Installs",
    "Intake",
    "Jembatan",
    "Jobs",
    "Network",
    "OAuthState",
    "Overview",
    "Platform",
    "ProgramCard",
    "Readiness",
    "Shell",
    "SlackConfig",
    "Store",
    "Throttled",
    "TokenUnreadable",
    "async_url",
    "audit_words",
    "build",
    "check_database",
    "check_url",
    "claim_delivery",
    "configure_logging",
    "database_errors_as_bad_config",
    "database_problem",
    "discord_config",
    "forget_absent",
    "handle",
    "held_alone",
    "keep_connected",
    "keyring",
    "known_divisions",
    "load_settings",
    "lock_key",
    "metrics",
    "open_store",
    "overview_charts",
    "person_name",
    "port_from_env",
    "refuse",
    "rotate_key_main",
    "rotate_keys",
    "run_process",
    "schedule",
    "serve_platform",
    "setting_choices",
    "settings_command",
    "shown",
    "slack_config",
    "state_key",
    "upgrade",
    "upgrade_sync",
    "utc_now",
    "validation",
    "wait_for_database",
    "workspaces_on",
]


@dataclass
class Jembatan:
    """The core, built: the database, the services' dependencies, the relay that delivers the
    outbox, the ticker that runs rounds, and the bounded intake of acknowledged commands."""

    store: Store
    deps: Deps
    relay: Relay
    ticker: Ticker
    intake: Intake  # commands accepted after an acknowledgement, bounded

    async def close(self, grace: float = 30.0) -> None:
        try:
            # What was acknowledged is carried out before the database goes, within `grace`.
            await self.intake.close(grace)
            await self.relay.close()
        finally:
            await self.store.dispose()

    async def uninstall(
        self, tenant: TenantRef, delivery_id: str | None = None, happened_at: datetime | None = None
    ) -> bool:
        """The app was removed from a workspace: its data and installation go, in one transaction."""
        return await _uninstall(self.store, self.deps.now(), tenant, delivery_id, happened_at)


def open_store(database_url: str, connections: int = 4, *, slack_client_id: str | None = None) -> Store:
    """The database alone (the dashboard reads it; an OAuth install flow keeps installs in it)."""
    engine = create_engine(database_url, **pool_for(database_url, connections))
    return Store(engine, slack_client_id=slack_client_id)


def build(
    settings: Settings,
    messenger: Messenger,
    directory: Directory,
    clock: Callable[[], datetime] = utc_now,
    *,
    relay_interval: float = 0.0,
    relay_lease: timedelta = DEFAULT_LEASE,
    store: Store | None = None,
) -> Jembatan:
    # A connection for each worker, and a few for the relay, the tick and the quick lookups an
    # acknowledgement makes: nothing waits long for a pooled connection.
    if store is None:
        store = open_store(
            settings.database_url, settings.workers + 4, slack_client_id=settings.slack_client_id
        )
    deps = Deps(store=store, directory=directory, clock=clock, default_lang=Lang(settings.default_lang))
    relay = Relay(store, messenger, clock, min_interval=relay_interval, lease=relay_lease)
    intake = Intake(workers=settings.workers, capacity=settings.queue_size)
    ticker = Ticker(deps, relay, store, keep_sent=timedelta(days=settings.keep_sent_days))
    return Jembatan(store, deps, relay, ticker, intake)
