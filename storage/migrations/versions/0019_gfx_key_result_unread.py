"""keyresult.unread: a key result with no reading yet

Revision ID: 0019_gfx
Revises: 0018_o1ir
Create Date: 2026-12-01

A new floor key result ("keep 95 % of my customers") had its floor stored as its
current value, and showed "100 %, holding the floor" before anything was measured
(one typed without a figure showed 0 %, "below the floor"); both counted in every
average. A key result now knows when it has no reading yet. Existing rows: a floor
that no check-in ever gave a value has none (its figure was the invented one);
every other key result has one. A ceiling, a kind added alongside, is treated
the same way.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_gfx"
down_revision = "0018_o1ir"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("keyresult") as batch:
        batch.add_column(sa.Column("unread", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE keyresult SET unread = true WHERE kind IN ('floor', 'ceiling') AND NOT EXISTS ("
               "SELECT 1 FROM checkinanswer WHERE checkinanswer.key_result_id = keyresult.id"
               " AND checkinanswer.value IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table("keyresult") as batch:
        batch.drop_column("unread")
