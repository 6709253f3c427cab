"""The numbers of the `/okr wig` commands, read the way `/okr wig update` reads them.

Pure, no I/O. `/okr wig add WHAT from X to Y by WHEN`, `/okr wig measure ACTIVITY, N
per week` and `/okr wig target @rep MEASURE N` take numbers too, and one rule holds
for all of them (the same as `/okr wig update` and the check-in):

* a count ("deals", "logos": `conversations.counts.is_count_unit`) is never below
  zero: "-5" or the accounting "(5)" is asked again, with the command as it would
  read without the minus or brackets;
* money, a percentage or a plain number may fall below zero, but is read back first
  and kept only when the command is typed again with `confirm` at its end;
* a weekly target (a lead measure's, or one rep's) counts what people do each week,
  so it is a number above zero: "-10 per week" and "0 per week" are asked again
  naming what is wrong;
* a number past 15 digits (`MAX_WHOLE`) is refused, never rounded;
* a WIG goes from X to a different Y: "from 5 to 5" has no distance to cover (its
  pace and progress would mean nothing) and is asked again;
* both ends are in one unit: "from $100k to €200k", "from 100 NOK to 200 SEK" or
  "from 20% to $200k" is asked again, never read in either end's unit;
* a WIG's finish line is at most `MAX_WIG_YEARS` years ahead (`latest_deadline`):
  "by 2207-01-01" is a typo for 2027, asked again, never set;
* a WIG's value now far from its last reading and large against the WIG's whole
  distance (`wig_jump`) is read back and kept only when confirmed.

Each reader returns a problem code for the re-ask (prompts/cadence/wig/help) rather
than None, so a reply says what was wrong instead of the generic help.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from conversations.amounts import parse_amount, second_number_problem, unlikely_change
from conversations.counts import MAX_WHOLE, is_count_unit
from conversations.dates import DateReading
from conversations.locales import small_number
from conversations.unit_words import different_units, three_decimals

_SURE = re.compile(r"\s+confirm\.?\s*$", re.IGNORECASE)
_FROM, _TO, _BY = (re.compile(rf" {word} ", re.IGNORECASE) for word in ("from", "to", "by"))
MAX_WIG_TITLE = 500  # characters kept for a WIG's title (storage.models Wig.title)
MAX_MEASURE_TITLE = 300  # and for a lead measure's (LeadMeasure.title)
# A measure line longer than its title's limit plus a number and "per week for wig 2"
# is refused before the pattern below runs (it backtracks on long runs of commas).
_MEASURE_LINE = MAX_MEASURE_TITLE + 60
# "Discovery calls, 10 per week", "Calls: -10 a week for 2", "Calls, (10) per week".
_MEASURE = re.compile(
    r"^(?P<title>.+?)\s*[,:]\s*(?P<n>[-\u2212(]?\s*[\d.,]+\s*[kK]?\)?)\s*(?P<unit>[^\d\s/]*?)\s*(?:per|a|/|each)\s*week"
    r"(?:\s+(?:for|on)\s+(?:wig\s*)?(?P<wig>\d+))?\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WigLine:
    """`/okr wig add`'s text, read: the title, start and target values (signs kept),
    the unit (the target's, else the start's), the date phrase as typed, whether
    the line ended with `confirm`, and each end's own unit as typed ("" for none)."""

    title: str
    start: float
    target: float
    unit: str
    when: str
    sure: bool
    units: tuple[str, str] = ("", "")


def _end(text: str, decimal: str | None = None) -> tuple[float, str] | None:
    """A WIG's "from" or "to" value; a unit word may follow ("$1.5M ARR"), but a range
    or a second number ("1.2-1.5M", "20 or 25") is asked again, not cut to its first.
    Raises AmbiguousNumber for "1,5" where `decimal` leaves it in doubt."""
    return None if second_number_problem(text) else parse_amount(text, decimal)


def read_wig(text: str, decimal: str | None = None) -> WigLine | None:
    """"New ARR from $1.2M to $1.5M by June 30 [confirm]" read, or None when it is not
    in that shape or a value is unreadable ("format" re-ask)."""
    text = " ".join(text.split())  # single spaces first: the patterns then never rescan a run of them
    text = three_decimals(text)  # "from 1.250 KWD": a dinar's three decimals
    sure = _SURE.search(text) is not None
    parts = _wig_parts(_SURE.sub("", text))
    if parts is None:
        return None
    title, low, high, when = parts
    start, target = _end(low, decimal), _end(high, decimal)
    if start is None or target is None:
        return None
    return WigLine(title, start[0], target[0], target[1] or start[1], when.rstrip("."), sure, (start[1], target[1]))


