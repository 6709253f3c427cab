"""a one-on-one series can be ended and keep its history

Revision ID: 0009_issue12b
Revises: 0008_issue16
Create Date: 2026-11-29

`/okr 1on1 @rep off` sets `ended_at`: the series is no longer planned (no brief,
no agenda prompt to the rep), its meetings, notes and action items stay. Setting a
rule again reopens it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0009_issue12b"
down_revision = "0008_issue16"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.add_column(sa.Column("ended_at", storage.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.drop_column("ended_at")
