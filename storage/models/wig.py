"""4DX: wildly important goals, lead measures, their weekly entries and commitments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import utcnow
from storage.models.columns import created_now, utc_instant


class Wig(SQLModel, table=True):
    """A team's wildly important goal: from X to Y by when. At most two active per team."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    title: str = Field(max_length=500)
    from_value: float
    to_value: float
    unit: str = Field(default="", max_length=32)
    by_date: date
    active: bool = True
    created_at: datetime = created_now()
    # The day the straight line to the target starts (the manager's local day the WIG
    # was set); None on WIGs set before #15, which start on `created_at`'s UTC day.
    started_on: date | None = None


class WigReading(SQLModel, table=True):
    """The lag measure's value in one week (ISO Monday): where the WIG stands now.
    Updated in the week's WIG session or by the manager; a repeat replaces it."""

    __table_args__ = (UniqueConstraint("wig_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    wig_id: int = Field(foreign_key="wig.id", index=True)
    week_start: date
    value: float
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    recorded_at: datetime = created_now()


class LeadTarget(SQLModel, table=True):
    """One rep's own weekly target for a team lead measure (overrides `weekly_target`)."""

    __table_args__ = (UniqueConstraint("lead_measure_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    lead_measure_id: int = Field(foreign_key="leadmeasure.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    weekly_target: float


class ScorecardChannel(SQLModel, table=True):
    """Where a manager's team scorecard is posted each week, and when: ISO `weekday`
    (1 = Monday) and `local_time` in the manager's zone, after the WIG sessions close.
    `channel_ref` is the platform's channel (Slack channel id, a serialised Teams
    conversation reference); `tenant` the Slack workspace or Teams tenant."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", unique=True)
    platform: str = Field(max_length=16)
    channel_ref: str = Field(max_length=4000)
    tenant: str | None = Field(default=None, max_length=128)
    weekday: int = 2
    local_time: str = Field(default="12:00", max_length=5)
    created_at: datetime = created_now()


class ScorecardPost(SQLModel, table=True):
    """The week's scorecard post: claimed (row inserted) before it is sent, so it goes
    out once across processes; `thread_ref` is the post everything else that week
    replies to."""

    __table_args__ = (UniqueConstraint("manager_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    week_start: date
    platform: str = Field(max_length=16)
    channel_ref: str = Field(max_length=4000)
    thread_ref: str | None = Field(default=None, max_length=256)
    claimed_at: datetime = created_now()


class LeadMeasure(SQLModel, table=True):
    """An activity that drives a WIG, with a weekly target. `owner_id` set = personal."""

    id: int | None = Field(default=None, primary_key=True)
    wig_id: int = Field(foreign_key="wig.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    title: str = Field(max_length=300)
    weekly_target: float
    unit: str = Field(default="", max_length=32)
    active: bool = True
    # a measure a feature reads rather than a person types (`MeasureSource.name`,
    # e.g. "overdue_leads"); None for a typed one
    source: str | None = Field(default=None, max_length=32)
    # when it was set: the scorecard's trend starts with its week (migration 0020; None on
    # measures set before, whose weeks are all shown)
    created_at: datetime | None = utc_instant(default_factory=utcnow, nullable=True)


class LeadMeasureEntry(SQLModel, table=True):
    """A person's number for a lead measure in one week (Monday of the ISO week)."""

    __table_args__ = (UniqueConstraint("lead_measure_id", "person_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    lead_measure_id: int = Field(foreign_key="leadmeasure.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    week_start: date
    value: float
    recorded_at: datetime = created_now()


class Commitment(SQLModel, table=True):
    """One of the one or two things a rep commits to in a WIG session."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    wig_id: int | None = Field(default=None, foreign_key="wig.id")
    text: str = Field(max_length=500)
    week_start: date
    kept: bool | None = None
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_now()
