"""why a one-on-one series ended, when not by its manager

Revision ID: 0015_mgra
Revises: 0014_h2s25
Create Date: 2026-11-30

A series whose rep moved to another manager ("moved") or whose rep or manager left
("left") is ended by the one-on-one job with that reason, and the manager is told
once; `/okr 1on1 @rep off` leaves it empty.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015_mgra"
down_revision = "0014_h2s25"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.add_column(sa.Column("ended_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.drop_column("ended_reason")
