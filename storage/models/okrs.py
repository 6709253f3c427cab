"""Objectives, key results and the check-ins that move them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.models.columns import UNRATED, created_now, utc_instant

# The kinds of key result (issue #11). Each reads its figures differently:
#   total  - "close 12 new logos by June 30": a running total from start to target;
#   rate   - "book 6 first meetings a week": the latest period's figure against the
#            rate (`per` is "week" or "month"); never summed into a running total;
#   floor  - "keep 95 % of customers": a level to hold, on track at or above it;
#   ceiling - "keep churn below 3 %": a level to stay under, on track at or below it;
#   quota  - the year's number: business already booked counts as attained.
KR_KINDS = ("total", "rate", "floor", "ceiling", "quota")


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
    kind: str = Field(default="total", max_length=16)
    per: str | None = Field(default=None, max_length=16)
    confidence: str = Field(default=UNRATED, max_length=16)
    due_on: date | None = None
    updated_at: datetime = created_now()
    # no reading yet: `current_value` was never read (a floor or ceiling planned without
    # a figure, "keep 95 %"; a rate, "book 6 a week"), until a check-in gives it a value
    unread: bool = False

    @property
    def reading(self) -> float | None:
        """The current value, or None while the key result has no reading yet (then
        it is shown as such and left out of averages: neither held nor missed)."""
        return None if self.unread else self.current_value

    @property
    def progress(self) -> float:
        """The one definition of a key result's progress every view and figure uses:
        a ratio 0..1 (clamped), read by kind (see KR_KINDS).

        - total: from the start towards the target; a target below the start ("cut
          churn to 5 %") counts down; start = target is 1.0 at or past it, else 0.0.
        - quota: attained share of the target, counted from zero, so business booked
          before the plan (stored as the current value) counts (420k of 1.2M is 0.35).
        - rate: the latest period's figure against the rate per period (5 of 6 a
          week is 0.83), never a running total.
        - floor: 1.0 while the level is held (at or above the floor), 0.0 once it is
          broken (92 against a floor of 95).
        - ceiling: 1.0 while the level is held (at or below the ceiling), 0.0 once it
          is broken (4 % against a ceiling of 3 %).

        A level is held or broken, never "on its way": a floor is not a distance to
        travel, and 92 % retention against a floor of 95 % is a missed goal, not one
        97 % done. Drawn and averaged as its share, a broken level read as nearly
        done and lifted "of the way overall"; at 0.0 the bar is empty beside "below
        the floor of 95%" and the average counts it as the miss it is.
        """
        if self.kind == "ceiling":
            return 1.0 if self.current_value <= self.target_value else 0.0
        if self.kind == "floor":
            return 1.0 if self.current_value >= self.target_value else 0.0
        if self.kind in ("quota", "rate"):
            if self.target_value <= 0:
                return 1.0 if self.current_value >= self.target_value else 0.0
            return max(0.0, min(1.0, self.current_value / self.target_value))
        span = self.target_value - self.start_value
        if span == 0:
            return 1.0 if self.current_value >= self.target_value else 0.0
        return max(0.0, min(1.0, (self.current_value - self.start_value) / span))

    @property
    def held(self) -> bool:
        """For a floor: the level is at or above it; for a ceiling: at or below it.
        For any other kind: the target is reached."""
        return self.progress >= 1.0


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
