"""programs remember who set them up, to tell them when the bot cannot post in the channel

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("set_up_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding `programs` drops the
    # old table, and with foreign keys on, that cascades to every round and group.
    op.drop_column("programs", "set_up_by")
