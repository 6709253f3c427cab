"""Yearless days that have just passed. A day typed without a year reads as its next
occurrence (`conversations.dates`), so "29 November" typed on 30 November is a
year away; where that is more likely a slip than meant (a one-day absence, a WIG's
deadline, an action item's due day), the caller asks, naming the day that passed.

Pure, no clock: the caller hands in the person's local today and zone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from conversations.dates import read_date

# A single yearless day that passed this recently, read as next year's, is asked about
# even for a short absence ("on 29 November" typed on 30 November): nobody books one day
# off a year ahead by naming a day of the last week, and asking costs one line. A range
# is left alone: "Dec 24 – Jan 2" typed on 7 January is next Christmas, not a slip.
JUST_PASSED_DAYS = 7

_DAY_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9]{1,2}(?![0-9])")


def last_passed(raw: str, today: date, timezone: str, country: str | None) -> date | None:
    """The latest occurrence of a yearless day (`raw`, "29 November") before today,
    when the reading of `raw` is that day a year later (its next occurrence); else
    None (a year was typed, or `raw` is a relative day such as "Friday")."""
    if not _DAY_NUMBER.search(raw):  # "H1", "end of June": the end of a period, not a day mistyped
        return None
    ahead = read_date(raw, today, timezone, country=country)
    back = read_date(raw, today - timedelta(days=365), timezone, country=country)
    if ahead is None or back is None or not back.day < today:
        return None
    # a calendar day reads the same from an earlier anchor; "200 days" or "Friday" do not
    steady = read_date(raw, back.day - timedelta(days=40), timezone, country=country)
    if steady is None or steady.day != back.day:
        return None
    try:
        return back.day if back.day.replace(year=back.day.year + 1) == ahead.day else None
    except ValueError:  # 29 February
        return None
