"""drop the delivery table's index on occurrence_id alone

Revision ID: 0016_i17d
Revises: 0015_mgra
Create Date: 2026-11-30

The unique key (occurrence_id, purpose) already serves every look-up by occurrence
(its first column); the second index on occurrence_id alone only cost one more entry
written per prompt delivered (issue 17: 100,000 deliveries in a dispatch).
"""
from __future__ import annotations

from alembic import op

revision = "0016_i17d"
down_revision = "0015_mgra"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_occurrence_id")


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.create_index("ix_delivery_occurrence_id", ["occurrence_id"])
