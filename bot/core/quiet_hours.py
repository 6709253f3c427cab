"""Quiet hours as people write them ("21:00-07:00", "9pm to 7am") and as they are
stored on the person (`quiet_start`, `quiet_end`: local "HH:MM"). Read by the team
file's `quiet_hours` column and by `/okr quiet`; the cadence planner moves a prompt
that falls inside them to their end (`bot.cadence.calendar`)."""

from __future__ import annotations

import re

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?"
_QUIET = re.compile(rf"{_CLOCK}\s*(?:-|–|—|to|until)\s*{_CLOCK}")


def parse_quiet_hours(text: str) -> str:
    """"21:00-07:00", "21-7", "9pm to 7am", "22.30–6.30" -> "21:00-07:00" (local
    wall times, the person's zone; the span may cross midnight). Raises ValueError for
    anything else, or when both ends are the same time (never quiet, or always?)."""
    found = _QUIET.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(text)
    start, end = _clock(*found.group(1, 2, 3)), _clock(*found.group(4, 5, 6))
    if start == end:
        raise ValueError(text)
    return f"{start}-{end}"


def _clock(hours: str, minutes: str | None, half: str | None) -> str:
    hour, minute = int(hours), int(minutes or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError(hours)
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{hours}:{minutes}")
    return f"{hour:02d}:{minute:02d}"
