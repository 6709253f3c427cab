"""Issue #10, second round: siblings of the kinds a review found still wrong. Each
table gives the value an input must read as, or the re-ask it must get.

Kinds: a sign lost ("-5k" as 5000, "(5,000)"), a power read as a unit ("1e9" as 1
with unit "e9", "10^6"), letters glued to a number kept as a unit ("5k5", "5kk"),
digits and signs from other scripts ("５０００", "−5k", "½"), a currency code touching
the digits ("100USD", "5kEUR") read as a count word; an impossible day
or period handed to dateparser, which turned it into another day ("13/13" -> 13 Nov
2113, "H3" -> the 3rd, "32 January" -> 2032); a yearless day years away kept
silently ("29 Feb" -> 2028); two-digit years always in the 2000s ("99" -> 2099)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

import prompts
from bot.features.absence import parse_absence
from conversations.amounts import Amount, parse_amount, parse_number_text, read_amount
from conversations.dates import NoSuchDay, full_year, no_such_day, read_date
from conversations.validators import Env, Invalid, Valid, date_answer, integer, measurable, money, number, percentage

TODAY = date(2026, 11, 29)
ENV = Env(TODAY, "Europe/Oslo")


# --- amounts -------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", (-5000, "")), ("−5k", (-5000, "")), ("$-5k", (-5000, "USD")), ("-$5k", (-5000, "USD")),
    ("USD -5k", (-5000, "USD")), ("(5,000)", (-5000, "")), ("$(5,000)", (-5000, "USD")),
    ("(5,000) USD", (-5000, "USD")), ("-.5", (-0.5, "")),
    ("1e9", (1e9, "")), ("1E6", (1e6, "")), ("1.5e3", (1500, "")), ("10^6", (1e6, "")), ("10⁶", (1e6, "")),
    ("$ 5 k", (5000, "USD")), ("5.000,50 €", (5000.5, "EUR")), ("５０００", (5000, "")),
    ("＄5k", (5000, "USD")), ("٥٠٠٠", (5000, "")), ("½", (0.5, "")), ("3½", (3.5, "")), (".5", (0.5, "")),
    ("5EUR", (5, "EUR")), ("100USD", (100, "USD")), ("5kEUR", (5000, "EUR")), ("eur5k", (5000, "EUR")),
    ("5 000kr", (5000, "NOK")), ("+5k", (5000, "")), ("about 5k", (5000, "")), ("5 000 000", (5e6, "")),
    ("5k5", "unreadable"), ("5m5", "unreadable"), ("5kk", "unreadable"), ("5e", "unreadable"),
    ("0x10", "unreadable"), ("1,2,3", "unreadable"), ("--5", "unknown_words"), ("x 5", "unknown_words"),
    ("5 (five)", "unknown_words"), ("40-50k", "range"), ("1 in 4", "ratio"),
])
def test_a_whole_amount(raw: str, expected: tuple[float, str] | str) -> None:
    found = read_amount(raw, decimal=".")  # "5,000" reads as five thousand where "." is the decimal mark
    if isinstance(expected, str):
        assert found == expected
    else:
        assert isinstance(found, Amount)
        assert (found.value, found.unit) == (pytest.approx(expected[0]), expected[1])


@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", (-5000, "")), ("Cut churn to -5%", (-5, "%")), ("−5% churn", (-5, "%")),
    ("grow from -3 to 2 NPS", (2, "NPS")), ("1e9 revenue", (1e9, "revenue")), ("Q1-5 deals", (5, "deals")),
    ("5k5 revenue", None), ("(5,000)", (-5000, "")),
])
def test_sentences_keep_the_sign_and_refuse_glued_letters(raw: str, expected: tuple[float, str] | None) -> None:
    assert parse_amount(raw, ".") == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("-5k", -5000), ("$-5k", -5000), ("from -3 to 2", -3), ("1e9", 1e9), ("5k5", None), ("40-50", 40),
])
def test_the_first_number(raw: str, expected: float | None) -> None:
    assert parse_number_text(raw) == expected


@pytest.mark.parametrize("raw", ["-5k", "−5k", "(5.000)", "$-250k", "-$250k", "USD -5k"])
def test_a_negative_quota_or_deal_is_asked_again_with_the_positive_as_example(raw: str) -> None:
    result = money(raw, ENV)
    assert isinstance(result, Invalid) and result.code == "negative"
    words = prompts.render("flows/common/retry", error=result.code, details=result.details, validator="money",
                           misses=1)
    assert "below zero" in words and "`$250k`" in words
    assert f"{result.details['positive']:,.0f}" in words


@pytest.mark.parametrize(("validator", "raw", "expected"), [
    (money, "1e6", Valid({"amount": 1e6, "currency": None, "symbol": "$"})),
    (money, "10^6 €", Valid({"amount": 1e6, "currency": "EUR", "symbol": "€"})),
    (money, "5k5", Invalid("unreadable", {"given": "5k5"})),
    (percentage, "-5%", Invalid("negative", {"value": -5.0, "positive": 5.0})),
    (percentage, "½%", Valid(0.005)),
    (number, "-5", Valid(-5.0)),    # a change may be negative where no minimum is set
])
def test_validators(validator, raw: str, expected: object) -> None:  # noqa: ANN001
    assert validator(raw, ENV) == expected


def test_a_key_result_may_aim_below_zero() -> None:
    kr = measurable("Net revenue retention change -5% by end of Q1", Env(TODAY, "Europe/Oslo"))
    assert isinstance(kr, Valid) and kr.value["target"] == -5 and kr.value["unit"] == "%"


# --- dates ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("13/13", None), ("32/1", None), ("0/5", None), ("2/30", None), ("13/2026", None), ("00/00", None),
    ("99/99", None), ("29/2/2027", None), ("31 Apr", None), ("April 31", None), ("32 January", None),
    ("January 32", None), ("H3", None), ("H0", None), ("H3 2027", None), ("by H3", None), ("Q5", None),
    ("Q0", None), ("end of Q5", None), ("Q5 2027", None), ("week 54", None), ("wk 54", None),
    ("H1", date(2027, 6, 30)), ("H2", date(2026, 12, 31)), ("Q1", date(2027, 3, 31)), ("2H", date(2026, 12, 31)),
    ("31/12/26", date(2026, 12, 31)), ("1/1/27", date(2027, 1, 1)), ("1/1/99", date(1999, 1, 1)),
    ("Dec 31, 27", date(2027, 12, 31)), ("December 31 '27", date(2027, 12, 31)), ("30 April", date(2027, 4, 30)),
])
def test_an_impossible_day_is_no_day(raw: str, expected: date | None) -> None:
    found = read_date(raw, TODAY, "Europe/Oslo")
    assert (found.day if found else None) == expected


@pytest.mark.parametrize(("year", "today", "expected"), [
    ("27", date(2026, 1, 1), 2027), ("99", date(2026, 1, 1), 1999), ("75", date(2026, 1, 1), 2075),
    ("05", date(2098, 6, 1), 2105), ("2027", date(2026, 1, 1), 2027),
])
def test_two_digit_years_are_the_nearest(year: str, today: date, expected: int) -> None:
    assert full_year(year, today) == expected


@pytest.mark.parametrize("raw", ["29 feb", "Feb 29", "29/2", "the 29th of February"])
def test_a_leap_day_years_away_is_read_back_in_words(raw: str) -> None:
    result = date_answer(raw, ENV)
    assert isinstance(result, Valid) and result.value == "2028-02-29" and result.confirm is not None
    words = prompts.render("flows/common/confirm", details=result.confirm)
    assert "Tue 29 Feb 2028" in words and "more than a year" in words
    assert date_answer("29 Feb 2028", ENV) == Valid("2028-02-29")   # its year typed: kept as it is
    assert date_answer("30 Apr", ENV) == Valid("2027-04-30")          # a day within the year: no question


@pytest.mark.parametrize("raw", ["13/13", "H3", "Q5", "32/1", "week 54"])
def test_an_impossible_answer_is_asked_again(raw: str) -> None:
    assert date_answer(raw, ENV) == Invalid("not_a_date")


# --- absences ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("until H3", "unreadable"), ("on 13/13", "unreadable"), ("until Q5", "unreadable"),
    ("on 31 Apr", "no_such_day:-4-31"),
    ("on 29 feb", "far:2028-02-29"), ("until 29 Feb", "far:2028-02-29"), ("until yesterday", "past"),
    ("on yesterday", "past"), ("yesterday", "past"), ("on 29 Feb 2028", (date(2028, 2, 29), date(2028, 2, 29))),
    ("until Q1", (TODAY, date(2027, 3, 31))),
    ("until H1", "too_long"),  # 30 June 2027: more than half a year (absence_reading.MAX_ABSENCE_DAYS)
])
def test_absence_siblings(text: str, expected: object) -> None:
    assert parse_absence(text, TODAY, "Europe/Oslo") == expected


def test_a_far_leap_day_absence_names_the_day_and_how_to_type_it() -> None:
    words = prompts.render("cadence/out_problem", code="far", day=date(2028, 2, 29))
    assert "Tue 29 Feb 2028" in words and "type the year" in words


@pytest.mark.parametrize(("zone", "instant", "expected"), [
    # 30 Dec 20:00 UTC: Thursday 31 Dec in Auckland, Wednesday 30 Dec in Los Angeles
    ("Pacific/Auckland", datetime(2026, 12, 30, 20, tzinfo=UTC), date(2027, 1, 1)),
    ("America/Los_Angeles", datetime(2026, 12, 30, 20, tzinfo=UTC), date(2027, 1, 1)),
    # 31 Dec 12:00 UTC: already Friday 1 Jan in Auckland, so the next Friday is the 8th
    ("Pacific/Auckland", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 8)),
    ("America/Los_Angeles", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 1)),
])
def test_next_friday_across_the_year_end(zone: str, instant: datetime, expected: date) -> None:
    with freeze_time(instant):
        today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
        assert parse_absence("next Friday", today, zone) == (expected, expected)
        answer = date_answer("next Friday", Env(today, zone))
        assert isinstance(answer, Valid) and answer.value == expected.isoformat()
        # typed on a Thursday the coming Friday is tomorrow: read back with the one a week later
        assert (answer.confirm or {}).get("other") == ((expected + timedelta(days=7)).isoformat()
                                                       if expected == today + timedelta(days=1) else None)
        assert parse_absence("until Jan 2", today, zone) == (today, date(2027, 1, 2))


# --- third round: -0, stray signs, missing days in ranges, durations, examples -----------
# (a review read "-0" as -0.0, "-1 Jan" as 1 January, "2027-02-29..2027-03-01" as a
# format problem, counted /okr out's working days without holidays and named an event
# "NRF 2027" that did not exist in an example)

ZEROS = ["-0", "-0.0", "−0", "(0)", "-0k", "-$0", "$-0", "-0 €", "-0%", "-0,0", "-.0", "- 0"]


@pytest.mark.parametrize("raw", ZEROS)
def test_negative_zero_is_plain_zero_in_every_reader(raw: str) -> None:
    found = read_amount(raw, decimal=",")  # "-0,0" is a decimal comma where "," is the mark
    assert isinstance(found, Amount) and found.value == 0 and math.copysign(1, found.value) == 1
    amount = parse_amount(raw, ",")
    assert amount is not None and math.copysign(1, amount[0]) == 1
    first = parse_number_text(raw, ",")
    assert first == 0 and math.copysign(1, first) == 1
    assert str(prompts.environment().from_string("{{ v | number }}").render(v=found.value)) == "0"


@pytest.mark.parametrize(("validator", "raw"), [
    (number, "-0"), (number, "(0)"), (percentage, "-0%"), (percentage, "−0"), (money, "-$0"), (money, "-0k"),
    (integer, "-0"), (partial(integer, unit="deals"), "-0 deals"),
])
def test_negative_zero_validates_as_zero_not_as_a_negative(validator, raw: str) -> None:  # noqa: ANN001
    result = validator(raw, ENV)
    assert isinstance(result, Valid)
    value = result.value["amount"] if isinstance(result.value, dict) else result.value
    assert value == 0 and math.copysign(1, value) == 1


def test_negative_zero_in_wig_values_and_coaching_thresholds() -> None:
    from bot.features.coaching import parse_rules
    from bot.features.wig_replies import whole as _whole

    assert _whole("-0") == (0.0, "") and math.copysign(1, _whole("-0")[0]) == 1  # type: ignore[index]
    [rule] = parse_rules({"rules": [{"id": "r", "when": {"win_rate": "< -0"}, "ask": "x"}]})
    assert math.copysign(1, rule.conditions[0][2]) == 1


@pytest.mark.parametrize("raw", [
    "-1 Jan", "+1 Jan", "−1 Jan", "- 1 Jan", "-Jan 1", "#31/12", "-31/12", "~1 Jan", "*1 Jan", "?1 Jan", ".1 Jan",
    "1 Jan-", "1 Jan_", "-2027-01-05", "--2027-01-05", "-next friday", "-June", "june-", "-H1", "-3 days",
])
def test_a_stray_sign_or_mark_is_no_day(raw: str) -> None:
    assert read_date(raw, TODAY, "Europe/Oslo") is None
    assert date_answer(raw, ENV) == Invalid("not_a_date")


@pytest.mark.parametrize(("raw", "expected"), [
    ("next Friday", date(2026, 12, 4)), ("1 Jan.", date(2027, 1, 1)), ("Jan 5th, 2027", date(2027, 1, 5)),
    ("5th of jan", date(2027, 1, 5)), ("1 Jan!", date(2027, 1, 1)), ("end of Q1", date(2027, 3, 31)),
])
def test_plain_days_still_read(raw: str, expected: date) -> None:
    found = read_date(raw, TODAY, "Europe/Oslo")
    assert found is not None and found.day == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("on -1 Jan", "negative"), ("until -1 Jan", "negative"), ("from -1 Jan to 3 Jan", "negative"),
    ("from 1 Jan to -3 Jan", "negative"), ("#31/12", "unreadable"),
    ("for 2 months", "duration"), ("for a month", "duration"), ("for 3.5 days", "duration"),
    ("for 3,5 days", "duration"), ("for ½ day", "duration"), ("3 days", "duration"), ("for 1 year", "duration"),
    ("for 3 days", (date(2026, 11, 30), date(2026, 12, 2))), ("for two weeks", (TODAY, date(2026, 12, 12))),
])
def test_absence_stray_signs_and_durations_are_asked_again(text: str, expected: object) -> None:
    assert parse_absence(text, TODAY, "Europe/Oslo") == expected


@pytest.mark.parametrize(("raw", "minutes"), [
    ("3h", 180), ("3 hrs", 180), ("2 hours", 120), ("90 min", 90), ("15m", 15), ("3", 180), ("72h", 4320),
    ("3 nuts", None), ("-3h", None), ("3.5h", None), ("3h30", None), ("10m", None), ("73h", None), ("0h", None),
    ("h3", None), ("", None),
])
def test_a_brief_lead_time_is_read_whole(raw: str, minutes: int | None) -> None:
    from bot.features.one_on_ones import brief_lead

    assert brief_lead(raw) == minutes


@pytest.mark.parametrize(("raw", "expected"), [
    ("38", (38, "")), ("1.35M", (1.35e6, "")), ("$1.35M", (1.35e6, "USD")), ("38 deals", (38, "deals")),
    ("38-40", None), ("38 or 40", None), ("1 in 4", None), ("x38", None), ("#38", None), ("5k5", None),
])
def test_a_wig_reading_or_target_is_one_whole_value(raw: str, expected: tuple[float, str] | None) -> None:
    from bot.features.wig_replies import whole as _whole
    from conversations.wig_text import _end

    assert _whole(raw) == expected
    if expected is None and raw not in ("x38", "#38"):
        assert _end(raw) is None  # "from 1.2-1.5M": not cut to its first number either


@pytest.mark.parametrize(("raw", "expected"), [("-$5k", -5000), ("-€5k", -5000), ("$-5k", -5000), ("5 USD", 5)])
def test_the_first_number_keeps_a_sign_before_the_currency(raw: str, expected: float) -> None:
    assert parse_number_text(raw) == expected


# --- a month's missing day: named, alone or in a range -------------------------------

MISSING = [
    ("31 Apr", (4, 31, None, 30)), ("April 31", (4, 31, None, 30)), ("31st of April", (4, 31, None, 30)),
    ("31/4", (4, 31, None, 30)), ("4/31", (4, 31, None, 30)), ("2027-02-29", (2, 29, 2027, 28)),
    ("29/2/2027", (2, 29, 2027, 28)), ("29 February 2027", (2, 29, 2027, 28)), ("Feb 29, 27", (2, 29, 2027, 28)),
    ("30 Feb", (2, 30, None, 29)), ("31 June 2027", (6, 31, 2027, 30)), ("by 31 Sept", (9, 31, None, 30)),
]


@pytest.mark.parametrize(("raw", "expected"), MISSING)
def test_a_missing_day_is_named_not_called_unreadable(raw: str, expected: tuple[int, int, int | None, int]) -> None:
    month, day, year, last = expected
    result = date_answer(raw, ENV)
    assert result == Invalid("no_such_day", {"month": month, "day": day, "year": year, "last": last})
    words = str(prompts.render("flows/common/retry", error=result.code, details=result.details, validator="date",
                               misses=1))
    assert words.startswith(f"There is no {day} ") and "`March 31`" in words
    assert f"has {last} days" in words or (month == 2 and "29 in a leap year" in words)
    if year:
        assert f"{year}" in words


def test_the_missing_day_words() -> None:
    def say(raw: str) -> str:
        found = no_such_day(raw, TODAY, "Europe/Oslo")
        return str(prompts.render("core/no_such_day", missing=found))

    assert say("2027-02-29") == "There is no 29 February 2027: February 2027 has 28 days."
    assert say("31 Apr") == "There is no 31 April: April has 30 days."
    assert say("30 Feb") == "There is no 30 February: February has 28 days, 29 in a leap year."
    for real in ("29 Feb 2028", "30 Apr", "13/13", "32 January", "2027-13-01", "next Friday", "-31 Apr"):
        assert no_such_day(real, TODAY, "Europe/Oslo") is None


@pytest.mark.parametrize(("text", "code"), [
    ("2027-02-29..2027-03-01", "no_such_day:2027-2-29"), ("2027-02-27..2027-02-29", "no_such_day:2027-2-29"),
    ("from 2027-02-29 to 2027-03-01", "no_such_day:2027-2-29"), ("29/2/2027 – 1/3/2027", "no_such_day:2027-2-29"),
    ("31 Apr - 3 May", "no_such_day:-4-31"), ("31 Apr – 3 May", "no_such_day:-4-31"),
    ("1 Apr to 31 Apr", "no_such_day:-4-31"), ("from 31 April until 2 May", "no_such_day:-4-31"),
    ("on 31 Apr", "no_such_day:-4-31"), ("until 31 Apr", "no_such_day:-4-31"),
    ("from 31 Apr for 2 days", "no_such_day:-4-31"), ("2027-02-27..2027-03-01", (date(2027, 2, 27), date(2027, 3, 1))),
])
def test_a_missing_day_in_an_absence_range(text: str, code: object) -> None:
    assert parse_absence(text, TODAY, "Europe/Oslo") == code


def test_an_absence_with_a_missing_day_says_so() -> None:
    missing = NoSuchDay.from_code("no_such_day:2027-2-29")
    problem = prompts.render("cadence/out_problem", code="no_such_day", missing=missing, day=None,
                             soon=date(2027, 3, 1), later=date(2027, 3, 4))
    words = str(prompts.render("cadence/out_help", problem=problem, general=False))
    assert "There is no 29 February 2027: February 2027 has 28 days." in words and "`/okr out on 1 March`" in words
    assert NoSuchDay.from_code("far:2028-02-29") is None


@pytest.mark.parametrize("sep", ["..", " .. ", " to ", "–", " – ", "-", " - ", "—", "/"])
@pytest.mark.parametrize(("days", "code"), [
    (("2027-02-29", "2027-03-01"), "no_such_day:2027-2-29"), (("2027-04-29", "2027-04-31"), "no_such_day:2027-4-31"),
    (("2027-06-31", "2027-07-02"), "no_such_day:2027-6-31"),
])
def test_a_missing_day_in_an_event_range(sep: str, days: tuple[str, str], code: str) -> None:
    from bot.features.trade_shows.parsing import parse_event

    assert parse_event(f'"Expo" {days[0]}{sep}{days[1]} Oslo @ravi') == code
    missing = next(d for d in days if no_such_day(d, TODAY) is not None)
    assert parse_event(f'"Expo" {missing} Oslo @ravi') == code   # the same answer for the day alone


def test_an_event_range_with_a_missing_day_gets_the_missing_day_answer() -> None:
    from bot.features.trade_shows.parsing import parse_event

    code = parse_event('"Expo" 2027-02-29..2027-03-01 Oslo @ravi')
    assert isinstance(code, str)
    words = str(prompts.render("trade_shows/event_help", problem=code.partition(":")[0], given="", example=None,
                               missing=NoSuchDay.from_code(code)))
    assert words.startswith("There is no 29 February 2027: February 2027 has 28 days.")
    assert "format" not in words and "I need the dates" not in words
    assert parse_event('"Expo" 2027-13-01..2027-13-03 Oslo @ravi') == "dates"   # no month 13: no day at all


def test_a_key_result_due_on_a_missing_day_is_asked_about_that_day() -> None:
    result = measurable("Close 12 new logos by 31 April", ENV)
    assert result == Invalid("no_such_day", {"month": 4, "day": 31, "year": None, "last": 30})
    assert isinstance(measurable("Close 12 new logos by 30 April", ENV), Valid)


# --- examples in re-asks name only what exists ---------------------------------------

class _Event:
    def __init__(self, name: str) -> None:
        self.name = name


@pytest.mark.parametrize(("running", "known", "named", "absent"), [
    ([], [], "EVENT NAME", "NRF"),
    ([], [_Event("Web Summit")], "Web Summit", "NRF"),
    ([], [_Event("Web Summit"), _Event("SKO")], "Web Summit", "NRF"),
    ([_Event("Expo A"), _Event("Expo B")], [], "Expo A", "NRF"),
])
def test_which_event_names_a_real_event_or_a_placeholder(running: list, known: list, named: str, absent: str) -> None:
    words = str(prompts.render("trade_shows/which_event", running=running, known=known, line="Jane, Acme"))
    assert f"`/okr lead in {named}: Jane, Acme`" in words and absent not in words
    for other in running + known:
        assert other.name in words


@pytest.mark.parametrize(("example", "named"), [(None, "EVENT NAME"), ("Web Summit", "Web Summit")])
def test_event_help_acts_on_a_real_event_or_a_placeholder(example: str | None, named: str) -> None:
    words = str(prompts.render("trade_shows/event_help", problem="targets", given="x", example=example, missing=None))
    assert f"`/okr event {named} targets" in words and f"`/okr event {named} report`" in words
    assert "/okr event NRF" not in words


def test_no_prompt_hard_codes_an_event_or_measure_to_act_on() -> None:
    """Examples that act on something registered (`/okr lead in X`, `/okr event X
    report`, `/okr wig target @rep X`) take its name from the data: a literal name there
    would send people after an event or a measure that does not exist."""
    import re
    from pathlib import Path

    acting = re.compile(r"/okr (?:lead in|event (?!add\b)|wig target @\w+ )(?P<name>[A-Z][\w ]*?)[: ]", re.MULTILINE)
    found = [f"{path.name}: {m.group(0)}" for path in Path(prompts.__file__).parent.rglob("*.j2")
             for m in acting.finditer(path.read_text(encoding="utf-8"))
             if m.group("name") not in ("EVENT NAME", "MEASURE", "NAME")]
    assert found == []
