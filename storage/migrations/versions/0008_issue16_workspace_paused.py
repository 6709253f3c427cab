"""a workspace can be paused (Slack app uninstalled or its bot token revoked)

Revision ID: 0008_issue16
Revises: 0007_issue13
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa

import storage.db
from alembic import op

revision = "0008_issue16"
down_revision = "0007_issue13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("paused_at", storage.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("paused_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("paused_reason")
        batch.drop_column("paused_at")
