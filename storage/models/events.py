"""Trade shows (seed 003): events, their attendees and the leads captured there.

Days (`starts_on`, `ends_on`) are the venue's local calendar days, in `timezone`;
instants are aware UTC. A lead's `due_at` is its follow-up deadline, the end of the
owner's N-th working day after the event, set when the event's leads are assigned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, json_column, utc_instant

# Where a lead stands; every status but "new" counts as followed up.
LEAD_STATUSES = ("new", "followed_up", "meeting", "opportunity", "not_fit")
TEMPERATURES = ("hot", "warm", "cold")


class Event(SQLModel, table=True):
    """A trade show or conference. `created_by` is the manager who leads the team
    there: they get the planning reminder, the escalations and the report.
    `objectives`: seed 003's four aims -> how many contacts ("new_prospects": 10)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    location: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    objectives: dict[str, Any] = json_column()
    prep_days: int = 5
    follow_up_days: int = 3
    report_days: int = 7
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = created_now()
    assigned_at: datetime | None = utc_instant(default=None)
    reported_at: datetime | None = utc_instant(default=None)


class EventAttendee(SQLModel, table=True):
    """Someone going to an event, with their targets ("meetings": 4, "leads": 25) and
    their rehearsal (opening line, pitch, objections, demo, meetings booked)."""

    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    targets: dict[str, Any] = json_column()
    prep: dict[str, Any] = json_column()


class Lead(SQLModel, table=True):
    """A lead met at an event; chased until followed up, then possibly an opportunity.
    `captured_by` met them; `owner_id` follows up (the capturer unless reassigned)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    captured_by: int | None = Field(default=None, foreign_key="person.id")
    name: str = Field(max_length=200)
    company: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    temperature: str | None = Field(default=None, max_length=8)
    notes: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default="new", max_length=16)
    outcome: str | None = Field(default=None, sa_type=Text)
    value: float | None = None
    currency: str | None = Field(default=None, max_length=3)
    captured_at: datetime = created_now()
    due_at: datetime | None = utc_instant(default=None, index=True)
    followed_up_at: datetime | None = utc_instant(default=None)
    reminded_at: datetime | None = utc_instant(default=None)
    escalated_at: datetime | None = utc_instant(default=None)
