"""one-on-ones as they happen: meetings, action items, the managers' alert digests

Revision ID: 0004_issue12
Revises: 0003_issue14
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.db

revision = "0004_issue12"
down_revision = "0003_issue14"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('nominal_on', sa.Date(), nullable=False),
    sa.Column('starts_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('agenda_asked_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('brief_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('brief_sent_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes_asked_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('notes_shared', sa.Boolean(), nullable=False),
    sa.Column('notes_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['rep_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['series_id'], ['oneonone.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series_id', 'nominal_on')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        for column in ('manager_id', 'org_id', 'rep_id', 'series_id', 'starts_at'):
            batch_op.create_index(batch_op.f(f'ix_meeting_{column}'), [column], unique=False)

    op.create_table('actionitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reminded_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', storage.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['rep_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actionitem', schema=None) as batch_op:
        for column in ('manager_id', 'org_id', 'owner_id', 'rep_id'):
            batch_op.create_index(batch_op.f(f'ix_actionitem_{column}'), [column], unique=False)

    op.create_table('alertdigest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('covered_until', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('alerts', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('manager_id', 'sent_on')
    )
    with op.batch_alter_table('alertdigest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertdigest_manager_id'), ['manager_id'], unique=False)


def downgrade() -> None:
    op.drop_table('alertdigest')
    op.drop_table('actionitem')
    op.drop_table('meeting')