def _wig_parts(text: str) -> tuple[str, str, str, str] | None:
    """"WHAT from X to Y by WHEN" split (spaces already single): the date after the
    last " by ", the numbers after the last " from " that has a " to " and a digit
    after it, so a title may hold "from" ("Revenue from partners from 1M to 2M").
    Plain string searches, linear in the text's length (a Slack message can hold
    40,000 characters)."""
    bys = list(_BY.finditer(text))
    if not bys:
        return None
    head, when = text[: bys[-1].start()], text[bys[-1].end():]
    for found in reversed(list(_FROM.finditer(head))):
        ends = _TO.search(head, found.end())
        if ends is not None and any(c.isdigit() for c in head[found.end():]):
            title = head[: found.start()].strip()
            return (title, head[found.end(): ends.start()], head[ends.end():], when) if title and when else None
    return None


def wig_problem(line: WigLine) -> str | None:
    """Why a WIG's numbers can't be kept as typed: "too_large" (past 15 digits),
    "mixed_units" (the ends in two units: "from $100k to €200k", "from 20% to $1M";
    refused even with `confirm`, never read in either), "no_distance" (the start
    is the target: "from 5 to 5", "from 5k to 5,000" — no distance to cover, so
    no pace or progress to judge it by; refused even with `confirm`),
    "negative_count" (a count below zero: asked again), "negative" (money, percent
    or a plain number below zero, not yet confirmed), "fractional_count" (a count
    with a fraction at an end, "from 0 to 1.5 deals": a count is whole, and every
    example its updates give would be that fraction), or None."""
    values = (line.start, line.target)
    if any(abs(v) > MAX_WHOLE for v in values):
        return "too_large"
    if different_units(*line.units):
        return "mixed_units"
    if line.start == line.target:
        return "no_distance"
    if any(v < 0 for v in values):
        if is_count_unit(line.unit):
            return "negative_count"
        return None if line.sure else "negative"
    if is_count_unit(line.unit) and not all(float(v).is_integer() for v in values):
        return "fractional_count"
    return None


def whole_value(start: float, target: float, value: float) -> float:
    """`value` as a count's example may show it: itself when whole, else the whole
    number next to it on the far side from `start` (ceil going up, floor going down),
    so "from 0 to 1.5 deals" offers 2 and an example is never the refused fraction."""
    if float(value).is_integer():
        return value
    return float(math.ceil(value) if target >= start else math.floor(value))


def whole_ends(line: WigLine) -> tuple[float, float]:
    """A count WIG's ends made whole for the "fractional_count" re-ask's example,
    each away from the other (floor at the low end, ceil at the high end), so two
    different ends stay different: "from 1.5 to 10 deals" -> (1, 10)."""
    low, high = sorted((line.start, line.target))
    low, high = float(math.floor(low)), float(math.ceil(high))
    return (low, high) if line.start <= line.target else (high, low)


def without_minus(line: WigLine) -> tuple[float, float] | None:
    """The ends of a WIG below zero as the re-ask may offer them, the minus or
    brackets dropped ("from -5 to 10 deals" -> (5, 10)), or None when that reading
    is itself refused: "from -10 to 10" would be "from 10 to 10", no distance
    (`wig_problem`), so the re-ask never suggests a line it would refuse: a
    count's offers "from 0" to the target instead, money or a percentage only the
    line with `confirm`."""
    ends = (abs(line.start), abs(line.target))
    return None if ends[0] == ends[1] else ends


def example_ends(line: WigLine) -> tuple[float, float]:
    """The two ends a re-ask's example in one unit uses (`mixed_units`): as typed when
    that line would be kept in either unit, else without its minus (`without_minus`),
    else 100 to 200: "from -5 deals to 10 calls" offers 5 to 10, never "-5 calls",
    which a count refuses, and "from 1.5 deals to 10 calls" offers 100 to 200 (a
    count is whole)."""
    count = any(is_count_unit(unit) for unit in line.units)
    for ends in ((line.start, line.target), without_minus(line)):
        if ends is not None and ends[0] != ends[1] and min(ends) >= 0 and not (
                count and not all(float(v).is_integer() for v in ends)):
            return ends
    return (100, 200)


@dataclass(frozen=True)
class MeasureLine:
    """`/okr wig measure`'s text, read: the activity, its weekly target and unit, and
    the WIG it is for (1 or 2)."""

    title: str
    target: float
    unit: str
    wig: int  # 0 when the typed number is too long to be any WIG's
    wig_typed: str = "1"  # the WIG's number as typed ("3", 40 digits), for "there is no WIG 3"
    wig_at: int = -1  # where it starts in the line (spaces made single), -1 when not typed


