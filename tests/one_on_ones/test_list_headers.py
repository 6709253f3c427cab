"""A header followed by bullets keeps its line break (the templates' block tags trim
the newline after them: `+%}` keeps it), in the terminal as in chat."""

from __future__ import annotations

from datetime import date

from conftest import say
from meeting_helpers import at, utc

import prompts


async def test_the_one_on_one_list_puts_each_series_on_its_own_line(coach, team) -> None:
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @ravi every other Tuesday 10:00")
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 11:00")
        listed = await say(coach, team["maria"], "/okr 1on1")
        one = await say(coach, team["maria"], "/okr 1on1 @sam")
    assert listed.startswith("Your one-on-ones (your time):\n• Ravi Rep: every other Tuesday")
    assert "\n• Sam Seller: every Tuesday" in listed
    assert one.startswith("Your one-on-one with Sam Seller (your time):\n• Sam Seller:")


def test_the_brief_record_with_nothing_due_but_an_absence_keeps_the_line_break() -> None:
    text = prompts.render("one_on_ones/brief_record", record={}, absences=[(date(2027, 3, 1), date(2027, 3, 5))])
    assert text.startswith("No check-in or WIG prompt was due, and none was done without one.\n• Away 01 Mar – 05 Mar")
    assert prompts.render("one_on_ones/brief_record", record={}, absences=[]).strip() == \
        "No check-in or WIG prompt was due, and none was done without one."
