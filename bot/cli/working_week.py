"""A working week as people write it in a team file ("Sun-Thu", "mon,tue,wed", "1-5")
and as it is stored (ISO weekdays, Monday = 1: "1,2,3,4,7")."""

from __future__ import annotations

import re

_DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def parse_working_days(text: str) -> str:
    """"Sun-Thu", "mon,tue,wed", "1-5" or "7,1,2,3,4" -> ISO weekdays "1,2,3,4,7".

    Ranges wrap around the week end, so a Sunday–Thursday week is written naturally.
    """
    days: set[int] = set()
    for part in re.split(r"[,\s;]+", text.strip().lower()):
        if not part:
            continue
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        span = (end - start) % 7
        days.update((start - 1 + i) % 7 + 1 for i in range(span + 1))
    if not days:
        raise ValueError(text)
    return ",".join(str(d) for d in sorted(days))


def _day(token: str) -> int:
    token = token.strip()[:3]
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in _DAYS:
        return _DAYS[token]
    raise ValueError(token)


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
