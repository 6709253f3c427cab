"""Trade shows: events, their attendees and the leads captured there."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, utc_instant


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    location: str | None = Field(default=None, max_length=200)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_now()


class EventAttendee(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class Lead(SQLModel, table=True):
    """A lead met at an event; chased until followed up, then possibly an opportunity."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(max_length=200)
    company: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=320)
    notes: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default="new", max_length=16)
    captured_at: datetime = created_now()
    followed_up_at: datetime | None = utc_instant(default=None)
    reminded_at: datetime | None = utc_instant(default=None)
    escalated_at: datetime | None = utc_instant(default=None)
