"""leadmeasure.created_at: when a lead measure was set

Revision ID: 0020_lmca
Revises: 0019_gfx
Create Date: 2026-12-01

The scorecard's 4-week trend showed "0 → 0 → 0 → 0" for a measure set today: weeks
before it existed read as weeks of zero. A lead measure now knows when it was set, and
the trend starts with that week. Existing rows: not known (NULL), all their weeks are
shown, as before (a week nobody reported shows no number, not 0, either way).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0020_lmca"
down_revision = "0019_gfx"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leadmeasure") as batch:
        batch.add_column(sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leadmeasure") as batch:
        batch.drop_column("created_at")
