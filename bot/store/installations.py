"""Slack installations (OAuth installs into many workspaces): one row per workspace or org.

Plain SQLAlchemy on the shared metadata, so the table belongs to our Alembic history. The
bot token column holds ciphertext only; the Slack adapter encrypts and decrypts it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text, UniqueConstraint

from bot.store.tables import metadata

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
    Column("bot_token", Text, nullable=False),  # Fernet ciphertext, never the token itself
    Column("bot_scopes", Text, nullable=False),
    Column("installer_user_id", String(32)),
    Column("installed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_id", "enterprise_id", "team_id"),
)
