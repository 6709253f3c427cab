"""person.revision: a counter every UPDATE of a person raises (issue 17)

The dispatcher's refresh reloads the population only when a stamp of it changed. A
stamp of the people's last `updated_at` missed an edit whose clock was behind the
newest one (another host, or a transaction that began before and committed after);
the sum of the revisions changes with every UPDATE, whatever the clocks and the
order of commits.

Revision ID: 0012_issue17
Revises: 0011_issue17
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0012_issue17"
down_revision = "0011_issue17"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("revision")
