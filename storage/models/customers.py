"""Conversations in progress, customer accounts, discovery notes and salary talks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, json_column, utc_instant


class Conversation(SQLModel, table=True):
    """A flow in progress: the engine's state, saved after every step.

    At most one `active` per person; others may be `parked`.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    flow: str = Field(max_length=64)
    status: str = Field(default="active", max_length=16, index=True)
    state: dict[str, Any] = json_column()
    started_at: datetime = created_now()
    updated_at: datetime = created_now()
    reminded_at: datetime | None = utc_instant(default=None)


# --- customers ------------------------------------------------------------------------


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    key: str = Field(max_length=200)
    name: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = created_now()


class DiscoveryNote(SQLModel, table=True):
    """One discovery conversation's answers about a customer's year, dated."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    answers: dict[str, Any] = json_column()
    recorded_at: datetime = created_now()


class SalaryTalk(SQLModel, table=True):
    """A manager's private preparation and outcome of a salary talk with a rep."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default="preparing", max_length=16)
    preparation: dict[str, Any] = json_column()
    outcome: dict[str, Any] = json_column()
    summary_for_rep: str | None = Field(default=None, sa_type=Text)
    summary_sent_at: datetime | None = utc_instant(default=None)
    follow_up_on: date | None = None
    created_at: datetime = created_now()
    updated_at: datetime = created_now()
