"""Answer parsers for flow questions: text in, a clean value or a named problem out.

Pure functions, no I/O and no clock: the date validator is given the person's time
zone and their "today", so a test (or a rep in Kolkata answering at 1 a.m. UTC) gets
the same answer every time. A validator never raises on bad input; it returns
`Invalid(code, details)` and the flow's retry template turns the code into a friendly
re-ask with an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from conversations.amounts import (
    COUNT,
    MONEY,
    PERCENT,
    AmbiguousNumber,
    Amount,
    ambiguity,
    parse_amount,
    parse_number_text,
    read_amount,
    second_number_problem,
    unit_kind,
)
from conversations.answers import Env, Invalid, Result, Valid, plan_period, row_number, runs, typed_digits  # noqa: F401
from conversations.counts import MAX_WHOLE, doubt_details, in_unit, is_count_unit, unit_problem, whole_text
from conversations.currencies import SYMBOLS
from conversations.currency_clash import clash_details, named_currencies
from conversations.dates import DateReading, date_words, no_such_day, passed_day_of_month
from conversations.horizon import meant_day, too_far, years_after
from conversations.kr_titles import title_target, year_end
from conversations.krkinds import infer_kind
from conversations.passed_days import JUST_PASSED_DAYS, last_passed
from conversations.people import find_person  # noqa: F401 (imported from here by features)
from conversations.plan_currency import KRONA_CODES, krona, plan_currency
from conversations.unit_words import different_units
from conversations.wig_text import wig_jump
from conversations.word_answers import choice, items, person, text, yesno

Validator = Callable[..., Result]
# A key result's due day is at most this many years ahead, as a WIG's finish line
# (`wig_text.latest_deadline`): "by 2207-01-12" is a year typed wrongly
KEY_RESULT_YEARS = 3
Units = str | Sequence[str] | None  # the unit word(s) an answer may name

def _bounded(value: float, minimum: float | None, maximum: float | None,
             shown: Callable[[float], Any] = lambda v: v) -> Result | None:
    if minimum is not None and minimum >= 0 > value:  # "-5k", "(5,000)": no negative quota or deal
        return Invalid("negative", {"value": shown(value), "positive": shown(-value)})
    if minimum is not None and value < minimum:
        return Invalid("too_small", {"min": shown(minimum), "value": shown(value)})
    if maximum is not None and value > maximum:
        return Invalid("too_large", {"max": shown(maximum), "value": shown(value)})
    return None


def _too_long(value: float) -> Invalid | None:
    """A whole number past `MAX_WHOLE` (15 digits) either way, asked again naming the
    limit: beyond it a float is no longer exact, and "9" typed forty times would be
    kept as 10000000000000000303786028427003666890752."""
    return Invalid("too_large", {"max": MAX_WHOLE, "value": value}) if abs(value) > MAX_WHOLE else None


def _read(raw: str, words: bool, env: Env, unit: Units = None, whole: bool = False) -> Amount | Invalid:
    """One amount from a whole answer, or the re-ask naming what got in the way. With
    `words`, a word after the number must be the expected `unit` (one word or a list;
    none given: no word at all), as the check-in asks ("5 bananas" for a number of
    customers is "wrong_unit", never 5). With `whole`, an ambiguous "1,500" takes its
    only whole reading (`conversations.counts`)."""
    found = read_amount(raw, words=words, decimal=env.decimal)
    if found == "ambiguous_number" and whole and (written := whole_text(raw, env.decimal)) is not None:
        found = read_amount(written, words=words, decimal=env.decimal)
    if isinstance(found, str):
        details: dict[str, Any] = {"given": raw.strip()[:60]}
        if found == "ambiguous_number":  # "1,5 FTE" for accounts: the unit is the problem, not the comma
            doubt = ambiguity(raw, env.decimal)
            as_read = read_amount(raw.replace(doubt.token, repr(doubt.decimal), 1), words=words,
                                  decimal=".") if doubt is not None else None
            other = _in_units(as_read, raw, words, unit) if isinstance(as_read, Amount) else None
            return other if isinstance(other, Invalid) else _ambiguous(raw, env, whole)
        if found == "ratio" and (numbers := _ratio(raw, env.decimal)) is not None:
            details["as_percent"] = numbers
        if found == "two_currencies":  # "100 NOK to 200 SEK": the re-ask names both
            details |= clash_details(raw, env.decimal)
        return Invalid("not_a_number" if found == "no_number" else found, details)
    return _in_units(found, raw, words, unit)


def _in_units(found: Amount, raw: str, words: bool, unit: Units) -> Amount | Invalid:
    """`found` when its words are the expected unit (see `_read`), else the re-ask."""
    units = [unit] if isinstance(unit, str) else list(unit or [])
    if words and found.unit and found.kind == COUNT and not any(in_unit(found, u) for u in units):
        problems = {unit_problem(found, u) for u in units}  # "5 deals bananas": words beside the unit
        code = "unknown_words" if problems == {"unknown_words"} else "wrong_unit"
        return Invalid(code, {"given": raw.strip()[:60], "unit": units[0] if units else ""})
    if units and found.kind != COUNT and not any(in_unit(found, u) for u in units):  # "€5": named as money
        return Invalid("wrong_unit", {"given": raw.strip()[:60], "unit": units[0], "typed": found.kind,
                                      "typed_unit": found.unit})
    return found


def _ambiguous(raw: str, env: Env, whole: bool = False) -> Invalid:
    """The re-ask for a number whose separator reads two ways: both readings, so the
    example can show how to write each one (for a count, only the whole one)."""
    found = ambiguity(raw, env.decimal)
    if found is not None:
        return Invalid("ambiguous_number", {"given": raw.strip()[:60], **doubt_details(found, raw, whole)})
    return Invalid("ambiguous_number", {"given": raw.strip()[:60], "number": raw.strip(), "as_decimal": None,
                                        "as_thousands": None})


def _ratio(raw: str, decimal: str | None = None) -> float | None:
    numbers = [parse_number_text(p, decimal) for p in re.split(r"\b(?:in|out of|of)\b|/", raw, maxsplit=1)]
    if None in numbers or not numbers[1]:
        return None
    return round(100 * numbers[0] / numbers[1], 1)  # type: ignore[operator]


def integer(raw: str, env: Env, *, min: float | None = None, max: float | None = None,  # noqa: A002
            unit: Units = None) -> Result:
    """A whole number: "12", "1,200", "12 deals" when `unit` is "deals" (any other word
    after it is asked again; see `_read`). A count is never negative: "-5" and the
    accounting "(5)" are asked again ("negative") unless `min` is below zero."""
    found = _read(raw, words=True, env=env, unit=unit, whole=True)
    if isinstance(found, Invalid):
        return found
    if found.kind != COUNT:
        return Invalid("not_a_count", {"unit": found.unit})
    if not found.whole:  # read from the digits typed, not the float: "4.0000000000000001"
        return Invalid("not_whole", {"value": found.value})
    # a count is never below zero: "-5" or "(5)" is asked again even with no `min`
    return _too_long(found.value) or _bounded(found.value, 0 if min is None else min, max) or Valid(int(found.value))


def number(raw: str, env: Env, *, min: float | None = None, max: float | None = None,  # noqa: A002
           unit: Units = None, confirm_negative: bool = False, jump: Mapping[str, Any] | None = None) -> Result:
    """Any number: "3.5", "1 200,5", "2k"; in `unit` when one is given ("$1.2M" for a
    USD measure, "12 demos" for demos; another word is asked again). For a unit that
    counts things ("meetings") a fraction is asked again, as `integer` does, and so is
    a negative one. With `confirm_negative` (and no `min`), any other value below zero
    ("-$5k" for a WIG's money lag measure) is read back and kept only after a yes
    (`Valid.confirm` with `negative`), as the check-in does. With `jump` (a WIG:
    {"last": its last reading or None, "from_value", "to_value"}), a value far from
    the last reading (`wig_text.wig_jump`, the `/okr wig update` rule) is read back
    and kept only after a yes (`Valid.confirm` with `jump`: "up", "down" or "far")."""
    count = is_count_unit(unit if isinstance(unit, str) else next(iter(unit or []), None))
    found = _read(raw, words=True, env=env, unit=unit, whole=count)
    if isinstance(found, Invalid):
        return found
    if count and not found.whole:
        return Invalid("not_whole", {"value": found.value})
    floor = 0 if count and min is None else min  # a count is never below zero: "-5 deals" is asked again
    if confirm_negative and floor is None and found.value < 0:  # money may fall below zero: read back first
        return Valid(found.value, {"value": found.value, "unit": found.unit or _first(unit), "negative": True})
    if (out := (count and _too_long(found.value)) or _bounded(found.value, floor, max)) is not None:
        return out
    return _jumped(found.value, jump, found.unit or _first(unit)) or Valid(found.value)


def _jumped(value: float, wig: Mapping[str, Any] | None, unit: str) -> Valid | None:
    """A WIG's value far from its last reading, to confirm (`number`), or None."""
    if not wig:
        return None
    last = wig.get("last")
    start, target = float(wig.get("from_value") or 0), float(wig.get("to_value") or 0)
    before = start if last is None else float(last)
    kind = wig_jump(before, start, target, value)
    return None if kind is None else Valid(value, {"value": value, "unit": unit, "jump": kind, "previous": before,
                                                   "started": last is None, "start": start, "target": target})


def _first(unit: Units) -> str:
    return unit if isinstance(unit, str) else next(iter(unit or []), "")


def money(raw: str, env: Env, *, min: float | None = 0,  # noqa: A002
          same_currency_as: str | Sequence[str] | None = None) -> Result:
    """An amount with an optional currency: "$250k", "1.2M", "250 000 EUR", "₹1.2 crore".

    A percentage is asked again (money is wanted). With `same_currency_as` (earlier
    answers, such as ["quota", "booked"]), the first of them that names a currency is
    the plan's (`conversations.plan_currency`): another currency is asked again and an
    amount without one takes the plan's. "kr" is the person's own krona, or asked
    again with the options ("ambiguous_krona") where their country has none.
    """
    found = _read(raw, words=False, env=env)
    if isinstance(found, Invalid):
        return Invalid("not_money", found.details | {"why": found.code}) if found.code == "not_a_number" else found
    if found.kind == PERCENT:
        return Invalid("percent_not_money", {"given": raw.strip()[:60]})
    if (kr := krona(raw, env.timezone, env.country)) == "":
        return Invalid("ambiguous_krona", {"given": raw.strip()[:60], "options": list(KRONA_CODES),
                                           "value": found.value})
    given = kr or found.currency
    expected = plan_currency(env.answers, same_currency_as)
    if expected and given and given != expected:
        return Invalid("other_currency", {"expected": expected, "given": given,
                                          "symbol": SYMBOLS.get(expected, f"{expected} ")})
    code = given or expected
    if (out := _bounded(found.value, min, None)) is not None:
        return out
    symbol = SYMBOLS.get(code, f"{code} ") if code else "$"
    return Valid({"amount": found.value, "currency": code, "symbol": symbol})


def percentage(raw: str, env: Env, *, min: float | None = 0, max: float | None = 100) -> Result:  # noqa: A002
    """"15%" or "15" -> 0.15. A bare "0.25" is ambiguous (a quarter of a percent, or a
    quarter?), so it is asked again rather than guessed; so are money ("$25k") and a
    ratio ("1 in 4", with the percentage it makes as the example)."""
    found = _read(raw, words=False, env=env)
    if isinstance(found, Invalid):
        return Invalid("not_a_percentage", found.details) if found.code == "not_a_number" else found
    if found.kind == MONEY:
        return Invalid("money_not_percent", {"given": raw.strip()[:60]})
    value = found.value
    if found.unit != "%" and 0 < value < 1:
        return Invalid("ambiguous_fraction", {"as_percent": round(value * 100, 2)})
    return _bounded(value, min, max) or Valid(value / 100)


def _check_day(reading: DateReading, raw: str, env: Env, future: bool, within_years: int | None = None) -> Result:
    """The one judgement of a read day: asked about, refused, confirmed or kept. A day
    ahead (`future`) typed without a year that passed within
    `passed_days.JUST_PASSED_DAYS` ("Nov 29" on 30 November, read as next year's) is
    asked about ("just_passed"), never set a year off unasked; inside a planned
    period a yearless day falls in the period instead. With `within_years`, a day past
    that many years ahead ("2207-01-12": a year typed wrongly) is asked again
    ("too_far", with the same day in the year ahead as `example`; `conversations.horizon`)."""
    found = reading.day
    if reading.alternative is not None and not reading.order_known:
        return Invalid("ambiguous_date", {"given": raw.strip()[:40], "first": found.isoformat(),
                                          "second": reading.alternative.isoformat()})
    if future and found < env.today:
        return Invalid("in_the_past", {"date": found.isoformat()})
    passed = last_passed(raw, env.today, env.timezone, env.country) if future and env.period is None else None
    if passed is not None and (env.today - passed).days <= JUST_PASSED_DAYS:  # "Nov 29" on 30 Nov: a slip
        return Invalid("just_passed", {"date": passed.isoformat(), "next": found.isoformat(),
                                       "given": raw.strip()[:40]})
    if env.period is not None and not env.period[0] <= found <= env.period[1]:
        return Invalid("outside_period", {"date": found.isoformat(), "first": env.period[0].isoformat(),
                                          "last": env.period[1].isoformat()})
    if within_years is not None and too_far(found, env.today, within_years):
        return Invalid("too_far", {"date": found.isoformat(), "years": within_years,
                                   "latest": years_after(env.today, within_years).isoformat(),
                                   "example": meant_day(found, env.today, within_years).isoformat()})
    if reading.needs_words:  # 03/04 read by the person's order, 29 Feb four years off, "the 31st", "mid April"
        return Valid(found.isoformat(), date_words(reading, raw))
    return Valid(found.isoformat())


def date_answer(raw: str, env: Env, *, future: bool = False, past: bool = False,
                within_years: int | None = None) -> Result:
    """A date, returned as an ISO string so the state stays JSON. Inside a planned
    period a day without a year falls in it, and a day outside it is asked again; a
    numeric day a reader could take two ways is confirmed in words. With
    `within_years` (a flow's option), a day more than that many years ahead is asked
    again ("too_far": a year typed wrongly). With `past` (a day something happened), a
    yearless day reads as its latest occurrence up to today ("Nov 28" on 30 November
    is this year's), and a day still ahead ("Friday") is asked again ("in_the_future")."""
    found = env.read_date(raw)
    if found is None:  # "31 April", "2027-02-29": say which month is short of that day
        return _no_day(raw, env) or Invalid("not_a_date")
    if past and found.day > env.today:
        back = last_passed(raw, env.today, env.timezone, env.country) or passed_day_of_month(raw, env.today)
        if back is None:
            return Invalid("in_the_future", {"date": found.day.isoformat()})
        found = replace(found, day=back, far=False)
    return _check_day(found, raw, env, future, within_years)


_DATE_WORD = re.compile(r"\b(?:by|before|until|till|in|on|due)\s+", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<start>[^\s]+(?:\s*[kmb%])?)\s+to\s+(?P<target>.+)$", re.IGNORECASE)


def _due_date(statement: str, env: Env) -> tuple[str, DateReading | None, str]:
    """Split "... by end of Q2" into ("...", its reading, "end of Q2"); the last date
    phrase wins."""
    for hint in list(_DATE_WORD.finditer(statement))[::-1][:3]:
        when = env.read_date(year_end(statement[hint.end():]))  # "by 2027": its last day
        if when is not None:
            return statement[: hint.start()], when, statement[hint.end():]
    return statement, None, ""


def _no_day(raw: str, env: Env) -> Invalid | None:
    missing = no_such_day(raw, env.today, env.timezone, country=env.country, locale=env.locale)
    return Invalid("no_such_day", dict(vars(missing))) if missing else None


def _mixed(body: str, first: str, second: str) -> Invalid:
    """A key result whose ends are in two units; `money` when both are currencies
    ("100 NOK to 200 SEK"), so the re-ask can say "NOK and SEK are two currencies"."""
    both_money = unit_kind(first) == MONEY == unit_kind(second)
    return Invalid("mixed_units", {"given": body.strip()[:60], "first": first, "second": second, "money": both_money})


def measurable(raw: str, env: Env, *, max_length: int = 300) -> Result:
    """A key result people can check: it must hold a number ("how will we know?").

    The number is the target ("from 20% to 25%" takes 25 and remembers 20 as the
    start), the word after it the unit; a trailing "by March 31" / "by end of Q2" is
    the due date (judged as `date_answer` judges a future day, at most
    `KEY_RESULT_YEARS` ahead), or None when missing,
    so the flow can ask "by when?". A range ("40-50k"), alternatives ("3 or 4") or a
    ratio ("1 in 4 deals") is asked again: which number is the target? A total whose
    start is its target ("from 20% to 20%"; "Cut incidents to 0", counted from an
    unsaid start of 0) has nothing to move and is asked again ("no_distance"); a
    floor to hold ("Keep win rate at 20%") is not. Ends in two units ("from $1M to
    €2M", "from 20% to $2M", "100 NOK to 200 SEK") are asked again ("mixed_units"),
    never read in either. A rate of none ("Book 0 meetings a week") asks nothing of
    anyone and is asked again ("zero_rate").
    """
    checked = text(raw, env, max_length=max_length, min_length=3)
    if isinstance(checked, Invalid):
        return checked
    statement = checked.value
    body, reading, said = _due_date(statement, env)
    start: float | None = None
    try:
        span = _FROM_TO.search(body)
        if span is not None and (to := parse_amount(span.group("target"), env.decimal)) is not None:
            begin = parse_amount(span.group("start"), env.decimal)
            if begin is not None and different_units(begin[1], to[1]):  # "from $1M to €2M": asked, not read in €
                return _mixed(body, begin[1], to[1])
            start = begin[0] if begin is not None else None
            found: tuple[float, str] | None = to
        elif len(codes := named_currencies(body)) > 1:  # "100 NOK to 200 SEK": two currencies, not a range
            return _mixed(body, codes[0], codes[1])
        else:
            problem = second_number_problem(body)
            if problem in ("range", "alternatives", "ratio"):
                details: dict[str, Any] = {"given": body.strip()[:60]}
                if problem == "ratio" and (share := _ratio(body, env.decimal)) is not None:
                    details["as_percent"] = share
                return Invalid(problem, details)
            found = title_target(body, env.decimal)  # "10 deals worth $500k": 10 deals
    except AmbiguousNumber as doubt:  # for a count ("1,500 logos"), its only whole reading when it has one
        counted = is_count_unit((parse_amount(body.replace(doubt.token, "1", 1), ".") or (0, ""))[1])
        if counted and (written := whole_text(raw, env.decimal)) is not None:
            kept = measurable(written, env, max_length=max_length)
            return Valid({**kept.value, "text": statement}, kept.confirm) if isinstance(kept, Valid) else kept
        return Invalid("ambiguous_number", {"given": body.strip()[:60], **doubt_details(doubt, body, counted)})
    if reading is None and (hints := list(_DATE_WORD.finditer(statement))) and (
            missing := _no_day(statement[hints[-1].end():], env)) is not None:
        return missing  # "… by 31 April": that day is asked again, not "by when?"
    if found is None:
        return Invalid("not_measurable", {"has_date": reading is not None})
    if isinstance(found, list):  # "Book 20 demos and 10 trials": one key result tracks one number
        amounts = [{"value": value, "unit": unit} for value, unit in found[:3]]
        return Invalid("two_targets", {"given": body.strip()[:60], "amounts": amounts})
    due: str | None = None
    confirm: dict[str, Any] | None = None
    if reading is not None:
        judged = _check_day(reading, said, env, future=True, within_years=KEY_RESULT_YEARS)
        if isinstance(judged, Invalid):
            return judged
        due, confirm = judged.value, judged.confirm
    target, unit = found
    if is_count_unit(unit) and not float(target).is_integer():  # "Sign 1.5 logos": no count
        return Invalid("not_whole", {"value": target})
    below = next((v for v in (start, target) if v is not None and v < 0), None)
    if below is not None and is_count_unit(unit):  # "Sign (5) logos": no count is below none
        return Invalid("negative", {"value": below, "positive": -below, "unit": unit})
    kind = infer_kind(statement)
    if (start if start is not None else 0.0) == target and kind["kind"] == "total":
        # "from 20% to 20%", or "Cut incidents to 0" counted from an unsaid 0: nothing to move
        return Invalid("no_distance", {"given": body.strip()[:60], "value": target, "unit": unit,
                                       "typed_start": start is not None})
    if target == 0 and kind["kind"] == "rate":  # "Book 0 meetings a week" asks nothing of anyone
        return Invalid("zero_rate", {"given": body.strip()[:60], "per": kind["per"]})
    if below is not None and confirm is None:  # "Cut burn to -$50k": money or % may, read back first
        confirm = {"value": below, "unit": unit, "negative": True}
    return Valid({"text": statement, "target": target, "start": start, "unit": unit, "due": due}, confirm)


MAX_INPUT = 4000  # no answer needs more; keeps every parser fast

VALIDATORS: dict[str, Validator] = {
    "integer": integer, "number": number, "money": money, "percentage": percentage, "date": date_answer,
    "choice": choice, "yesno": yesno, "text": text, "list": items, "person": person, "measurable": measurable,
}
# Lists the engine takes an item a message ("Another one?", `word_answers.gather`), each
# message validated alone; an item that is a mapping is shown back by its `line` (as typed).
LISTS: set[str] = {"list"}


def validate(name: str, raw: str, env: Env, options: Mapping[str, Any] | None = None) -> Result:
    """Run validator `name`; any surprise inside a parser becomes a re-ask, not a crash."""
    if len(raw) > MAX_INPUT:
        return Invalid("too_long", {"max_length": MAX_INPUT, "length": len(raw)})
    try:
        return VALIDATORS[name](raw, env, **dict(options or {}))
    except (ValueError, OverflowError, ArithmeticError):
        return Invalid("unreadable")

