"""Calendar days as people type them: "March 31", "31/3", "next Friday", "end of Q1",
"by H1", "June", "31.12.".

Pure functions, no I/O and no clock: the caller hands in the person's "today", time
zone (and country or locale when known), and the period being planned, so the same
answer always reads the same way.

Rules, in one place for every feature:

* A day without a year is the first such day on or after today, or on or after the
  start of the period being planned ("December 31" typed in November for next year's
  plan is 31 Dec of that year, not the one five weeks away).
* A month alone is the end of that month; H1/H2 the end of June/December; Q1–Q4 the
  end of that quarter; "end of year" the end of the (planned) year, "end of 2028"
  31 December 2028.
* A numeric day such as 03/04 follows the person's day order (conversations.locales:
  their locale, else their country, else their zone's country). When a reader could
  take it either way the reading says so (`DateReading.alternative`), so a flow can
  confirm it in words, or ask which one when no order is known.
* Words dateparser would guess at ("the 1st", "Monday next week", "next Monday",
  "mid April", "first week of April") are read by `conversations.day_words`; a day
  read by guess or approximately says so (`DateReading.note`) to be read back. A
  number dateparser puts in another field than the day (the month, "the 1st" as
  January) is no reading: the person is asked again.
* "End of week" is the last working day of the person's own week (Thursday for a
  Sunday–Thursday week, `conversations.working_week`).
* Digits of other scripts ("٣/٤", "３月") read as the same ASCII digits
  (`conversations.locales.ascii_digits`); superscripts and other number signs do not.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from conversations.day_words import lone_day_before, part_of_month, read_lone_day, read_part_of_month, read_week_day
from conversations.locales import MDY, ascii_digits, day_order
from conversations.working_week import MON_FRI, week_end

MAX_DATE_TEXT = 60  # longer is a sentence, not a date (and would make dateparser slow)
Period = tuple[date, date]

_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_HALF_END = {1: (6, 30), 2: (12, 31)}
_MONTHS = {name.lower(): number for number in range(1, 13)
           for name in (calendar.month_name[number], calendar.month_abbr[number])} | {"sept": 9}
_MONTH = r"(?P<m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:,?\s+'?(?P<y>\d{4}|\d{2}))?"
_ORDINAL = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"^(?:the\s+)?{_ORDINAL}\s*(?:of\s+)?{_MONTH}{_YEAR}$", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"^{_MONTH}\s+(?:the\s+)?{_ORDINAL}{_YEAR}$", re.IGNORECASE)
_MONTH_ALONE = re.compile(rf"^(?:in\s+|(?:the\s+)?(?:end|close)\s+of\s+)?{_MONTH}(?:,?\s+(?P<y>\d{{4}}))?$",
                          re.IGNORECASE)
_HALF = re.compile(r"^(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?)?"
                   r"(?:h(?P<h>[12])|(?P<n>[12])h|(?P<w>first|second|1st|2nd)\s+half(?:\s+of(?:\s+the)?\s+year)?)"
                   r"(?:\s+(?P<y>\d{4}))?$", re.IGNORECASE)
_END_OF = re.compile(r"^(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?)?(?P<what>q[1-4]|quarter|month|year|week)"
                     r"(?:\s+(?P<year>\d{4}))?$", re.IGNORECASE)
_YEAR_END = re.compile(r"^(?:the\s+)?(?:end|close)\s+of\s+(?P<y>\d{4})$", re.IGNORECASE)  # "end of 2028"
_PART = part_of_month(_MONTH)
# "03/04", "3.4.", "3-4-27", and "3 4" (spaces alone: dateparser took the order silently)
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<s>\s*[/.\-]\s*|\s+)(?P<b>\d{1,2})(?:(?P=s)(?P<y>\d{2,4}))?\.?$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
# Shapes only the forms above read: when one of them names no real day ("13/13",
# "2/30", "H3", "Q5", "32 January", "week 54") the text is not a day. dateparser
# never gets them, as it would take "13/13" for 13 Nov 2113 and "H3" for the 3rd.
_ANY_MONTH = _MONTH.replace("(?P<m>", "(?:")
_OWNED = re.compile(rf"^(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?)?(?:[hq]\d+|\d+[hq]|w(?:ee)?k\s*\d+)"
                    rf"(?:\s+\d+)?$|^\d+(?:\s*[/.\-]\s*|\s+)\d+(?:(?:\s*[/.\-]\s*|\s+)\d+)?\.?$|^\d+-\d+-\d+$"
                    rf"|^(?:the\s+)?\d+(?:st|nd|rd|th)?\s*(?:of\s+)?{_ANY_MONTH}(?:,?\s+'?\d+)?$"
                    rf"|^{_ANY_MONTH}\s+(?:the\s+)?\d+(?:st|nd|rd|th)?(?:,?\s+'?\d+)?$", re.IGNORECASE)
# What dateparser may be handed: it drops what it does not know, so "-1 Jan", "#31/12",
# "~1 Jan" or "june-" came back as a day with the sign or the stray mark gone. A text
# that starts with anything but a letter or digit, ends with anything but a letter,
# digit or ".", or holds a mark no date needs, is no day: the person is asked again.
_PLAIN = re.compile(r"^[^\W_](?:[\w\s,./:'-]*[^\W_])?\.?$")
_LEAD = re.compile(r"^(?:by|before|on|due|until|till|no later than|latest)\s+", re.IGNORECASE)
_SHORT = {"y": "year", "q": "quarter", "m": "month", "w": "week"}
_ALIASES = [(re.compile(r"^eo([yqmw])$", re.IGNORECASE), lambda m: f"end of {_SHORT[m.group(1).lower()]}"),
            (re.compile(r"^(year|quarter|month|week)[\s-]end$", re.IGNORECASE), lambda m: f"end of {m.group(1)}")]


@dataclass(frozen=True)
class DateReading:
    """A day read from text. `alternative` is the other reading of a numeric day such
    as 03/04 (4 March vs 3 April) when both are real days; `order_known` says whether
    the person's locale or country chose between them. `note` says why a day read
    from words is worth reading back (`conversations.day_words`: SKIPPED, "the 31st"
    in a later month; NEXT_WEEKDAY, "next Monday" that may mean `other`, a week later;
    APPROXIMATE, "mid April")."""

    day: date
    alternative: date | None = None
    order_known: bool = True
    far: bool = False
    note: str | None = None
    other: date | None = None

    @property
    def needs_words(self) -> bool:
        """Whether the day should be read back in words before it is kept: a yearless
        day whose next occurrence is more than a year off (29 February) is `far`."""
        return self.far or self.alternative is not None or self.note is not None


def year_period(year: int | str | None) -> Period | None:
    """1 January to 31 December of `year` ("2027" works), or None."""
    if year is None or not str(year).isdigit():
        return None
    return date(int(year), 1, 1), date(int(year), 12, 31)


def full_year(year: str, today: date) -> int:
    """A typed year: four digits as they are; two digits the year ending so that is
    nearest today ("27" in 2026 is 2027, "99" is 1999, not 2099)."""
    if len(year) != 2:
        return int(year)
    century = today.year - today.year % 100
    candidates = (century - 100 + int(year), century + int(year), century + 100 + int(year))
    return min(candidates, key=lambda y: abs(y - today.year))


def _on_or_after(anchor: date, month: int, day: int, year: str | None) -> date | None:
    """The first `day` of `month` on or after `anchor`; in `year` when one was typed.
    An impossible day ("31 April", "13/13") raises ValueError."""
    if year is not None:
        return date(full_year(year, anchor), month, day)
    date(2000, month, day)  # a day that exists in some year (29 February does), or ValueError
    for candidate_year in range(anchor.year, anchor.year + 5):  # 29 February: within four years
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= anchor:
            return candidate
    return None


def _month_end(year: int, month: int) -> tuple[int, int]:
    return month, calendar.monthrange(year, month)[1]


def _end_of(what: str, year: str | None, today: date, anchor: date, working_days: frozenset[int]) -> date | None:
    what = what.lower()
    if what == "week":
        return week_end(today, working_days)
    if what == "month":
        return date(today.year, *_month_end(today.year, today.month))
    if what == "year":
        return date(int(year) if year else anchor.year, 12, 31)
    quarter = (anchor.month - 1) // 3 + 1 if what == "quarter" else int(what[1])
    return _on_or_after(anchor, *_QUARTER_END[quarter], year)


def _numeric(match: re.Match[str], anchor: date, order: str | None) -> DateReading | None:
    a, b = int(match.group("a")), int(match.group("b"))
    year = match.group("y")
    if year is not None and len(year) == 3:
        raise ValueError(year)
    month_first = (b > 12 >= a) or (not a > 12 >= b and order == MDY)
    month, day = (a, b) if month_first else (b, a)
    found = _on_or_after(anchor, month, day, year)
    if found is None:
        raise ValueError(match.group(0))
    other: date | None = None
    if a != b and a <= 12 and b <= 12:
        try:
            other = _on_or_after(anchor, day, month, year)
        except ValueError:
            other = None
    return DateReading(found, other, order is not None, year is None and _far(found, anchor))


def _far(found: date, anchor: date) -> bool:
    """A yearless day whose next occurrence is more than a year after `anchor`, or a
    29 February (the next one is up to four years away): worth reading back."""
    return (found.month, found.day) == (2, 29) or (found - anchor).days > 366


def read_date(raw: str, today: date, timezone: str = "UTC", *, country: str | None = None,
              locale: str | None = None, period: Period | None = None,
              working_days: frozenset[int] = MON_FRI) -> DateReading | None:
    """A day in the person's calendar, with what a reader could doubt about it; None
    when the text is not a day. `working_days` (ISO weekdays) is the person's week,
    for "end of week" and "Monday next week". See the module docstring for the rules."""
    text = _plain_text(raw)
    if not text or text.isdigit() or len(text) > MAX_DATE_TEXT:
        return None
    if any(c.isnumeric() and not c.isascii() for c in text):  # "² March", "½ May": dateparser drops them
        return None
    if _impossible_time(text):  # "tomorrow 25:00": dateparser drops the time it cannot read
        return None
    # a real clock time says nothing about the day ("tomorrow 23:00", "Friday 9am"): left
    # out, so its digits are not taken for a day of the month
    text = " ".join(_CLOCK.sub(" ", text).split()) or text
    for pattern, replacement in _ALIASES:
        text = pattern.sub(replacement, text)
    anchor = max(today, period[0]) if period else today
    try:
        found = _known_forms(text, today, anchor, timezone, country, locale, working_days)
    except ValueError:  # 31 June, 30 February, 13/13 …
        return None
    if found is not None:
        return found if isinstance(found, DateReading) else DateReading(found)
    if _OWNED.match(text) or not _PLAIN.match(text):  # "H3", "32 January"; "-1 Jan", "#31/12"
        return None
    return _dateparser(text, today, anchor, day_order(timezone, country, locale))


def _plain_text(raw: str) -> str:
    """The typed day without "by", "on", "until" … before it or "!" after it, in ASCII digits."""
    return _LEAD.sub("", ascii_digits(raw).strip().rstrip("!?").strip())


def date_words(reading: DateReading, raw: str) -> dict[str, Any]:
    """What a read-back of `reading` (typed as `raw`) shows (prompts/flows/common/confirm):
    the day and the text, `far` for a yearless day years off, else the `note` of a day
    read from words and the `other` day it may mean."""
    words: dict[str, Any] = {"date": reading.day.isoformat(), "given": raw.strip()[:40]}
    if reading.far:
        return words | {"far": True}
    if reading.note is not None:
        words["note"] = reading.note
    return words | ({"other": reading.other.isoformat()} if reading.other is not None else {})


def passed_day_of_month(raw: str, today: date) -> date | None:
    """The latest day up to `today` that a lone day of the month names ("the 3rd" on 7
    March: 3 March), for a question about a day that has passed; else None."""
    return lone_day_before(_plain_text(raw), today)


# A clock time typed with a day ("tomorrow 17:00", "Friday 9am"): the day is what is
# kept, but a time no clock shows means the person typed something else than they meant.
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{1,2})(?![\d:])|(?<!\d)(\d{1,2})\s*([ap])\.?m\b", re.IGNORECASE)


def _impossible_time(text: str) -> bool:
    """Whether `text` holds a time of day no clock shows: "25:00", "10:61", "24:30",
    "13pm", "0am" ("24:00", the end of a day, is a time)."""
    for m in _CLOCK.finditer(text):
        if m.group(1) is not None:
            hour, minute = int(m.group(1)), int(m.group(2))
            if minute > 59 or hour > 24 or (hour == 24 and minute > 0):
                return True
        elif not 1 <= int(m.group(3)) <= 12:
            return True
    return False


def _known_forms(text: str, today: date, anchor: date, timezone: str, country: str | None,
                 locale: str | None, working_days: frozenset[int]) -> date | DateReading | None:
    if (m := _END_OF.match(text)) is not None and (
        m.group("what").lower().startswith("q") or text.lower().startswith(("end", "close", "the"))
    ):
        return _end_of(m.group("what"), m.group("year"), today, anchor, working_days)
    if (said := read_lone_day(text, today, anchor) or read_week_day(text, today, working_days)) is not None:
        return DateReading(said[0], note=said[1], other=said[2])
    if (m := _PART.match(text)) is not None:
        month = _MONTHS[m.group("m").lower()]
        first = date(int(m.group("y")), month, 1) if m.group("y") else _on_or_after(
            date(anchor.year, anchor.month, 1), month, 1, None)
        if first is None:
            return None
        day, note, _ = read_part_of_month(m, month, first.year, working_days)
        return DateReading(day, note=note)
    if (m := _YEAR_END.match(text)) is not None:
        return date(int(m.group("y")), 12, 31)
    if (m := _HALF.match(text)) is not None:
        half = int(m.group("h") or m.group("n") or (1 if m.group("w").lower() in ("first", "1st") else 2))
        return _on_or_after(anchor, *_HALF_END[half], m.group("y"))
    if (m := _ISO.match(text)) is not None:
        return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    if (m := _NUMERIC.match(text)) is not None:
        return _numeric(m, anchor, day_order(timezone, country, locale))
    if (m := _DAY_MONTH.match(text) or _MONTH_DAY.match(text)) is not None:
        found = _on_or_after(anchor, _MONTHS[m.group("m").lower()], int(m.group("d")), m.group("y"))
        if found is None:
            raise ValueError(text)
        return DateReading(found, far=m.group("y") is None and _far(found, anchor))
    if (m := _MONTH_ALONE.match(text)) is not None:
        month = _MONTHS[m.group("m").lower()]
        year = m.group("y")
        if year is not None:
            return date(int(year), *_month_end(int(year), month))
        first = _on_or_after(date(anchor.year, anchor.month, 1), month, 1, None)
        return date(first.year, *_month_end(first.year, month)) if first else None
    return None


def _dateparser(text: str, today: date, anchor: date, order: str | None) -> DateReading | None:
    import dateparser  # heavy import; only dates that need it pay for it

    settings: dict[str, Any] = {
        "RELATIVE_BASE": datetime.combine(today, time(12)),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "MDY" if order == MDY else "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    numbers = {int(n) for n in _SMALL_NUMBER.findall(text)}
    if numbers and not _UNIT.search(text) and (parsed.day not in numbers or not _NAMED_MONTH.search(text)):
        # a typed number taken for another field than the day ("1st of" -> January), or
        # for a day of a month it guessed: not a reading, the person is asked again
        return None
    return DateReading(parsed.date())


# A day or month number as typed (not a year), and the words that make a number a
# length of time ("in 3 days"), for the check on what dateparser made of a number.
_SMALL_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_NAMED_MONTH = re.compile(rf"\b{_ANY_MONTH}(?![a-z])", re.IGNORECASE)
_UNIT = re.compile(r"\b(?:days?|weeks?|fortnights?|months?|years?|hours?|minutes?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class NoSuchDay:
    """A day typed in a shape that names one, in a month that does not have it ("31
    April", "2027-02-29", "30/2"): the re-ask says which month is short of it and how
    many days it has (prompts/core/no_such_day) instead of "I could not read that".
    `year` is None when none was typed; `last` is the month's length in that year (or
    29 for a yearless February)."""

    month: int
    day: int
    year: int | None
    last: int

    @property
    def code(self) -> str:
        """As a problem code that survives a string-only channel: "no_such_day:2027-2-29"
        ("no_such_day:-4-31" without a year); `from_code` reads it back."""
        return f"no_such_day:{self.year or ''}-{self.month}-{self.day}"

    @staticmethod
    def from_code(code: str) -> NoSuchDay | None:
        found = re.fullmatch(r"no_such_day:(\d*)-(\d+)-(\d+)", code)
        if found is None:
            return None
        return _short_of(int(found.group(2)), int(found.group(3)), int(found.group(1)) if found.group(1) else None)


def _short_of(month: int, day: int, year: int | None) -> NoSuchDay | None:
    """The NoSuchDay for `day` of `month` when the month (in `year`) lacks it; None for
    a real day, and for a month or day no calendar has ("13/13", "32 January")."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    last = calendar.monthrange(year, month)[1] if year else (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return NoSuchDay(month, day, year, last) if day > last else None


