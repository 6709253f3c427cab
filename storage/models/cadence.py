"""Cadences and delivery: rules, one-on-one series, occurrences and deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, json_column, utc_instant


class CadenceRule(SQLModel, table=True):
    """A local schedule rule: IANA zone + RFC 5545 rrule + local time.

    Scope: `person_id` set = that person; `team_manager_id` set = that manager's team;
    both empty = the organisation default. The most specific rule wins.
    """

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=32)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    team_manager_id: int | None = Field(default=None, foreign_key="person.id")
    rrule: str = Field(max_length=300)
    local_time: str = Field(default="09:00", max_length=5)
    timezone: str | None = Field(default=None, max_length=64)
    enabled: bool = True
    anchor_on: date | None = None


class OneOnOne(SQLModel, table=True):
    """A manager–rep 1:1 series: a local rule in the manager's zone. The manager's
    brief goes out `brief_minutes_before` each meeting (moved earlier into the
    manager's working hours when that would be at night). An ended series
    (`ended_at`) is planned no more; its meetings and action items stay."""

    __table_args__ = (UniqueConstraint("manager_id", "rep_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    rrule: str = Field(default="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", max_length=300)
    local_time: str = Field(default="10:00", max_length=5)
    timezone: str | None = Field(default=None, max_length=64)
    duration_minutes: int = 30
    brief_minutes_before: int = 120
    anchor_on: date | None = None
    ended_at: datetime | None = utc_instant(default=None)  # `/okr 1on1 @rep off`: no longer planned, history kept
    # why it ended when not by `/okr 1on1 @rep off`: "moved" (the rep reports to someone
    # else now) or "left" (rep or manager inactive); the manager is told once
    ended_reason: str | None = Field(default=None, max_length=16)
    # the team file's `one_on_one` rhythm as last imported ("FREQ=…|10:00|America/New_York",
    # migration 0018): the same rhythm imported again leaves the series as it is (its
    # first meeting, its alternating weeks, the manager's `move to …`); None: never imported
    imported_rule: str | None = Field(default=None, max_length=400)


def only(status: str) -> dict[str, Any]:
    """Arguments that make an `Index` partial on both databases: the rows with `status`."""
    where = text(f"status = '{status}'")
    return {"postgresql_where": where, "sqlite_where": where}


class Occurrence(SQLModel, table=True):
    """One due prompt. `key` is unique ("okr_checkin:42:2027-01-12"), so an instant is
    claimed once whatever the number of processes; status moves
    pending -> claimed -> delivered -> answered, or to missed / skipped / failed.

    Indexed for the dispatcher's hot queries at 100,000 people (checked with EXPLAIN on
    PostgreSQL in tests/cadence/test_dispatch_scale.py): the catch-up and superseding by
    (person, kind, due time); the rest by partial indexes, one per status a hot query
    looks for (`storage.occurrences.status_is` spells the status in the SQL so that
    both databases can use them): due claims by due time among the pending rows, lapsed
    claims by lease among the claimed ones, the nudge scan by delivery time among the
    delivered ones, the failure summary by claim time among the failed ones.

    Partial, because every row written costs one entry per index it belongs to: a
    planned row enters four indexes instead of eight, and each status change three or
    four (issue 17: planning 100,000 rows took 3.4 s of the server's time, 2.6 s
    after; each 100,000 status changes 3.6 s, 2.0 s after). `org_id` is the person's
    organisation, copied for the failure summary; it is neither indexed nor a foreign
    key of its own (the person's is enough, and checking it cost ~0.5 s per 100,000
    rows planned).

    On PostgreSQL half of each page is left free (fillfactor 50, migration 0017): the
    "sending" mark before each send changes `reason` only, which no index names, so
    with room on the page it is a heap-only update that writes no index entry (94,000
    of 100,000 marks in a 100,000-prompt dispatch, against 29,000 on full pages)."""

    __table_args__ = (
        Index("ix_occurrence_person_kind_due", "person_id", "kind", "due_at"),
        Index("ix_occurrence_pending_due", "due_at", "id", **only("pending")),
        Index("ix_occurrence_claimed_lease", "lease_until", "id", **only("claimed")),
        Index("ix_occurrence_delivered_at", "delivered_at", **only("delivered")),
        Index("ix_occurrence_failed_claimed", "claimed_at", **only("failed")),
        {"postgresql_with": {"fillfactor": 50}},  # as migration 0017_i17f sets it
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    org_id: int
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=32)
    due_at: datetime = utc_instant()
    local_date: date
    status: str = Field(default="pending", max_length=16)
    reason: str | None = Field(default=None, max_length=300)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = utc_instant(default=None)
    # A claim is held until then: the claiming instance extends it while it sends;
    # after a crash, or when a transient failure set a retry time, any instance may
    # take the claim over once it has passed.
    lease_until: datetime | None = utc_instant(default=None)
    delivered_at: datetime | None = utc_instant(default=None)
    snoozed_until: datetime | None = utc_instant(default=None)
    nudged_at: datetime | None = utc_instant(default=None)
    answered_at: datetime | None = utc_instant(default=None)
    payload: dict[str, Any] = json_column()


class Delivery(SQLModel, table=True):
    """A message a platform accepted for an occurrence, with the platform's id for it."""

    __table_args__ = (UniqueConstraint("occurrence_id", "purpose"),)
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="occurrence.id")  # looked up by the unique key above
    purpose: str = Field(default="prompt", max_length=16)
    platform: str = Field(max_length=16)
    channel_id: str | None = Field(default=None, max_length=128)
    message_id: str | None = Field(default=None, max_length=128)
    sent_at: datetime = created_now()


class PlanHorizon(SQLModel, table=True):
    """How far ahead every person's occurrences are written (one row). A restarted
    process that finds the horizon ahead of now delivers what is due straight away and
    plans afterwards, instead of re-planning 100,000 people before its first prompt."""

    id: int = Field(default=1, primary_key=True)
    planned_until: datetime = utc_instant()
    planned_at: datetime = utc_instant()
