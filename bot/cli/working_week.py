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

