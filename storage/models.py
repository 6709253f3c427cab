"""The tables: the whole domain of coachbot, tenant-scoped.

Every row that belongs to a customer carries `org_id` (directly or through its
parent), so no query can mix two organisations by accident. Instants are
`UTCDateTime`; calendar days (a vacation, a due date) are plain dates, because a day
means the person's own local day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.db import UTCDateTime, utcnow

ROLES = ("rep", "manager", "admin")
CONFIDENCES = ("on_track", "at_risk", "off_track")
PLATFORMS = ("slack", "teams", "console")


def _when(**kwargs: Any) -> Any:
    """An aware-UTC instant column."""
    return Field(sa_type=UTCDateTime, **kwargs)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- tenants and people ---------------------------------------------------------------


class Organisation(SQLModel, table=True):
    """A tenant: one customer company. Workspaces of every platform hang off it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    country: str | None = Field(default=None, max_length=8)
    created_at: datetime = _created()


class Workspace(SQLModel, table=True):
    """A Slack workspace (team/enterprise id) or a Teams tenant mapped to an organisation."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    enterprise_id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()


class Person(SQLModel, table=True):
    """A rep, manager or admin. `working_days` is ISO weekday numbers, e.g. "1,2,3,4,5"."""

    __table_args__ = (UniqueConstraint("org_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    role: str = Field(default="rep", max_length=16)
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    timezone: str = Field(default="UTC", max_length=64)
    working_days: str = Field(default="1,2,3,4,5", max_length=32)
    country: str | None = Field(default=None, max_length=8)
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    active: bool = Field(default=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ChatIdentity(SQLModel, table=True):
    """Who a person is on a platform: a Slack user id or a Teams AAD object id.

    `tenant` is the Slack workspace (team id) or Teams tenant the id was seen in, so
    a company with several workspaces sends with the right workspace's token; it is
    empty for an id that only came from the team file.
    """

    __table_args__ = (UniqueConstraint("org_id", "platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    tenant: str | None = Field(default=None, max_length=128)
    dm_channel: str | None = Field(default=None, max_length=128)


class Absence(SQLModel, table=True):
    """A vacation or out-of-office: no prompts on these local days (inclusive)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    starts_on: date
    ends_on: date
    reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()


# --- objectives and key results -------------------------------------------------------


