"""Time away as people type it after `/okr out`: one day ("on July 4th", "Friday"),
a range ("from 1/7 to 3/7", "until March 3"), or a duration ("for 3 days", "for two
weeks", "next week", "this week").

Pure, no clock: the caller hands in the person's today, zone, country (for the day
order of "3/7"), working days (ISO weekdays) and the weekday their week starts on.
The answer is the exact first and last day away, so the command can read both back
before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, timedelta

from conversations.dates import no_such_day, read_date
from conversations.day_words import APPROXIMATE
from conversations.horizon import ABSENCE_YEARS, too_far
from conversations.locales import ascii_digits, has_odd_digits

MAX_DAYS = 366
_WORDS = {"zero": 0, "no": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# The typed forms of a start and an end (public: /okr out reads them again for days
# that have passed, bot.features.absence_reading).
UNTIL = re.compile(r"^(?:until|till|til|through|thru|up to)\s+(?P<last>.+)$", re.IGNORECASE)
RANGE = re.compile(r"^(?:from\s+)?(?P<first>.+?)\s*(?:\s(?:to|until|till|through|thru)\s|\s[-–]\s|[–]|\.\.)"
                    r"\s*(?P<last>.+)$", re.IGNORECASE)
# The start of a length, before it ("from 4 January for 3 days") or after it ("for 3
# days from 2027-01-04": once read by dateparser as the 3rd of this month).
_START = r"(?:from|starting|beginning)(?:\s+on|\s+from)?"
_FOR = re.compile(rf"^(?:{_START}\s+(?P<first>.+?)\s+)?for\s+(?:the\s+next\s+)?(?P<n>[0-9]{{1,3}}|[a-z]+)\s+"
                  rf"(?:working\s+|work\s+|business\s+)?(?P<what>days?|weeks?)(?:\s+{_START}\s+(?P<then>.+))?$",
                  re.IGNORECASE)
# A start day after a length the `_FOR` form does not read ("for 2 months from 4
# January", "3 days after Monday"): the length's reason, never a day dateparser makes
# of the count. "3 days from now" (a day) is not one.
_TAIL = r"(?:\s+(?:from|starting|beginning|after|as\s+of)\s+(?!(?:now|today)$).+)?"
_WEEK = re.compile(r"^(?:(?:for|during)\s+)?(?:the\s+)?(?P<which>this|next|rest of (?:the|this))\s+week$",
                   re.IGNORECASE)
# A week typed as a start ("next week until 1 January", "for 3 days from next week"):
# the first working day of that working week, as `/okr out next week` reads it, never
# dateparser's today + 7 days.
_WEEK_START = re.compile(r"^(?:the\s+)?(?P<which>this|next)\s+week$", re.IGNORECASE)
# A length of time the `_FOR` form does not read ("for 2 months", "for 3.5 days",
# "3 days"): asked again ("duration") instead of handed to dateparser, which made
# "for 2 months" one day two months away.
_SPANISH = re.compile(r"^(?:(?:from|starting)\s+.+?\s+)?(?:for\s+)?(?:the\s+next\s+)?[^\s]+\s+"
                      r"(?:working\s+|work\s+|business\s+)?(?:days?|weeks?|months?|years?)" + _TAIL + "$",
                      re.IGNORECASE)
# The count of any length ("+5", "0", "99999999999"), to say what is wrong with it.
_COUNT = re.compile(r"^(?:(?:from|starting)\s+.+?\s+)?(?:for\s+)?(?:the\s+next\s+)?(?P<plus>\+\s*)?"
                    r"(?P<n>[0-9]+)\s+(?:working\s+|work\s+|business\s+)?(?P<what>days?|weeks?)" + _TAIL + "$",
                    re.IGNORECASE)
ON_DAY = re.compile(r"^(?:on|for)\s+", re.IGNORECASE)
_FRACTION = re.compile("[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]")
# A minus glued to a number ("-1 Jan", "for -3 days"): no day or length is negative.
# A range's dash stands between spaces ("1 May - 3 May") and is not this.
_NEGATIVE = re.compile(r"(?:^|\s)[-\u2212][0-9]")


Working = Callable[[date], bool]


def _nth_working_day(start: date, n: int, working: Working) -> date:
    """The n-th working day counting from `start` (itself included when it is one)."""
    day, seen = start, 0
    for _ in range(n * 7 + 60):  # a run of public holidays (Christmas to New Year) fits
        if working(day):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)
    return day


def _week(today: date, which: str, working_days: Collection[int], week_start: int) -> tuple[date, date]:
    begin = today - timedelta(days=(today.isoweekday() - week_start) % 7)
    if which.lower() == "next":
        begin += timedelta(days=7)
    days = [begin + timedelta(days=i) for i in range(7)]
    mine = [d for d in days if d.isoweekday() in working_days and d >= today] or [d for d in days if d >= today]
    return mine[0], mine[-1]


def names_no_start(text: str) -> bool:
    """Whether an absence typed as `text` gives no start day, so `read_absence` counts
    it from today (or the person's next working day): "for 3 days", "this week"."""
    words = ascii_digits(text).strip().rstrip(".!")
    if (m := _FOR.match(words)) is not None:
        return not (m.group("first") or m.group("then"))
    return (m := _WEEK.match(words)) is not None and m.group("which").lower() != "next"


def read_absence(text: str, today: date, timezone: str = "UTC", *, country: str | None = None,
                 working_days: Collection[int] = (1, 2, 3, 4, 5), week_start: int = 1,
                 working: Working | None = None) -> tuple[date, date] | str:
    """(first, last) day away, both included, or a problem code: "missing",
    "unreadable", "negative" (a minus before a number: "-1 Jan", "for -3 days"), "plus"
    ("for +5 days"), "digits" (a number sign that is no digit: "for ² days"), "zero"
    ("for 0 days", "0 days"), "no_such_day:…" (a month's missing day, "31 April": see
    `conversations.dates.NoSuchDay.code`), "ambiguous" (a numeric day that reads two ways and no country
    says which), "approximate" ("mid April", "first week of April": no exact day), "duration" (a length
    of time other than whole days or weeks), "far:YYYY-MM-DD" (a day without a year whose next occurrence, given
    after the colon, is more than a year off or a 29 February: asked again with its
    year rather than saved), "too_far:YYYY-MM-DD" (a typed day past
    `horizon.ABSENCE_YEARS` years ahead, "on 2207-01-12": a year typed wrongly, or the
    last day of a length counted from a typed start, "for 10 days from 2028-11-25" in 2026),
    "past", "backwards" or "too_long" (over a year, "for 99999 days").

    "for 3 days" counts the person's working days from today (Thursday in a Mon–Fri
    week: Thursday, Friday, Monday), by `working` when given (the cadence calendar's
    rule, public holidays included), else by `working_days` (ISO weekdays) alone;
    "for 2 weeks" is fourteen calendar days from today; a start typed before or after
    the length ("from 4 January for 3 days", "for 3 days from 2027-01-04") counts from
    that day instead, and a start after a length read no other way ("for 2 months
    from …", "3 days after …") is "duration", never a day made of the count; "next week" is the person's
    next working week (Sunday–Thursday in Riyadh), and as a start ("next week until 1
    January", "for 3 days from next week") that week's first working day. Digits of other scripts ("for ٣
    days") read as the same digits (`conversations.locales.ascii_digits`).
    """
    words = ascii_digits(text).strip().rstrip(".!")
    if not words:
        return "missing"
    if _NEGATIVE.search(words):
        return "negative"
    if has_odd_digits(words) and not _FRACTION.search(words):  # "for ² days", "① May"; "½ day" is a duration
        return "digits"
    if working is None:
        working = lambda day: day.isoweekday() in working_days  # noqa: E731

    def day(raw: str) -> date | str:
        found = read_date(raw, today, timezone, country=country, working_days=frozenset(working_days))
        if found is None:
            missing = no_such_day(raw, today, timezone, country=country)
            return missing.code if missing else "unreadable"
        if found.alternative is not None and not found.order_known:
            return "ambiguous"
        if found.far:  # "29 Feb": the next one is years away; the year must be typed
            return f"far:{found.day.isoformat()}"
        if found.note == APPROXIMATE:  # "mid April": days away are exact days, asked again
            return "approximate"
        if too_far(found.day, today, ABSENCE_YEARS):  # "on 2207-01-12": a year typed wrongly
            return f"too_far:{found.day.isoformat()}"
        return found.day

    def start(raw: str) -> date | str:
        if (week := _WEEK_START.match(raw.strip())) is not None:
            return _week(today, week.group("which").lower(), working_days, week_start)[0]
        return day(raw)

    first: date | str
    last: date | str
    if (m := _WEEK.match(words)) is not None:
        first, last = _week(today, "next" if m.group("which").lower() == "next" else "this",
                            working_days, week_start)
    elif (m := _FOR.match(words)) is not None:
        count = int(m.group("n")) if m.group("n").isdigit() else _WORDS.get(m.group("n").lower())
        if count is None:
            return "unreadable"
        if count == 0:
            return "zero"
        if m.group("first") and m.group("then"):  # "from Monday for 3 days from Friday"
            return "unreadable"
        typed = m.group("first") or m.group("then")
        first = start(typed) if typed else today
        if isinstance(first, str):
            return first
        if m.group("what").lower().startswith("week"):
            last = first + timedelta(days=7 * count - 1)
        else:
            first = _nth_working_day(first, 1, working)
            last = _nth_working_day(first, count, working)
        if too_far(last, today, ABSENCE_YEARS):  # "for 10 days from 2028-11-25" in 2026: held as a typed end is
            return f"too_far:{last.isoformat()}"
    elif (m := _COUNT.match(words)) is not None and (m.group("plus") or not m.group("n").strip("0")
                                                       or len(m.group("n")) > 3):  # no int(): 40,000 digits
        # "+5 days", "0 days", "99999 days": the reason, not "whole days or weeks"
        return "plus" if m.group("plus") else "zero" if not m.group("n").strip("0") else "too_long"
    elif _SPANISH.match(words):
        return "duration"
    elif (m := UNTIL.match(words)) is not None:
        first, last = today, day(m.group("last"))
    elif (m := RANGE.match(words)) is not None and day(m.group("last")) != "unreadable":
        first, last = start(m.group("first")), day(m.group("last"))
    else:
        first = last = day(ON_DAY.sub("", words))
    if isinstance(first, str):
        return first
    if isinstance(last, str):
        return last
    if last < today:
        return "past"
    if last < first:
        return "backwards"
    if (last - first).days > MAX_DAYS:
        return "too_long"
    return max(first, today), last


def typed_days(text: str, reads: Callable[[str], bool]) -> tuple[str, list[tuple[int, int]]]:
    """Where the days stand in an absence typed as `text`: the text as `read_absence`
    reads it (digits made ASCII, trimmed) and the (start, end) character offsets in it
    of each typed day, in order ("from 2026-12-01 to 2029-01-01": both ends; "for 3
    days from 4 January": the start; "next week": none). `reads` says whether a part
    reads as a day (a range's end that does not is no range, as in `read_absence`).
    Lets a re-ask repeat the form typed with one day changed."""
    words = ascii_digits(text).strip().rstrip(".!")
    if _WEEK.match(words):
        return words, []
    if (m := _FOR.match(words)) is not None:
        return words, [m.span(group) for group in ("first", "then") if m.group(group)]
    if _COUNT.match(words) or _SPANISH.match(words):
        return words, []
    if (m := UNTIL.match(words)) is not None:
        return words, [m.span("last")]
    if (m := RANGE.match(words)) is not None and reads(m.group("last")):
        return words, [m.span("first"), m.span("last")]
    on = ON_DAY.match(words)
    return words, [(on.end() if on else 0, len(words))]
