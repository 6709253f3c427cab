"""Platform plumbing: Slack installations and OAuth states, Teams conversation
references, processed event ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, json_column, utc_instant


class SlackInstallation(SQLModel, table=True):
    """A Slack OAuth installation (bot token per workspace), as slack_sdk stores it."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, index=True)
    enterprise_id: str | None = Field(default=None, max_length=64, index=True)
    team_id: str | None = Field(default=None, max_length=64, index=True)
    user_id: str | None = Field(default=None, max_length=64)
    is_enterprise_install: bool = False
    data: dict[str, Any] = json_column()
    installed_at: datetime = created_now()


class SlackOAuthState(SQLModel, table=True):
    """A one-time OAuth state, consumed on the redirect."""

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=128, unique=True)
    expires_at: datetime = utc_instant()


class TeamsConversationRef(SQLModel, table=True):
    """Where to reach a Teams user proactively, stored on install or first message."""

    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=128)
    user_id: str = Field(max_length=128)
    aad_object_id: str | None = Field(default=None, max_length=128, index=True)
    reference: dict[str, Any] = json_column()
    updated_at: datetime = created_now()


class ProcessedEvent(SQLModel, table=True):
    """An inbound platform event id already handled: retries are processed once."""

    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=200)
    received_at: datetime = created_now()


class ConsoleCard(SQLModel, table=True):
    """The numbered choices (buttons) the terminal channel last showed a person, kept
    so a new `coachbot chat` run still takes "Save" or "1" for the card a run before it
    showed. One row per person (only the latest card's numbers mean anything), until
    `expires_at` (aware UTC). `choices` is {"choices": [[label, value], ...]} and
    `asked` the line that brought the card up (its expiry message names it)."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    choices: dict[str, Any] = json_column()
    asked: str | None = Field(default=None, max_length=400)
    shown_at: datetime = utc_instant()
    expires_at: datetime = utc_instant()
