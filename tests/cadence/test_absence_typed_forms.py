"""`/okr out` forms a reviewer found read wrongly (clock: Mon 30 Nov 2026): a length
with its start after it ("for 3 days from 2027-01-04", read back as Thu 3 Dec 2026),
and the suggestion for a year typed wrongly, which must keep the form typed and be
one the command accepts."""

from __future__ import annotations

from datetime import date

import pytest
from cadence_helpers import at, utc
from conftest import say

from bot.core.coach import Coach
from bot.features.absence import parse_absence
from storage.db import Database

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(("text", "first", "last"), [
    ("for 3 days from 2027-01-04", date(2027, 1, 4), date(2027, 1, 6)),
    ("for 3 days from 4 January", date(2027, 1, 4), date(2027, 1, 6)),
    ("for three working days starting on 4 January 2027", date(2027, 1, 4), date(2027, 1, 6)),
    ("for 2 weeks from 2027-01-04", date(2027, 1, 4), date(2027, 1, 17)),
    ("for 2 weeks beginning 4 January", date(2027, 1, 4), date(2027, 1, 17)),
    ("from 2027-01-04 for 3 days", date(2027, 1, 4), date(2027, 1, 6)),   # the sibling form, as it was
    ("3 days from now", date(2026, 12, 3), date(2026, 12, 3)),          # one day, as it was
])
def test_a_length_with_its_start_after_it_counts_from_that_start(text: str, first: date, last: date) -> None:
    assert parse_absence(text, MONDAY, "Europe/Oslo", None, "1,2,3,4,5") == (first, last)


@pytest.mark.parametrize(("text", "code"), [
    ("for 3 days from 2029-01-01", "too_far:2029-01-01"),  # not Thu 3 Dec 2026
    ("for 2 months from 2027-01-04", "duration"),
    ("for 3 days after 2027-01-04", "duration"),
    ("3 days from 2027-01-04", "duration"),
    ("for 0 days from 2027-01-04", "zero"),
    ("for 3 days from whenever", "unreadable"),
    ("from Monday for 3 days from Friday", "unreadable"),
])
def test_a_length_with_a_start_after_it_is_never_a_day_of_this_month(text: str, code: str) -> None:
    assert parse_absence(text, MONDAY, "Europe/Oslo", None, "1,2,3,4,5") == code


async def test_out_reads_back_a_length_from_a_start_typed_after_it(db: Database, team: dict[str, int],
                                                                   coach: Coach) -> None:
    with at(utc(2026, 11, 30, 10)):
        echo = await say(coach, team["ravi"], "/okr out for 3 days from 2027-01-04")
    assert "Thu 3 Dec 2026" not in echo and "Mon 4 Jan 2027" in echo and "Save it?" in echo


@pytest.mark.parametrize(("typed", "offered"), [
    ("from 2026-12-01 to 2029-01-01", "from 1 December 2026 to 1 January 2027"),  # not `on 1 January 2027`
    ("2026-12-01 - 2029-01-01", "1 December 2026 - 1 January 2027"),
    ("from 2029-01-04 to 2029-01-08", "from 4 January 2028 to 8 January 2028"),  # the year nearest 2029
    # a day without its year kept: 8 January is 2027, so 2028 would put the range out of order
    ("from 2029-01-04 to 8 January", "from 4 January 2027 to 8 January"),
    ("from 2027-03-01 to 2029-01-05", None),  # 1 Mar 2027 to 5 Jan 2028 would be too long
    ("next week until 2029-01-01", "next week until 1 January 2027"),  # 2028: too long
    ("for 3 days from 2029-01-04", "for 3 days from 4 January 2028"),
    ("until 2029-01-01", "until 1 January 2027"),  # until 1 January 2028: too long
    ("on 2029-01-05", "on 5 January 2028"),
])
async def test_a_year_typed_wrongly_is_offered_back_in_the_form_typed(
        db: Database, team: dict[str, int], coach: Coach, typed: str, offered: str | None) -> None:
    ravi = team["ravi"]
    with at(utc(2026, 11, 30, 10)):
        far = await say(coach, ravi, f"/okr out {typed}")
        assert "Save it?" not in far and "more than 2 years ahead" in far and "mistyped" in far
        if offered is None:
            assert "type `/okr out" not in far and "the right year" in far
            return
        assert f"type `/okr out {offered}`" in far
        again = await say(coach, ravi, f"/okr out {offered}")  # the offer, typed, is read back to be saved
    assert "Save it?" in again


