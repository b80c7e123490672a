"""The schema. Every row carries its tenant; Alembic migrations must match this file exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _tenant() -> Column[Any]:
    return Column("tenant_id", Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


def _when(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


tenants = Table(
    "tenants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    _when("created_at"),
    UniqueConstraint("platform", "external_id"),
)

programs = Table(
    "programs",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("channel_id", String(64), nullable=False),
    Column("cadence", String(16), nullable=False),
    Column("weekday", Integer, nullable=False),
    Column("local_time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("group_size", Integer, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("cross_division", String(16), nullable=False),
    Column("shoutout_channel", String(64)),
    Column("anchor", Date, nullable=False),
    Column("set_up_by", String(64)),  # who to tell when the bot cannot post in the channel
    _when("created_at"),
    # Slots due before this never run (NULL: since created_at, for programs older than the column).
    _when("schedule_changed_at", nullable=True),
    UniqueConstraint("tenant_id", "channel_id"),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("user_id", String(64), nullable=False),
    Column("division", String(255)),
    Column("timezone", String(64)),
    Column("interests", JSON, nullable=False),
    _when("created_at"),
    UniqueConstraint("tenant_id", "user_id"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("program_id", Integer, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("paused_until", Date),
    Column("silent_rounds", Integer, nullable=False, default=0),
    _when("joined_at"),
    _when("left_at", nullable=True),
    _when("last_nudged_at", nullable=True),
    UniqueConstraint("program_id", "person_id"),
)

admins = Table(
    "admins",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("user_id", String(64), nullable=False),
    _when("created_at"),
    UniqueConstraint("tenant_id", "user_id"),
)

blocked_pairs = Table(
    "blocked_pairs",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("first_person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("second_person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    _when("created_at"),
    UniqueConstraint("tenant_id", "first_person_id", "second_person_id"),
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("program_id", Integer, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("period", String(32), nullable=False),
    _when("scheduled_for"),
    _when("created_at"),
    Column("seed", Integer, nullable=False),
    _when("checkin_at"),
    _when("checkin_sent_at", nullable=True),
    _when("closed_at", nullable=True),
    # The claim: one round per program and period, whichever process gets there first.
    UniqueConstraint("program_id", "period"),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("outcome_by", String(64)),
    _when("outcome_at", nullable=True),
    Column("conversation_id", String(64)),
    Column("reasons", JSON, nullable=False),
    Column("shared_interests", JSON, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True),
    # Nulled when a person asks to be forgotten; the row stays as an anonymous placeholder.
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), index=True),
    Column("division", String(255)),
)

unpaired = Table(
    "unpaired",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("reason", String(32), nullable=False),
)

shoutouts = Table(
    "shoutouts",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("program_id", Integer, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    Column("giver_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("giver_division", String(255)),
    Column("milestone", String(64)),
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    _when("created_at"),
    Index("ix_shoutouts_tenant_created", "tenant_id", "created_at"),
)

shoutout_recipients = Table(
    "shoutout_recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column(
        "shoutout_id", Integer, ForeignKey("shoutouts.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("division", String(255)),
)

achievements = Table(
    "achievements",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("program_id", Integer, ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
    # Per-person milestones name the person; programme-wide ones use the owner key "program".
    Column("owner", String(32), nullable=False),
    Column("key", String(64), nullable=False),
    _when("created_at"),
    _when("announced_at", nullable=True),  # milestones are posted in a daily digest, not one by one
    UniqueConstraint("program_id", "owner", "key"),
)

inbound_deliveries = Table(
    "inbound_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("delivery_id", String(128), nullable=False),
    _when("received_at"),
    UniqueConstraint("tenant_id", "delivery_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    _tenant(),
    Column("dedupe_key", String(128), nullable=False),
    Column("destination", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE")),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    _when("next_attempt_at"),
    _when("created_at"),
    _when("sent_at", nullable=True),
    Column("last_error", String(255)),
    Column("conversation_id", String(64)),
    Column("message_ref", String(128)),
    # Which relay process is sending the row (while `sending`): see outbox_holders.
    Column("holder_id", Integer),
    UniqueConstraint("tenant_id", "dedupe_key"),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
)

# Every relay process registers here before it sends. On PostgreSQL it also holds a session
# advisory lock keyed by its id on a connection of its own, which dies with the process, so the
# rows a dead process was sending come back at once instead of after their lease.
outbox_holders = Table(
    "outbox_holders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    _when("started_at"),
)

# Slack's OAuth installs into many workspaces: one row per workspace or org (repository:
# installations.py). The bot token column holds Fernet ciphertext only, never the token itself.
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("enterprise_id", String(32), nullable=False),  # "" when not on Enterprise Grid
    Column("team_id", String(32), nullable=False),  # "" for an org-wide install
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("app_id", String(32)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_token", Text, nullable=False),
    Column("bot_scopes", Text, nullable=False),
    Column("installer_user_id", String(32)),
    Column("installed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_id", "enterprise_id", "team_id"),
)

# Each workspace's sending pace, shared by every relay process (repository: pacing.py).
outbox_pacing = Table(
    "outbox_pacing",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("not_before", DateTime(timezone=True), nullable=False),  # no request to it before this
)

# The admins' audit list: who changed what, and when, through any door (repository: audit.py).
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    # NULL: an action on the whole workspace (an export, a block, an admin granted).
    Column("program_id", Integer, ForeignKey("programs.id", ondelete="CASCADE")),
    Column("user_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_entries_tenant_created", "tenant_id", "created_at"),
)
