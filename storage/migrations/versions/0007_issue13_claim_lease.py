"""claims carry a lease: a crashed instance's claims, and prompts waiting to be
retried after a transient platform failure, are taken over once it runs out

Revision ID: 0007_issue13
Revises: 0006_issue11
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0007_issue13"
down_revision = "0006_issue11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("occurrence") as batch:
        batch.add_column(sa.Column("lease_until", storage.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("occurrence") as batch:
        batch.drop_column("lease_until")
