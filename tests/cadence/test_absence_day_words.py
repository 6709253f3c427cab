"""`/okr out` with a day of the month alone, "end of week" and an approximate day
(review F6, F8c, F8d), typed in chat on Sunday 7 March 2027 (14:00 UTC: Sunday in Los
Angeles and in Kolkata) by Sam (America/Los_Angeles, a US person: month first) and
Ravi (Asia/Kolkata, India: day first). dateparser made "on the 12th" 7 December 2027
for Sam and "until the 3rd" a day that had passed for Ravi."""

from __future__ import annotations

from cadence_helpers import at, joined, set_person, utc
from conftest import say

from bot.core.coach import Coach
from storage.db import Database

SUNDAY = utc(2027, 3, 7, 14)


async def test_on_the_12th_is_the_12th_of_this_month_for_a_us_and_an_indian_person(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await joined(db, utc(2027, 2, 1))
    with at(SUNDAY):
        for person in (team["sam"], team["ravi"]):
            echo = await say(coach, person, "/okr out on the 12th")
            assert "Fri 12 Mar 2027" in echo and "Dec" not in echo and "Save it?" in echo, echo
            until = await say(coach, person, "/okr out until the 3rd")
            assert "Sat 3 Apr 2027" in until and "passed" not in until, until


async def test_until_end_of_week_ends_on_thursday_for_a_sunday_to_thursday_person(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await joined(db, utc(2027, 2, 1))
    await set_person(db, team["ravi"], working_days="7,1,2,3,4")
    with at(SUNDAY):
        sun_thu = await say(coach, team["ravi"], "/okr out until end of week")
        mon_fri = await say(coach, team["sam"], "/okr out until end of the week")
    assert "Thu 11 Mar 2027" in sun_thu and "Fri 12 Mar" not in sun_thu, sun_thu
    assert "Fri 12 Mar 2027" in mon_fri, mon_fri


async def test_an_approximate_day_away_is_asked_again_with_an_example(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await joined(db, utc(2027, 2, 1))
    with at(SUNDAY):
        reply = await say(coach, team["sam"], "/okr out on mid April")
    assert "no exact day" in reply and "/okr out from " in reply and "Save it?" not in reply, reply
