"""partial occurrence indexes, and no foreign key of its own on occurrence.org_id (issue 17)

Every index a row belongs to is written with it: at 100,000 people a day's planning
inserted 100,000 rows into eight indexes and checked two foreign keys (3.4 s of the
server's time), and each status change of a dispatch wrote eight index entries again
(3.6 s per 100,000). The hot queries each look for one status, so their indexes now
hold only the rows with that status: pending by due time, claimed by lease, delivered
by delivery time, failed by claim time. The (status, …) indexes, the due-time index
(only the preview read it) and the organisation index (nothing filters on it) go.
`org_id` is the person's organisation, copied; the person's foreign key keeps it honest,
so its own foreign key (~0.5 s per 100,000 rows planned) goes too.

Revision ID: 0013_issue17
Revises: 0012_issue17
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0013_issue17"
down_revision = "0012_issue17"
branch_labels = None
depends_on = None

OLD = {
    "ix_occurrence_status_due": ["status", "due_at", "id"],
    "ix_occurrence_status_lease": ["status", "lease_until"],
    "ix_occurrence_status_delivered": ["status", "delivered_at"],
    "ix_occurrence_due_at": ["due_at"],
    "ix_occurrence_org_id": ["org_id"],
}
NEW = {  # name: (columns, the status the index holds)
    "ix_occurrence_pending_due": (["due_at", "id"], "pending"),
    "ix_occurrence_claimed_lease": (["lease_until", "id"], "claimed"),
    "ix_occurrence_delivered_at": (["delivered_at"], "delivered"),
    "ix_occurrence_failed_claimed": (["claimed_at"], "failed"),
}
# SQLite's foreign keys have no name: batch mode names them by this convention
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
ORG_FK = "fk_occurrence_org_id_organisation"


def _org_fk_name() -> str:
    """The foreign key's name as the database has it (PostgreSQL named it
    occurrence_org_id_fkey; SQLite's first one has none, so batch mode's convention)."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys("occurrence"):
        if fk["constrained_columns"] == ["org_id"] and fk["name"]:
            return str(fk["name"])
    return ORG_FK


def upgrade() -> None:
    for name in OLD:
        op.drop_index(name, table_name="occurrence")
    for name, (columns, status) in NEW.items():
        where = sa.text(f"status = '{status}'")
        op.create_index(name, "occurrence", columns, postgresql_where=where, sqlite_where=where)
    name = _org_fk_name()
    with op.batch_alter_table("occurrence", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("occurrence", naming_convention=NAMING) as batch_op:
        batch_op.create_foreign_key("occurrence_org_id_fkey", "organisation", ["org_id"], ["id"])
    for name in reversed(NEW):
        op.drop_index(name, table_name="occurrence")
    for name, columns in OLD.items():
        op.create_index(name, "occurrence", columns)
