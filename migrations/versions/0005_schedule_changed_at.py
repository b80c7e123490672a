"""programs remember when their schedule last changed: a slot due before that never runs

Revision ID: 0004_words
Revises: 0004_outbox
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_words"
down_revision = "0004_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, so no rebuild of `programs` (which would cascade to rounds on SQLite): a program
    # set up before this column existed reads NULL as "since it was created".
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("schedule_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: see 0003.
    op.drop_column("programs", "schedule_changed_at")
