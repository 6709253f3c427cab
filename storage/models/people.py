"""Tenants and people: organisations, workspaces, people, chat identities, absences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.columns import created_now, updated_now, utc_instant


class Organisation(SQLModel, table=True):
    """A tenant: one customer company. Workspaces of every platform hang off it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    country: str | None = Field(default=None, max_length=8)
    created_at: datetime = created_now()


class Workspace(SQLModel, table=True):
    """A Slack workspace (team/enterprise id) or a Teams tenant mapped to an organisation."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    enterprise_id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_now()
    # Set when the platform took coachbot out (Slack app uninstalled, bot token
    # revoked): nothing is sent there until it is installed again.
    paused_at: datetime | None = utc_instant(default=None)
    paused_reason: str | None = Field(default=None, max_length=200)


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
    # "hunter" (new logos), "farmer" (grows the installed base) or None (both);
    # goal setting asks and computes differently for each (seeds 002, 003).
    selling_role: str | None = Field(default=None, max_length=16)
    active: bool = Field(default=True)
    created_at: datetime = created_now()
    updated_at: datetime = updated_now()
    # Raised by every ORM or Core UPDATE that does not set it: the dispatcher's refresh
    # reloads the population only when the people's count or revisions changed
    # (storage.schedule.schedule_stamp), whatever the hosts' clocks and commit order.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0",
                                                      "onupdate": text("person.revision + 1")})


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
    created_at: datetime = created_now()
