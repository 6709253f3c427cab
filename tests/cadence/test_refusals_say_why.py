"""A refused `/okr out`, `/okr snooze` or `/okr 1on1 brief` names what was wrong and
shows a form that works; a leave made only of days off is not offered as "0 working
days" to save."""

from __future__ import annotations

from datetime import date

import pytest
from cadence_helpers import at, joined, occurrences, utc
from conftest import say

from bot.core.coach import Coach
from bot.features.absence import parse_absence
from bot.features.one_on_ones import brief_lead, brief_lead_reading
from bot.features.prompt_answers import parse_snooze, snooze_problem
from storage.db import Database

THURSDAY = date(2027, 1, 7)


@pytest.mark.parametrize(("text", "code"), [
    ("-1 Jan", "negative"), ("on -1 Jan", "negative"), ("for -3 days", "negative"), ("until −5 March", "negative"),
    ("for 0 days", "zero"), ("for zero days", "zero"), ("blah", "unreadable"),
])
def test_absence_refusals_carry_their_reason(text: str, code: str) -> None:
    assert parse_absence(text, THURSDAY, "Europe/Oslo") == code


def test_a_range_dash_between_spaces_is_no_minus() -> None:
    assert parse_absence("1 Mar - 3 Mar", THURSDAY, "Europe/Oslo") == (date(2027, 3, 1), date(2027, 3, 3))


def test_digits_of_other_scripts_read_as_digits_in_an_absence() -> None:
    """A deliberate rule (conversations.locales.ascii_digits): "٣" is 3, "३" is 3."""
    assert parse_absence("for ٣ days", THURSDAY, "Europe/Oslo") == (THURSDAY, date(2027, 1, 11))
    assert parse_absence("on ३ March", THURSDAY, "Europe/Oslo") == (date(2027, 3, 3), date(2027, 3, 3))
    assert parse_absence("on ² March", THURSDAY, "Europe/Oslo") == "digits"  # named, not guessed


async def test_out_says_why_it_refused_with_an_example(db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 7, 10)):
        negative = await say(coach, ravi, "/okr out -1 Jan")
        zero = await say(coach, ravi, "/okr out for 0 days")
        unreadable = await say(coach, ravi, "/okr out sometime soonish")
        empty = await say(coach, ravi, "/okr out")
    # the example day: a working day of Ravi's at least four days on (Thu 7 + 4: Monday 11 January)
    assert "minus sign" in negative and "can't be negative" in negative and "`/okr out on 11 January`" in negative
    assert "at least one day" in zero and "`/okr out for 1 day`" in zero
    assert '"sometime soonish"' in unreadable and "`/okr out on 11 January`" in unreadable
    for reply in (negative, zero, unreadable, empty):
        assert "Save it?" not in reply
    for reply in (unreadable, empty):  # the general help: only when nothing could be read
        assert "When are you away?" in reply and "`/okr out for 3 days`" in reply
    assert "When are you away?" not in negative and "When are you away?" not in zero
    assert "could not read" not in empty  # nothing typed: the question and its examples only


async def test_a_leave_of_public_holidays_only_is_nothing_to_record(db: Database, team: dict[str, int],
                                                                   coach: Coach) -> None:
    """Ravi (Asia/Kolkata) has Republic Day, Tuesday 26 January 2027, off already; a
    weekend and a holiday next to it are no working days either."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 20, 6)):
        holiday = await say(coach, ravi, "/okr out on 26 Jan")
        weekend = await say(coach, ravi, "/okr out from 23 Jan to 24 Jan")
        working = await say(coach, ravi, "/okr out from 25 Jan to 26 Jan")
    assert "Nothing to record" in holiday and "(Republic Day, a public holiday where you are)" in holiday
    assert "Save it?" not in holiday and "0 working days" not in holiday and "`/okr out from" in holiday
    assert "Nothing to record" in weekend and "none of them is one of your working days" in weekend
    assert "Save" not in weekend and "`/okr out from Sat 23 Jan 2027 to Mon 1 Feb 2027`" in weekend  # a working day
    assert "1 working day" in working and "Save it?" in working
    assert not [o for o in await occurrences(db, ravi) if o.status == "skipped"]


async def test_a_weekend_and_holidays_together_name_the_holidays(db: Database, team: dict[str, int],
                                                                coach: Coach) -> None:
    """Ada (Europe/Oslo, organisation in Norway): Easter Saturday 2027 is a weekend day,
    Easter Sunday and Easter Monday are public holidays."""
    with at(utc(2027, 3, 1, 9)):
        reply = await say(coach, team["ada"], "/okr out from 27 Mar to 29 Mar")
    assert "every day from Sat 27 Mar 2027 to Mon 29 Mar 2027 is already a day off" in reply
    assert "on Sun 28 Mar 2027" in reply and "on Mon 29 Mar 2027" in reply and "public holidays" in reply
    assert "the other days are not your working days" in reply and "Save" not in reply


@pytest.mark.parametrize(("text", "code"), [
    ("-2h", "negative"), ("0h", "zero"), ("0 min", "zero"), ("20d", "too_long"), ("2", "unit"),
    ("2 weeks", "unit"), ("whenever", "unreadable"), ("²h", "unreadable"),
])
def test_a_refused_snooze_names_why(text: str, code: str) -> None:
    assert parse_snooze(text) is None
    assert snooze_problem(text) == code


def test_snooze_reads_other_scripts_digits_and_a_decimal_comma() -> None:
    assert parse_snooze("٢h").total_seconds() == 7200  # type: ignore[union-attr]
    assert parse_snooze("1,5h").total_seconds() == 5400  # type: ignore[union-attr]


async def test_snooze_command_names_the_problem(db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    negative = await say(coach, ravi, "/okr snooze -2h")
    unit = await say(coach, ravi, "/okr snooze 3")
    long = await say(coach, ravi, "/okr snooze 30d")
    assert "minus sign" in negative and "`/okr snooze 2h`" in negative
    assert '"3" needs a unit' in unit and "`/okr snooze 30m`" in unit
    assert "14 days at most" in long and "`/okr snooze tomorrow`" in long


@pytest.mark.parametrize(("text", "why"), [
    ("-3h", "negative"), ("5m", "short"), ("100h", "long"), ("soon", "unreadable"), ("3h30", "unreadable"),
])
def test_brief_lead_refusals_name_why(text: str, why: str) -> None:
    assert brief_lead(text) is None
    assert brief_lead_reading(text) == why


def test_brief_lead_reads_other_scripts_digits() -> None:
    assert brief_lead("٣h") == 180


async def test_brief_lead_command_names_the_problem(db: Database, team: dict[str, int], coach: Coach) -> None:
    reply = await say(coach, team["maria"], "/okr 1on1 brief 5m")  # a manager
    assert '"5m" is too short' in reply and "`/okr 1on1 brief 3h`" in reply
