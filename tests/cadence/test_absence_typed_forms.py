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
