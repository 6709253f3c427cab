"""leave half of each occurrence page free on PostgreSQL (fillfactor 50)

Revision ID: 0017_i17f
Revises: 0016_i17d
Create Date: 2026-11-30

The dispatcher marks each prompt "sending" just before it is sent (issue 11), an
update of `reason` alone: no index covers that column or names it in a predicate,
so PostgreSQL can write the new row version on the same page without an entry in
any of the table's indexes (a heap-only tuple, "HOT"), but only when the page has
room. Pages filled to 100 % (the default) seldom had it: 29,000 of 100,000 marks in
a 100,000-prompt dispatch were HOT; with half of each page left free, 94,000 were
(the claim's and the delivery's updates change `status`, which partial indexes
name, and are never HOT). New pages follow the setting; existing ones are left as
they are until rows move (no rewrite, only a brief lock). SQLite has no such
setting: nothing to do there.
"""
from __future__ import annotations

from alembic import op

revision = "0017_i17f"
down_revision = "0016_i17d"
branch_labels = None
depends_on = None

FILLFACTOR = 50


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE occurrence SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE occurrence RESET (fillfactor)")
