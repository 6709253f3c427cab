"""What `/okr out` answers (third review): `back` before a planned absence, refusals
without the general help and with an example that works when typed, examples on the
person's working days, why an absence starts after the day it was typed, and typed
days with the invisible direction marks chat clients put around numbers.

Clock: Monday 30 November 2026 10:00 UTC unless a test says otherwise (15:30 in
Kolkata, east of UTC; 02:00 in Los Angeles, west: Monday in both)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from cadence_helpers import at, joined, set_person, utc
from conftest import say
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound
from conversations.amounts import read_amount
from conversations.locales import small_number
from storage import schedule
from storage.db import Database
from storage.models import Wig

NOV_30 = utc(2026, 11, 30, 10)
EAST_AND_WEST = pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/Los_Angeles"])
MON_FRI = "1,2,3,4,5"
EXAMPLE = re.compile(r"`(/okr out [^`]+)`")


async def _ravi_in(db: Database, team: dict[str, int], zone: str, **values: object) -> int:
    await set_person(db, team["ravi"], timezone=zone, **values)
    await joined(db, utc(2026, 11, 1))
    return team["ravi"]


async def _save(coach: Coach, person: int, typed: str) -> tuple[str, str]:
    """Type `/okr out …`, click its Save button: (read-back, saved reply)."""
    replies = await coach.handle(Inbound(person_id=person, platform="test", text=f"/okr out {typed}"))
    card = next(m for m in replies if m.choices)
    save = next(c.value for c in card.choices if c.value.startswith("absence:save:"))
    return card.plain(), await say(coach, person, action=save)


async def _absences(db: Database, person: int) -> list[tuple[date, date]]:
    async with db.session() as session:
        found = await schedule.absences_between(session, date(2026, 1, 1), date(2028, 12, 31), [person])
    return found.get(person, [])


# --- 1. `back` before the absence has begun ---------------------------------------------

@EAST_AND_WEST
async def test_back_before_a_planned_absence_cancels_it_without_a_welcome_back(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        await _save(coach, ravi, "from 7 Dec to 9 Dec")
        assert await _absences(db, ravi) == [(date(2026, 12, 7), date(2026, 12, 9))]
        back = await say(coach, ravi, "/okr out back")
        assert "Welcome back" not in back
        assert "planned absence from Mon 7 Dec 2026 to Wed 9 Dec 2026 is off" in back
        assert "stay as planned" in back
        assert await _absences(db, ravi) == []
        again = await say(coach, ravi, "/okr out back")
    assert "no absence to end" in again and "none is planned" in again and "Welcome back" not in again


@EAST_AND_WEST
async def test_back_during_an_absence_welcomes_and_names_a_later_one_called_off(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        await _save(coach, ravi, "until 2 December")
        await _save(coach, ravi, "on 10 December")
    with at(utc(2026, 12, 1, 10)):
        back = await say(coach, ravi, "/okr out back")
    assert back.startswith("Welcome back!")
    assert "Your planned absence on Thu 10 Dec 2026 is cancelled too." in back
    assert await _absences(db, ravi) == [(date(2026, 11, 30), date(2026, 11, 30))]  # the day really away stays


# --- 2. a refusal: its reason and one example, no general help ---------------------------

@EAST_AND_WEST
@pytest.mark.parametrize(("typed", "reason"), [
    ("from 9 December 2026 to 7 December 2026", "end date is before the start date"),
    ("yesterday", "already passed"),
    ("for 400 days", "more than 183 calendar days"),
    ("until 29 November", "29 November has passed"),
    ("for 2 months", "whole days or weeks"),
    ("for 0 days", "at least one day"),
    ("on -1 Feb", "minus sign"),
    ("for +5 days", "plus sign"),
    ("on 31 April", "There is no 31 April"),
    ("on 29 feb", "more than a year away"),
])
async def test_a_refusal_is_its_reason_and_one_example_that_works(
        db: Database, team: dict[str, int], coach: Coach, zone: str, typed: str, reason: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, f"/okr out {typed}")
        examples = EXAMPLE.findall(reply)
        assert reason in reply and "When are you away?" not in reply and "Save it?" not in reply, reply
        assert len(examples) == 1, reply
        tried = await say(coach, ravi, examples[0])
    assert "Save it?" in tried, (examples[0], tried)


async def test_unreadable_or_bare_input_gets_the_general_help_with_working_examples(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = await _ravi_in(db, team, "Asia/Kolkata")
    with at(NOV_30):
        unreadable = await say(coach, ravi, "/okr out whenever")
        bare = await say(coach, ravi, "/okr out")
        assert 'I could not read "whenever"' in unreadable and "When are you away?" in unreadable
        assert bare.startswith("When are you away?")
        for example in EXAMPLE.findall(bare):
            assert "Save it?" in await say(coach, ravi, example), example


# --- 3. why an absence starts after the day it was typed --------------------------------

@EAST_AND_WEST
async def test_for_3_days_typed_on_a_day_off_says_when_and_why_it_starts(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(utc(2026, 12, 5, 10)):  # Saturday 5 December in both zones
        asked, saved = await _save(coach, ravi, "for 3 days")
    why = "It starts on Mon 7 Dec 2026, your next working day (today is not one of your working days)."
    assert "from Mon 7 Dec 2026 to Wed 9 Dec 2026" in asked and why in asked
    assert "Saved: you are away from Mon 7 Dec 2026 to Wed 9 Dec 2026" in saved and why in saved


async def test_a_public_holiday_today_is_named_as_the_reason(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = await _ravi_in(db, team, "Europe/Oslo", country="NO")
    with at(utc(2026, 12, 25, 9)):  # Friday, Christmas Day in Norway
        asked, saved = await _save(coach, ravi, "for 2 days")
    why = ("It starts on Mon 28 Dec 2026, your next working day"
           " (today is Christmas Day, a public holiday where you are).")
    assert why in asked and why in saved and "to Tue 29 Dec 2026" in saved


@EAST_AND_WEST
async def test_a_start_day_typed_is_named_and_today_typed_says_nothing_more(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        later, saved = await _save(coach, ravi, "on Wednesday")
        today = await say(coach, ravi, "/okr out for 2 days")
    assert "It starts on Wed 2 Dec 2026, as you asked, not today" in later
    assert "Saved: you are away on Wed 2 Dec 2026" in saved and "as you asked, not today" in saved
    assert "from Mon 30 Nov 2026 to Tue 1 Dec 2026" in today and "It starts on" not in today


# --- 4. examples name the person's working days -----------------------------------------

@pytest.mark.parametrize(("zone", "week", "moment", "example"), [
    ("Asia/Kolkata", MON_FRI, utc(2026, 12, 1, 10), "until 7 December"),        # Tue + 4 = Sat: Monday
    ("America/Los_Angeles", MON_FRI, utc(2026, 12, 1, 20), "until 7 December"),
    ("Asia/Riyadh", "7,1,2,3,4", NOV_30, "until 6 December"),                 # Fri 4 off: Sunday
    ("Europe/Oslo", MON_FRI, utc(2026, 12, 21, 10), "until 28 December"),       # Fri 25, Sat, Sun all off
])
async def test_the_example_day_is_a_working_day_of_the_person(
        db: Database, team: dict[str, int], coach: Coach, zone: str, week: str,
        moment: datetime, example: str) -> None:
    ravi = await _ravi_in(db, team, zone, working_days=week, country="NO" if zone == "Europe/Oslo" else None)
    with at(moment):
        reply = await say(coach, ravi, "/okr out yesterday")
        assert f"`/okr out {example}`" in reply, reply
        assert "Save it?" in await say(coach, ravi, f"/okr out {example}")


# --- 5. direction marks around numbers ---------------------------------------------------

@EAST_AND_WEST
@pytest.mark.parametrize(("typed", "first", "last"), [
    ("until 3\u200f/12", date(2026, 11, 30), date(2026, 12, 3)),
    ("on \u200e4 December", date(2026, 12, 4), date(2026, 12, 4)),
    ("from \u061c1\u061c/12 to 2\u200e/12", date(2026, 12, 1), date(2026, 12, 2)),
    ("for \u200f3\u200f days", date(2026, 11, 30), date(2026, 12, 2)),
])
async def test_direction_marks_in_a_typed_absence_are_ignored(
        db: Database, team: dict[str, int], coach: Coach, zone: str, typed: str, first: date, last: date) -> None:
    ravi = await _ravi_in(db, team, zone, country="IN")  # day first, in both zones
    with at(NOV_30):
        asked, _ = await _save(coach, ravi, typed)
    assert await _absences(db, ravi) == [(first, last)], asked


@pytest.mark.parametrize("zone", ["Asia/Jerusalem", "America/New_York"])
async def test_a_wig_due_date_with_direction_marks_is_read(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    maria = team["maria"]
    await set_person(db, maria, timezone=zone, country="IL")
    with at(utc(2027, 4, 1, 15)):
        reply = await say(coach, maria, "/okr wig add New deals from \u200f5 to 30\u200f deals by 30\u200f/6")
    async with db.session() as session:
        wigs = list((await session.exec(select(Wig))).all())
    assert "is set" in reply, reply
    assert [(w.from_value, w.to_value, w.by_date) for w in wigs] == [(5, 30, date(2027, 6, 30))]


def test_number_readers_ignore_direction_marks() -> None:
    assert read_amount("5\u200f000 deals", words=True).value == 5000  # type: ignore[union-attr]
    assert read_amount("\u061c$1.5\u200eM").value == 1_500_000  # type: ignore[union-attr]
    assert small_number("\u200f2\u200f") == 2
    assert small_number("\u200d2") is None  # a joiner is spelling, not a mark to drop


@EAST_AND_WEST
async def test_the_whole_span_example_after_days_off_ends_on_a_working_day(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, "/okr out on 5 December")  # a Saturday
        examples = EXAMPLE.findall(reply)
        assert "already a day off" in reply and examples == ["/okr out from Sat 5 Dec 2026 to Mon 14 Dec 2026"]
        assert "Save it?" in await say(coach, ravi, examples[0])