def read_measure(text: str, decimal: str | None = None) -> MeasureLine | str:
    """"Discovery calls, 10 per week [for 2]" read, or the re-ask's problem code:
    "measure" (not in that shape), "measure_too_long" (longer than a lead measure's
    title may be, `MAX_MEASURE_TITLE`, with its number), "weekly_negative" ("-10", "(10)"), "weekly_zero"
    or "too_large". Raises AmbiguousNumber as `parse_amount` does."""
    text = " ".join(text.split())
    if len(text) > _MEASURE_LINE:
        return "measure_too_long"
    match = _MEASURE.match(text)
    found = parse_amount(match.group("n").replace("\u2212", "-"), decimal) if match else None
    if match is None or found is None:
        return "measure"
    problem = weekly_problem(found[0])
    if problem is not None:
        return problem
    typed = match.group("wig") or "1"
    return MeasureLine(match.group("title").strip(), found[0], (match.group("unit") or "").strip(),
                       small_number(typed) or 0, typed, match.start("wig"))


def weekly_problem(value: float) -> str | None:
    """Why `value` is no weekly target: "weekly_negative" below zero, "weekly_zero" for
    nothing a week, "too_large" past 15 digits; None for a real one."""
    if value < 0:
        return "weekly_negative"
    if value == 0:
        return "weekly_zero"
    return "too_large" if value > MAX_WHOLE else None


def measure_number(text: str) -> str:
    """The number as typed in a measure line that did not read ("-10" of "Calls, -10
    per week"), for the re-ask to quote; "" when there is none."""
    text = " ".join(text.split())
    match = _MEASURE.match(text) if len(text) <= _MEASURE_LINE else None
    return match.group("n").strip() if match else ""


def measure_title(text: str) -> str:
    """The activity of a measure line ("Calls" of "Calls, -10 per week"), for the
    re-ask's example; "" when the line is not in that shape."""
    text = " ".join(text.split())
    match = _MEASURE.match(text) if len(text) <= _MEASURE_LINE else None
    return match.group("title").strip() if match else ""


def far_off(start: float, target: float, value: float, factor: float = 3.0) -> bool:
    """Whether `value` lies more than `factor` times the WIG's whole distance beyond
    its target or behind its start: the jump check for a WIG whose last reading (or
    start) is 0 or below, where "three times the last reading" means nothing. A WIG
    "from 0 to 40 deals" updated to 4000 is asked about; 45 or 150 is not."""
    span = abs(target - start)
    return value > max(start, target) + factor * span or value < min(start, target) - factor * span


def wig_jump(before: float, start: float, target: float, value: float) -> str | None:
    """Why a WIG's value now is read back before it is kept, or None. One rule for
    `/okr wig update` and the weekly session's question.

    "up" / "down": far from `before` (its last reading or, before any, its start)
    both ways a slip shows. Relative to it: more than three times `before`, or less
    than a third (the check-in's rule, `amounts.unlikely_change`). And against the
    WIG's scale: the move is more than half its whole distance |target - start|.
    Both, because either alone misfires: relative alone asks about 1 -> 12 on a
    WIG from 0 to 40 deals, ordinary progress in a good week (a small `before`
    makes every step "three times"); scale alone asks about a big honest week on
    a short goal and misses nothing a relative slip would not also show. A move
    of more than half the goal in one reading is rare, and it is where a typed
    extra digit lands, so reading it back costs one word: 100 -> 400 on a WIG from
    0 to 500 is asked (300 is more than 250), 1 -> 12 of 40 is not (11 is less
    than 20), 1 -> 4000 of 40 is.

    "far": `before` is 0 or below, where "three times" means nothing, and `value`
    lies more than three times the whole distance past the target or behind the
    start (`far_off`): 0 -> 4000 on a WIG from 0 to 40 is asked, 0 -> 45 is not.

    A WIG with no distance (start == target, refused since; older rows) has no
    scale, so the relative rule alone decides."""
    change = unlikely_change(before, value)
    span = abs(target - start)
    if change in ("up", "down") and (span == 0 or abs(value - before) > span / 2):
        return change
    return "far" if before <= 0 and far_off(start, target, value) else None


MAX_WIG_YEARS = 3


