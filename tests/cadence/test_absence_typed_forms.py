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
    ("from 2029-01-04 to 2029-01-08", "from 4 January 2027 to 8 January 2027"),
    ("from 2029-01-04 to 8 January", "from 4 January 2027 to 8 January"),  # a day without its year kept
    ("from 2027-03-01 to 2029-01-05", None),  # 1 Mar 2027 to 5 Jan 2028 would be too long
    ("next week until 2029-01-01", "next week until 1 January 2027"),
    ("for 3 days from 2029-01-04", "for 3 days from 4 January 2027"),
    ("until 2029-01-01", "until 1 January 2027"),
    ("on 2029-01-05", "on 5 January 2027"),
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
    than 183 calendar days: the re-ask says so and offers no command."""
    with at(utc(2026, 11, 30, 10)):
        far = await say(coach, team["ravi"], "/okr out until 2029-06-01")
        refused = await say(coach, team["ravi"], "/okr out until 1 June 2027")
    assert "more than 183 calendar days" in refused  # why no command is offered
    assert "until 1 June 2027" not in far and "type `/okr out" not in far
    assert "Tue 1 Jun 2027 would make the absence longer than 183 calendar days" in far
