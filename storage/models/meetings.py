"""One-on-ones as they happen: each meeting of a series, the action items agreed in
it, and the once-a-day alert digest a manager gets. The series itself (the rule) is
`OneOnOne` in `storage.models.cadence`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, json_column, utc_instant


class Meeting(SQLModel, table=True):
    """One meeting of a 1:1 series, keyed by its nominal local day, so a moved
    meeting is still the same row. Each step around it (the rep's agenda prompt the
    day before, the manager's brief, the "what did you agree?" prompt after) is
    claimed by a conditional update of its `*_at` column: it happens once, whatever
    the number of processes. `status`: planned, skipped (by the manager) or held."""

    __table_args__ = (UniqueConstraint("series_id", "nominal_on"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    series_id: int = Field(foreign_key="oneonone.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    nominal_on: date
    starts_at: datetime = utc_instant(index=True)
    status: str = Field(default="planned", max_length=16)
    agenda_asked_at: datetime | None = utc_instant(default=None)
    agenda: dict[str, Any] = json_column()
    brief_at: datetime | None = utc_instant(default=None)
    brief_sent_at: datetime | None = utc_instant(default=None)
    notes_asked_at: datetime | None = utc_instant(default=None)
    notes: str | None = Field(default=None, sa_type=Text)
    notes_shared: bool = False
    notes_at: datetime | None = utc_instant(default=None)


class ActionItem(SQLModel, table=True):
    """Something agreed in a one-on-one: who does it, by when (their local day).
    Reminded once on its due day, and listed in every brief until it is done."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(max_length=500)
    due_on: date | None = None
    status: str = Field(default="open", max_length=16)
    reminded_at: datetime | None = utc_instant(default=None)
    done_at: datetime | None = utc_instant(default=None)
    created_at: datetime = created_now()


class AlertDigest(SQLModel, table=True):
    """A manager's alert message of one local day: inserting the row claims the day,
    so a manager hears at most once a day, from one process."""

    __table_args__ = (UniqueConstraint("manager_id", "sent_on"),)
    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    sent_on: date
    covered_until: datetime = utc_instant()
    alerts: int = 0
    created_at: datetime = created_now()