def latest_deadline(today: date) -> date:
    """The furthest day a WIG may be set for: the same day `MAX_WIG_YEARS` years after
    `today` (the person's local day; 29 February: the 28th). Why three years: a WIG
    is 4DX's "from X to Y by when" for months, at most a couple of years (a team's is
    usually this year's or next's; an organisation's may reach two years), and its
    weekly sessions judge the pace against that finish line. Three years leaves a
    real two-year goal room ("by end of 2028" typed in January 2026), while a slip
    in the year ("by 2207-01-01", "2099") lands far past it and is asked again."""
    return today.replace(year=today.year + MAX_WIG_YEARS,
                         day=min(today.day, 28) if today.month == 2 else today.day)


def nearest_ahead(day: date, today: date) -> date:
    """`day`'s month and day in the first year that puts it at least four weeks after
    `today` (29 February: the 28th in a common year): what a year typed wrongly
    ("2207" for 2027) most likely meant, for the too-far re-ask's example. Four weeks,
    because a WIG is a goal for months: "by 2029-12-01" typed on 30 November 2026 is
    offered as 1 Dec 2027, never as tomorrow."""
    year = today.year
    while True:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        found = date(year, day.month, 28 if (day.month, day.day) == (2, 29) and not leap else day.day)
        if (found - today).days >= 28:
            return found
        year += 1


def year_later(day: date) -> date:
    """The same day a year on, for the date re-ask's example (29 February: the 28th)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else day.day))


def next_turn(when: str, today: date, read: Callable[[str, date], DateReading | None]) -> date:
    """The next day after `today` that a WIG's date words (`when`) name, for the re-ask
    of words that name today itself: "end of month" typed on its last day offers the
    end of next month and "end of week" on a Friday the next Friday, as "the 1st"
    typed on the 1st reads as next month's (`conversations.day_words`); words that name
    only today ("today", "2026-05-01") offer the same day a year on (`year_later`).
    `read` is the person's date reader, as (text, today) -> reading."""
    later = read(when, today + timedelta(days=1))
    return later.day if later is not None and later.day > today + timedelta(days=1) else year_later(today)


def with_day(verb: str, text: str, when: str, day: date) -> str:
    """The `/okr wig add` line as typed with its date phrase (the last " by WHEN")
    replaced by `day` written with its year ("29 Nov 2027"); `confirm` kept."""
    last = list(re.finditer(r" by ", text, re.IGNORECASE))[-1]
    return f"{verb} {text[:last.end()]}{shown_day(day)}{text[last.end() + len(when):]}"


def shown_day(day: date) -> str:
    """"1 Jan 2027" as the WIG session's flow data keeps it (no leading zero)."""
    return f"{day.day} {day:%b %Y}"


def too_many_digits(raw: str) -> bool:
    """More than 15 digits in a row ("99999999999999999999"), which no reading keeps
    exact: named as the length limit rather than "couldn't read"."""
    return re.search(r"\d{16,}", raw) is not None


# Words that name money in a WIG's title or unit: "New ARR", "Q3 revenue", "1.5M ARR".
_MONEY_NAMED = re.compile(r"\b(?:ARR|MRR|ACV|TCV|revenue|bookings|billings|income|profit)\b", re.IGNORECASE)


def money_without_currency(line: WigLine) -> bool:
    """Whether a WIG reads as money but no currency was typed ("New ARR from 1.2M
    to 1.5M", "from 1.2M to 1.5M ARR"): it is kept as typed, and the reply reads it
    back with the line to type for a currency (`with_currency`)."""
    from conversations.amounts import MONEY, unit_kind

    return unit_kind(line.unit) != MONEY and line.unit in ("", *_MONEY_NAMED.findall(line.unit)) and bool(
        _MONEY_NAMED.search(f"{line.title} {line.unit}"))


def with_currency(verb: str, text: str, code: str, day: date) -> str | None:
    """The `/okr wig add` line as typed with currency `code` on both ends: its sign
    before the number where it has one ("from $1.2M to $1.5M"), else the code after
    it ("from 1.2M NOK to 1.5M NOK"); a unit word typed after a number is dropped
    for it. Its date is the WIG's `day` written out ("by 30 Jun 2027"), so a
    relative one ("by next Friday") typed again later means the same day. None when
    the line is not in the WIG shape."""
    from conversations.currencies import SYMBOLS

    parts = _wig_parts(_SURE.sub("", " ".join(text.split())))
    if parts is None:
        return None
    title, low, high, _ = parts
    sign = SYMBOLS.get(code)

    def end(value: str) -> str:
        number = value.split(" ")[0]
        return f"{sign}{number}" if sign else f"{number} {code}"
    return f"{verb} {title} from {end(low)} to {end(high)} by {shown_day(day)}"
