"""a lead measure may be read by a feature (overdue trade-show leads) instead of typed

Revision ID: 0010_issue14b
Revises: 0009_issue12b
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0010_issue14b"
down_revision = "0009_issue12b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leadmeasure") as batch:
        batch.add_column(sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leadmeasure") as batch:
        batch.drop_column("source")
