"""outbox holders: each sending process registers, so a dead one's rows come back at once

Revision ID: 0004_outbox
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_outbox"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_holders")),
    )
    # A plain ADD COLUMN (no batch rebuild): rebuilding `outbox` on SQLite is not needed for a
    # nullable column without constraints.
    op.add_column("outbox", sa.Column("holder_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "holder_id")
    op.drop_table("outbox_holders")
