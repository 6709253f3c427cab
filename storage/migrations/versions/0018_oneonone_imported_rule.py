"""the team file's one-on-one rhythm as last imported

Revision ID: 0018_o1ir
Revises: 0017_i17f
Create Date: 2026-12-01

A team file imported again re-read each `one_on_one` rhythm from that day and
replaced every series with it: every-other-week meetings moved by a week and a
manager's `/okr 1on1 @rep move to …` was undone. The series now keeps the rhythm
the file last gave it; an import whose rhythm is the same leaves the series alone.
Existing series start empty (the next import compares with the series' own rule).
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018_o1ir"
down_revision = "0017_i17f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.add_column(sa.Column("imported_rule", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oneonone") as batch:
        batch.drop_column("imported_rule")
