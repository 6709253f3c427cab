"""Small decisions of the dialog bridge: which year goals are for, the review rhythm
as a cadence rule, and the person's own calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import prompts
from bot.core.clock import local_day
from bot.features.goals import goal_year, review_rule


@pytest.mark.parametrize(("today", "args", "year"), [
    (date(2027, 1, 6), "", 2027),
    (date(2027, 9, 30), "", 2027),
    (date(2027, 10, 1), "", 2028),        # Q4 planning is for the coming year
    (date(2027, 11, 15), "2027", 2027),   # unless the person says which
    (date(2027, 11, 15), "for 2028", 2028),
    # anything else is asked again, never planned for the default year ("2O27", a typo'd
    # year, a sign, a second word): issue #10, a value not read for sure is not guessed
    (date(2027, 11, 15), "2O27", None), (date(2027, 11, 15), "2207", None), (date(2027, 11, 15), "-2028", None),
    (date(2027, 11, 15), "2028 please", None), (date(2027, 11, 15), "next", None), (date(2027, 11, 15), "27", None),
])
def test_goal_year(today: date, args: str, year: int | None) -> None:
    assert goal_year(today, args) == year
    if year is None:
        words = str(prompts.render("flows/goals/which_year", given=args, example=goal_year(today, "")))
        assert f'"{args}"' in words and "`/okr goals 2028`" in words


def test_review_rule_follows_the_persons_week() -> None:
    assert review_rule("biweekly", "1,2,3,4,5")[0] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert review_rule("weekly", "7,1,2,3,4")[0] == "FREQ=WEEKLY;BYDAY=MO"   # Sun–Thu week
    assert review_rule("monthly", "1,2,3,4,5")[0] == "FREQ=MONTHLY;BYDAY=+1TU"


def test_local_today_is_the_persons_day() -> None:
    late = datetime(2027, 1, 6, 20, 0, tzinfo=UTC)
    assert local_day(late, "Asia/Kolkata") == date(2027, 1, 7)
    assert local_day(late, "America/Los_Angeles") == date(2027, 1, 6)
    assert local_day(late, "Not/AZone") == date(2027, 1, 6)  # an unknown zone counts as UTC
