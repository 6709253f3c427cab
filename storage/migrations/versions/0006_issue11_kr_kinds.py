"""key results have a kind and a period; people may have a selling role

Revision ID: 0006_issue11
Revises: 0005_issue15
Create Date: 2026-11-29

Existing key results become kind "total" (what progress meant until now). Their
confidence is kept as stored: a value of "on_track" written before any check-in
cannot be told apart from a real one.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_issue11"
down_revision = "0005_issue15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("keyresult") as batch:
        batch.add_column(sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                   server_default="total"))
        batch.add_column(sa.Column("per", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    with op.batch_alter_table("keyresult") as batch:
        batch.alter_column("kind", server_default=None)
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("selling_role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("selling_role")
    with op.batch_alter_table("keyresult") as batch:
        batch.drop_column("per")
        batch.drop_column("kind")
