"""trade shows: event zone, objectives and follow-up settings; attendee targets and
rehearsal; lead capturer, e-mail, phone, temperature, outcome and deadline

Revision ID: 0003_issue14
Revises: 0002
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.db

revision = "0003_issue14"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("objectives", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("prep_days", sa.Integer(), nullable=False, server_default="5"))
        batch.add_column(sa.Column("follow_up_days", sa.Integer(), nullable=False, server_default="3"))
        batch.add_column(sa.Column("report_days", sa.Integer(), nullable=False, server_default="7"))
        batch.add_column(sa.Column("assigned_at", storage.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reported_at", storage.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("eventattendee") as batch:
        batch.add_column(sa.Column("targets", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("prep", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("lead") as batch:
        batch.add_column(sa.Column("captured_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch.add_column(sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("temperature", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True))
        batch.add_column(sa.Column("due_at", storage.db.UTCDateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_lead_captured_by_person", "person", ["captured_by"], ["id"])
        batch.create_index(batch.f("ix_lead_due_at"), ["due_at"], unique=False)
        batch.drop_column("contact")


def downgrade() -> None:
    with op.batch_alter_table("lead") as batch:
        batch.add_column(sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch.drop_index(batch.f("ix_lead_due_at"))
        batch.drop_constraint("fk_lead_captured_by_person", type_="foreignkey")
        for column in ("due_at", "currency", "value", "outcome", "temperature", "phone", "email",
                       "captured_by"):
            batch.drop_column(column)
    with op.batch_alter_table("eventattendee") as batch:
        batch.drop_column("prep")
        batch.drop_column("targets")
    with op.batch_alter_table("event") as batch:
        for column in ("reported_at", "assigned_at", "report_days", "follow_up_days", "prep_days",
                       "objectives", "timezone"):
            batch.drop_column(column)
