"""indexes for the dispatcher's hot queries at 100,000 people (issue 17)

Claims and due rows by (status, due_at, id); catch-up and superseding by
(person_id, kind, due_at); lapsed claims by (status, lease_until); the nudge scan by
(status, delivered_at). The single-column indexes on status and person_id are
prefixes of the new ones and go. `planhorizon` keeps how far everyone is planned,
so a restarted process can deliver before it re-plans.

Revision ID: 0011_issue17
Revises: 0010_issue14b
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa

import storage.db
from alembic import op

revision = "0011_issue17"
down_revision = "0010_issue14b"
branch_labels = None
depends_on = None

NEW = {
    "ix_occurrence_status_due": ["status", "due_at", "id"],
    "ix_occurrence_person_kind_due": ["person_id", "kind", "due_at"],
    "ix_occurrence_status_lease": ["status", "lease_until"],
    "ix_occurrence_status_delivered": ["status", "delivered_at"],
}


def upgrade() -> None:
    op.create_table(
        "planhorizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planned_until", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, columns in NEW.items():
        op.create_index(name, "occurrence", columns)
    op.drop_index("ix_occurrence_status", table_name="occurrence")
    op.drop_index("ix_occurrence_person_id", table_name="occurrence")


def downgrade() -> None:
    op.create_index("ix_occurrence_person_id", "occurrence", ["person_id"])
    op.create_index("ix_occurrence_status", "occurrence", ["status"])
    for name in reversed(NEW):
        op.drop_index(name, table_name="occurrence")
    op.drop_table("planhorizon")
