"""The one place the application asks for the time, and turns an instant into a
person's own day, so tests travel with freezegun and "today" is never the server's.

`now` is storage's `utcnow` (storage stamps rows with the same clock, and may not
import upward).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.db import utcnow as now

log = logging.getLogger(__name__)


@lru_cache(maxsize=1024)
def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The IANA zone `name`, or the fallback when it is empty or unknown (logged: a bad
    zone in a team file must not stop everyone else's prompts)."""
    for candidate in (name, fallback, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r, using %r", candidate, fallback)
    return ZoneInfo("UTC")


def local_day(instant: datetime, timezone: str | None) -> date:
    """The calendar day `instant` (aware) falls on in the IANA zone `timezone`: a
    person's "today", "next Friday" and "this week" are theirs, not the server's."""
    return instant.astimezone(zone(timezone)).date()


def checkin_day(instant: datetime, rep: Any) -> date:
    """The day a rep's check-in (completed at `instant`, aware) is shown on, to anyone:
    the rep's own local day (`rep.timezone`), never the viewer's. The rep did it on
    that day, their cadence counted it on that day (due, late, missed), and rep and
    manager name the same day at their one-on-one; a manager with reps in several
    zones sees each check-in as the rep lived it. One rule, so `/okr team` and the
    brief cannot name two days for one check-in."""
    return local_day(instant, getattr(rep, "timezone", None))


__all__ = ["checkin_day", "local_day", "now", "zone"]


def saved_instant(value: object) -> datetime | None:
    """An instant kept as ISO text in a conversation's state (`turn.now.isoformat()`),
    back as an aware datetime; None when missing, unreadable or without its offset,
    so the caller falls back to now rather than guessing a zone."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
