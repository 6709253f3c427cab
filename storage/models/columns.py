"""Column helpers shared by every table module, and the closed vocabularies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from storage.db import UTCDateTime, utcnow

ROLES = ("rep", "manager", "admin")
SELLING_ROLES = ("hunter", "farmer")
CONFIDENCES = ("on_track", "at_risk", "off_track")
UNRATED = "unrated"  # a key result's confidence before its first check-in
PLATFORMS = ("slack", "teams", "console")


def utc_instant(**kwargs: Any) -> Any:
    """An aware-UTC instant column (`UTCDateTime`), extra Field arguments passed on."""
    return Field(sa_type=UTCDateTime, **kwargs)


def created_now() -> Any:
    """A not-null creation instant, filled with the current UTC time."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def updated_now() -> Any:
    """A not-null "last changed" instant: filled on insert, and bumped by every ORM or
    Core UPDATE of the row that does not set it itself."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False,
                 sa_column_kwargs={"onupdate": utcnow})


def json_column() -> Any:
    """A not-null JSON column defaulting to an empty dict."""
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
