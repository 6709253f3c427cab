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


_NAMES = {number: name.title() for name, number in _DAYS.items()}


def working_days_text(stored: str) -> str:
    """ISO weekdays as stored ("1,2,3,4,7") -> the way a team file writes them
    ("Sun-Thu"), so an exported file reads like the sample an admin edits: one run of
    days as a range (wrapping the week end), anything else as names ("Mon,Wed,Fri").
    A value that is not a list of ISO weekdays comes back unchanged."""
    try:
        days = sorted({int(part) for part in stored.split(",") if part.strip()})
    except ValueError:
        return stored
    if not days or any(not 1 <= d <= 7 for d in days):
        return stored
    if len(days) == 7:
        return "Mon-Sun"
    # a run of consecutive days (wrapping the week end) starts where the day before is off
    starts = [d for d in days if (d - 2) % 7 + 1 not in days]
    if len(starts) == 1 and len(days) > 1:
        first = starts[0]
        last = (first - 1 + len(days) - 1) % 7 + 1
        return f"{_NAMES[first]}-{_NAMES[last]}"
    return ",".join(_NAMES[d] for d in days)


def _day(token: str) -> int:
    token = token.strip()[:3]
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in _DAYS:
        return _DAYS[token]
    raise ValueError(token)

