"""keyresult.unread for rates planned without a figure

Revision ID: 0021_krrate
Revises: 0020_lmca
Create Date: 2026-12-01

A rate key result ("book 6 first meetings a week") planned without a figure read
"0 first meetings a week lately" before anything was reported: a manager read it as
"did zero meetings", and it counted 0 % in every average. Such a rate now has no
reading yet (`KeyResult.unread`), as a floor or a ceiling has since 0019_gfx.

Existing rows: a rate no check-in ever gave a value, whose start and current are
both zero, was planned without a figure (goal setting stores a missing start as 0);
it has no reading. A rate planned "from 4 to 6 a week" keeps its 4. The rare rate
that truly started at 0 ("from 0 to 6 a week", or a reading of 0 carried from a plan
made again) reads "no reading yet" until its next check-in: the milder mistake.
Schema unchanged; downgrade gives every rate a reading again, as 0019 stored them
(the figure kept in `current_value` is untouched either way).
"""
from __future__ import annotations

from alembic import op

revision = "0021_krrate"
down_revision = "0020_lmca"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE keyresult SET unread = true WHERE kind = 'rate' AND start_value = 0"
               " AND current_value = 0 AND NOT EXISTS ("
               "SELECT 1 FROM checkinanswer WHERE checkinanswer.key_result_id = keyresult.id"
               " AND checkinanswer.value IS NOT NULL)")


def downgrade() -> None:
    op.execute("UPDATE keyresult SET unread = false WHERE kind = 'rate'")
