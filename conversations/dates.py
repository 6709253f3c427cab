"""Calendar days as people type them: "March 31", "31/3", "next Friday", "end of Q1".

Pure functions, no I/O and no clock: the caller hands in the person's "today" and
time zone, so the same answer always reads the same way.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Any

MAX_DATE_TEXT = 60  # longer is a sentence, not a date (and would make dateparser slow)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_END_OF = re.compile(r"^(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?)?(?P<what>q[1-4]|quarter|month|year|week)"
                     r"(?:\s+(?P<year>\d{4}))?$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{2,4}))?\.?$")


def month_first(timezone: str) -> bool:
    """Whether people in this zone write 3/31 rather than 31/3 (the Americas)."""
    return timezone.startswith("America/") or timezone.startswith("US/")


def _end_of(what: str, year: str | None, today: date) -> date:
    what = what.lower()
    if what == "week":
        return today + timedelta(days=4 - today.weekday() if today.weekday() <= 4 else 11 - today.weekday())
    if what == "month":
        return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    if what == "year":
        return date(int(year) if year else today.year, 12, 31)
    quarter = (today.month - 1) // 3 + 1 if what == "quarter" else int(what[1])
    month, day = _QUARTER_END[quarter]
    candidate = date(int(year) if year else today.year, month, day)
    if year is None and candidate < today:
        candidate = date(today.year + 1, month, day)
    return candidate


def _numeric(match: re.Match[str], today: date, timezone: str) -> date | None:
    a, b = int(match.group("a")), int(match.group("b"))
    if a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a or month_first(timezone):
        month, day = a, b
    else:
        day, month = a, b
    year_text = match.group("y")
    year = today.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if year_text is None and found < today:
        try:
            found = date(year + 1, month, day)
        except ValueError:  # 29 February
            return None
    return found


def parse_date(raw: str, today: date, timezone: str = "UTC") -> date | None:
    """A day in the person's calendar: "March 31", "31/3", "next Friday", "end of Q1".

    Without a year, a day that has passed means next year's (nobody plans for last
    March). Numeric days follow the person's habit (3/31 in the Americas, 31/3
    elsewhere) unless one part is over 12, which settles it.
    """
    text = raw.strip().rstrip("!?")
    if not text or text.isdigit() or len(text) > MAX_DATE_TEXT:
        return None
    if (m := _END_OF.match(text)) is not None and (
        m.group("what").lower().startswith("q") or text.lower().startswith(("end", "close", "the"))
    ):
        return _end_of(m.group("what"), m.group("year"), today)
    if (m := _NUMERIC.match(text)) is not None:
        return _numeric(m, today, timezone)
    import dateparser  # heavy import; only dates that need it pay for it

    settings: dict[str, Any] = {
        "RELATIVE_BASE": datetime.combine(today, time(12)),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "MDY" if month_first(timezone) else "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return parsed.date() if parsed is not None else None
