"""outbox pacing: each workspace's next send slot, shared by every relay process

Revision ID: 0006_pacing
Revises: 0004_words
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_pacing"
down_revision = "0004_words"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_pacing",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_outbox_pacing_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_outbox_pacing")),
    )


def downgrade() -> None:
    op.drop_table("outbox_pacing")
