"""chat identities remember the workspace or tenant they were seen in

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chatidentity") as batch:
        batch.add_column(sa.Column("tenant", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chatidentity") as batch:
        batch.drop_column("tenant")