async def test_a_year_typed_wrongly_is_not_offered_a_command_that_would_be_refused(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """`until 2029-06-01` offered `until 1 June 2027`, itself refused as spanning more
    than 183 calendar days (and so is 1 June 2028, the year nearest the one typed):
    the re-ask says so of the likelier one and offers no command."""
    with at(utc(2026, 11, 30, 10)):
        far = await say(coach, team["ravi"], "/okr out until 2029-06-01")
        refused = await say(coach, team["ravi"], "/okr out until 1 June 2027")
    assert "more than 183 calendar days" in refused  # why no command is offered
    assert "until 1 June 2027" not in far and "type `/okr out" not in far
    assert "Thu 1 Jun 2028 would make the absence longer than 183 calendar days" in far


KOLKATA_TUESDAY = date(2026, 12, 1)  # 22:30 UTC on Mon 30 Nov 2026 in Asia/Kolkata


@pytest.mark.parametrize(("text", "first", "last"), [
    ("next week until 1 January 2027", date(2026, 12, 7), date(2027, 1, 1)),  # Mon, as `next week`: not Tue 8 Dec
    ("from next week to 1 January 2027", date(2026, 12, 7), date(2027, 1, 1)),
    ("the next week - 4 Jan 2027", date(2026, 12, 7), date(2027, 1, 4)),
    ("from next week for 3 days", date(2026, 12, 7), date(2026, 12, 9)),
    ("for 3 days from next week", date(2026, 12, 7), date(2026, 12, 9)),
    ("starting next week for 2 weeks", date(2026, 12, 7), date(2026, 12, 20)),
])
def test_next_week_as_a_start_is_the_first_working_day_of_the_next_working_week(
        text: str, first: date, last: date) -> None:
    assert parse_absence("next week", KOLKATA_TUESDAY, "Asia/Kolkata", "IN")[0] == first
    assert parse_absence(text, KOLKATA_TUESDAY, "Asia/Kolkata", "IN") == (first, last)


def test_next_week_as_a_start_follows_a_sunday_to_thursday_week() -> None:
    assert parse_absence("next week until 1 January 2027", KOLKATA_TUESDAY, "Asia/Riyadh", "SA",
                         "7,1,2,3,4") == (date(2026, 12, 6), date(2027, 1, 1))  # Sunday, not Tue 8 Dec


async def test_out_next_week_until_reads_back_the_monday_next_week_brings(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    with at(utc(2026, 11, 30, 22, 30)):  # already Tue 1 Dec in Kolkata
        echo = await say(coach, team["ravi"], "/okr out next week until 1 January 2027")
    assert "Mon 7 Dec 2026" in echo and "Tue 8 Dec" not in echo and "Save it?" in echo


@pytest.mark.parametrize(("text", "code"), [
    ("for 10 days from 2028-11-25", "too_far:2028-12-08"),  # ends past 30 Nov 2028, like `from … to 2028-12-08`
    ("for 3 weeks from 2028-11-25", "too_far:2028-12-15"),
    ("from 2028-11-25 for 10 days", "too_far:2028-12-08"),
])
def test_a_length_ending_past_the_two_year_bound_is_a_year_typed_wrongly(text: str, code: str) -> None:
    assert parse_absence(text, MONDAY, "Europe/Oslo", None, "1,2,3,4,5") == code
    assert parse_absence("for 3 days from 2028-11-28", MONDAY, "Europe/Oslo", None, "1,2,3,4,5") == (
        date(2028, 11, 28), date(2028, 11, 30))  # the last day within reach is still booked


async def test_out_asks_again_for_a_length_ending_past_the_two_year_bound(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    with at(utc(2026, 11, 30, 10)):
        far = await say(coach, team["ravi"], "/okr out for 10 days from 2028-11-25")
    assert "Save it?" not in far and "more than 2 years ahead" in far and "the right year" in far