def no_such_day(raw: str, today: date, timezone: str = "UTC", *, country: str | None = None,
                locale: str | None = None) -> NoSuchDay | None:
    """Why `raw` is no day when it is a real month's missing day ("31 Apr", "April
    31", "29 February 2027", "2027-02-29", "31/4", "29/2/2027"), else None. A numeric
    day is read in the person's day order (conversations.locales) when both numbers
    could be the month; "4/31" is 31 April whatever the order, as 31 is no month."""
    text = _plain_text(raw)
    year: str | None
    if (m := _ISO.match(text)) is not None:
        month, day, year = int(m.group("m")), int(m.group("d")), m.group("y")
    elif (m := _NUMERIC.match(text)) is not None:
        a, b, year = int(m.group("a")), int(m.group("b")), m.group("y")
        month_first = (b > 12 >= a) or (not a > 12 >= b and day_order(timezone, country, locale) == MDY)
        month, day = (a, b) if month_first else (b, a)
    elif (m := _DAY_MONTH.match(text) or _MONTH_DAY.match(text)) is not None:
        month, day, year = _MONTHS[m.group("m").lower()], int(m.group("d")), m.group("y")
    else:
        return None
    if year is not None and len(year) == 3:
        return None
    return _short_of(month, day, full_year(year, today) if year else None)


def parse_date(raw: str, today: date, timezone: str = "UTC", *, country: str | None = None,
               locale: str | None = None, period: Period | None = None) -> date | None:
    """The day `read_date` finds, without its doubts (commands that echo the day back
    in words use this)."""
    found = read_date(raw, today, timezone, country=country, locale=locale, period=period)
    return found.day if found is not None else None