class Objective(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    title: str = Field(max_length=500)
    period: str = Field(max_length=32, index=True)
    priority: int | None = None
    status: str = Field(default="active", max_length=16)
    created_at: datetime = _created()


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
    updated_at: datetime = _created()

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
    started_at: datetime = _created()
    completed_at: datetime | None = _when(default=None)


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
    answered_at: datetime = _created()


# --- 4DX: wildly important goals ------------------------------------------------------


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
    created_at: datetime = _created()


class LeadMeasure(SQLModel, table=True):
    """An activity that drives a WIG, with a weekly target. `owner_id` set = personal."""

    id: int | None = Field(default=None, primary_key=True)
    wig_id: int = Field(foreign_key="wig.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    title: str = Field(max_length=300)
    weekly_target: float
    unit: str = Field(default="", max_length=32)
    active: bool = True


class LeadMeasureEntry(SQLModel, table=True):
    """A person's number for a lead measure in one week (Monday of the ISO week)."""

    __table_args__ = (UniqueConstraint("lead_measure_id", "person_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    lead_measure_id: int = Field(foreign_key="leadmeasure.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    week_start: date
    value: float
    recorded_at: datetime = _created()


class Commitment(SQLModel, table=True):
    """One of the one or two things a rep commits to in a WIG session."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    wig_id: int | None = Field(default=None, foreign_key="wig.id")
    text: str = Field(max_length=500)
    week_start: date
    kept: bool | None = None
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()


# --- cadences and delivery ------------------------------------------------------------


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
    """A manager–rep 1:1 series; the brief goes out `brief_minutes_before` each one."""

    __table_args__ = (UniqueConstraint("manager_id", "rep_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    rrule: str = Field(default="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", max_length=300)
    local_time: str = Field(default="10:00", max_length=5)
    timezone: str | None = Field(default=None, max_length=64)
    duration_minutes: int = 30
    brief_minutes_before: int = 60
    anchor_on: date | None = None


class Occurrence(SQLModel, table=True):
    """One due prompt. `key` is unique ("okr_checkin:42:2027-01-12"), so an instant is
    claimed once whatever the number of processes; status moves
    pending -> claimed -> delivered -> answered, or to missed / skipped."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=32)
    due_at: datetime = _when(index=True)
    local_date: date
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=300)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = _when(default=None)
    delivered_at: datetime | None = _when(default=None)
    snoozed_until: datetime | None = _when(default=None)
    nudged_at: datetime | None = _when(default=None)
    answered_at: datetime | None = _when(default=None)
    payload: dict[str, Any] = _json()


class Delivery(SQLModel, table=True):
    """A message a platform accepted for an occurrence, with the platform's id for it."""

    __table_args__ = (UniqueConstraint("occurrence_id", "purpose"),)
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="occurrence.id", index=True)
    purpose: str = Field(default="prompt", max_length=16)
    platform: str = Field(max_length=16)
    channel_id: str | None = Field(default=None, max_length=128)
    message_id: str | None = Field(default=None, max_length=128)
    sent_at: datetime = _created()


# --- conversations --------------------------------------------------------------------


class Conversation(SQLModel, table=True):
    """A flow in progress: the engine's state, saved after every step.

    At most one `active` per person; others may be `parked`.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    flow: str = Field(max_length=64)
    status: str = Field(default="active", max_length=16, index=True)
    state: dict[str, Any] = _json()
    started_at: datetime = _created()
    updated_at: datetime = _created()
    reminded_at: datetime | None = _when(default=None)


# --- customers ------------------------------------------------------------------------


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    key: str = Field(max_length=200)
    name: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _created()


class DiscoveryNote(SQLModel, table=True):
    """One discovery conversation's answers about a customer's year, dated."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    answers: dict[str, Any] = _json()
    recorded_at: datetime = _created()


class SalaryTalk(SQLModel, table=True):
    """A manager's private preparation and outcome of a salary talk with a rep."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    manager_id: int = Field(foreign_key="person.id", index=True)
    rep_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default="preparing", max_length=16)
    preparation: dict[str, Any] = _json()
    outcome: dict[str, Any] = _json()
    summary_for_rep: str | None = Field(default=None, sa_type=Text)
    summary_sent_at: datetime | None = _when(default=None)
    follow_up_on: date | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()


# --- trade shows ----------------------------------------------------------------------


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    location: str | None = Field(default=None, max_length=200)
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime = _created()


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
    captured_at: datetime = _created()
    followed_up_at: datetime | None = _when(default=None)
    reminded_at: datetime | None = _when(default=None)
    escalated_at: datetime | None = _when(default=None)


# --- platform plumbing ----------------------------------------------------------------


class SlackInstallation(SQLModel, table=True):
    """A Slack OAuth installation (bot token per workspace), as slack_sdk stores it."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, index=True)
    enterprise_id: str | None = Field(default=None, max_length=64, index=True)
    team_id: str | None = Field(default=None, max_length=64, index=True)
    user_id: str | None = Field(default=None, max_length=64)
    is_enterprise_install: bool = False
    data: dict[str, Any] = _json()
    installed_at: datetime = _created()


class SlackOAuthState(SQLModel, table=True):
    """A one-time OAuth state, consumed on the redirect."""

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=128, unique=True)
    expires_at: datetime = _when()


class TeamsConversationRef(SQLModel, table=True):
    """Where to reach a Teams user proactively, stored on install or first message."""

    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=128)
    user_id: str = Field(max_length=128)
    aad_object_id: str | None = Field(default=None, max_length=128, index=True)
    reference: dict[str, Any] = _json()
    updated_at: datetime = _created()


class ProcessedEvent(SQLModel, table=True):
    """An inbound platform event id already handled: retries are processed once."""

    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=200)
    received_at: datetime = _created()
