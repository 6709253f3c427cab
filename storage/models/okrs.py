"""Objectives, key results and the check-ins that move them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, utc_instant


class Objective(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    title: str = Field(max_length=500)
    period: str = Field(max_length=32, index=True)
    priority: int | None = None
    status: str = Field(default="active", max_length=16)
    created_at: datetime = created_now()


class KeyResult(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    title: str = Field(max_length=500)
    start_value: float = 0.0
    target_value: float
    current_value: float = 0.0
    unit: str = Field(default="", max_length=32)
    weight: float = 1.0
    confidence: str = Field(default="on_track", max_length=16)
    due_on: date | None = None
    updated_at: datetime = created_now()

    @property
    def progress(self) -> float:
        """How far the key result has come from its start towards its target, as a
        ratio 0..1 (clamped). A target below the start ("cut churn to 5 %") counts
        down. With start = target there is no way to go: at or past the target is
        1.0, short of it 0.0. The one definition every view and figure uses."""
        span = self.target_value - self.start_value
        if span == 0:
            return 1.0 if self.current_value >= self.target_value else 0.0
        return max(0.0, min(1.0, (self.current_value - self.start_value) / span))


class CheckIn(SQLModel, table=True):
    """One answered (or started) OKR check-in or WIG session."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=16)
    occurrence_id: int | None = Field(default=None, foreign_key="occurrence.id")
    blockers: str | None = Field(default=None, sa_type=Text)
    change_next: str | None = Field(default=None, sa_type=Text)
    started_at: datetime = created_now()
    completed_at: datetime | None = utc_instant(default=None)


class CheckInAnswer(SQLModel, table=True):
    """One answer in a check-in: a key result's new value, a lead measure's number."""

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    key_result_id: int | None = Field(default=None, foreign_key="keyresult.id", index=True)
    lead_measure_id: int | None = Field(default=None, foreign_key="leadmeasure.id")
    question: str = Field(max_length=200)
    value: float | None = None
    text: str | None = Field(default=None, sa_type=Text)
    confidence: str | None = Field(default=None, max_length=16)
    answered_at: datetime = created_now()
