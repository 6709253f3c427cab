"""h2s25: the terminal channel's last card per person (its numbered choices), so a new
`coachbot chat` run still takes "Save" or "1" for it until it expires

Revision ID: 0014_h2s25
Revises: 0013_issue17
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

import storage.db
from alembic import op

revision = "0014_h2s25"
down_revision = "0013_issue17"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consolecard",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("asked", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("shown_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("consolecard")
