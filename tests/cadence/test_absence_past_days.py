"""`/okr out` with days that have passed, long absences, and prompts an earlier move
had put on a day away (review faults F6, F7). The clock is frozen on Monday 30
November 2026 (10:00 UTC: 15:30 in Kolkata, east of UTC; 02:00 in Los Angeles, west),
so "29 November" is yesterday for both."""

from __future__ import annotations

from datetime import date

import pytest
from cadence_helpers import at, joined, occurrences, set_person, utc
from conftest import say

import prompts
from bot.core.coach import Coach
from bot.features.absence import SHOWN_CHANGES, parse_absence
from bot.features.absence_reading import MAX_ABSENCE_DAYS
from storage.db import Database

NOV_30 = utc(2026, 11, 30, 10)
EAST_AND_WEST = pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/Los_Angeles"])


async def _ravi_in(db: Database, team: dict[str, int], zone: str) -> int:
    """Ravi, living in `zone`, on the team since 1 November (so prompts are owed)."""
    await set_person(db, team["ravi"], timezone=zone)
    await joined(db, utc(2026, 11, 1))
    return team["ravi"]


@EAST_AND_WEST
async def test_an_end_day_just_passed_is_asked_about_not_read_as_next_year(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, "/okr out until 29 November")
    assert reply.startswith("29 November has passed (it was Sun 29 Nov 2026)")
    assert "Did you mean a day still to come, like `/okr out until 4 December`?" in reply
    # "until" a day next year would be a year away, over the limit: no example that cannot be saved
    assert "29 November 2027" not in reply and reply.count("`/okr out") == 1
    assert "Save it?" not in reply and "Nov 2027" not in reply


@EAST_AND_WEST
@pytest.mark.parametrize("typed", ["on 29 November", "29 November", "on November 24"])
async def test_a_short_absence_on_days_just_passed_is_asked_about_too(
        db: Database, team: dict[str, int], coach: Coach, zone: str, typed: str) -> None:
    """A second reviewer: "on 29 November" typed on 30 November was read as one day a
    year ahead and offered for saving; only a long absence used to be asked about. A
    single day of the last week is asked about (`JUST_PASSED_DAYS`); "Dec 24 – Jan 2"
    typed on 7 January stays next Christmas (tests/cadence/test_absence_and_weeks.py)."""
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, f"/okr out {typed}")
    assert " has passed (it was " in reply and "Save it?" not in reply, reply
    assert "`/okr out on " in reply and " 2027`" in reply


@EAST_AND_WEST
async def test_a_day_months_ahead_is_still_read_as_the_next_one(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, "/okr out on 15 March")
    assert "away on Mon 15 Mar 2027" in reply and "Save it?" in reply, reply


async def test_forty_thousand_digits_of_days_are_refused_not_a_crash(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """`int()` of a 40,000-digit count raised ValueError (Python's 4,300-digit limit)
    and ended the terminal chat; a Slack message can be that long."""
    with at(NOV_30):
        reply = await say(coach, team["ravi"], "/okr out for " + "9" * 40_000 + " days")
    assert "spans more than 183 calendar days" in reply


@EAST_AND_WEST
async def test_a_start_day_just_passed_counts_from_today_and_says_so(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        reply = await say(coach, ravi, "/okr out from 25 November until 2 December")
    assert "Wed 25 Nov 2026 has passed, so I count from today." in reply
    assert "away from Mon 30 Nov 2026 to Wed 2 Dec 2026, 3 working days" in reply and "Save it?" in reply


@EAST_AND_WEST
async def test_yesterday_and_a_too_long_absence_name_the_reason_with_an_example(
        db: Database, team: dict[str, int], coach: Coach, zone: str) -> None:
    ravi = await _ravi_in(db, team, zone)
    with at(NOV_30):
        yesterday = await say(coach, ravi, "/okr out yesterday")
        long = await say(coach, ravi, "/okr out for 400 days")
        year = await say(coach, ravi, "/okr out until 29 November 2027")
    assert yesterday.startswith("That day has already passed (today is Mon 30 Nov 2026)")
    assert "`/okr out until 4 December`" in yesterday
    for reply in (long, year):
        assert reply.startswith(f"That spans more than {MAX_ABSENCE_DAYS} calendar days (half a year")
        assert "please talk to your admin about it" in reply and "`/okr out until 4 December`" in reply
        assert "Save it?" not in reply


def test_the_rules_in_one_place() -> None:
    today = date(2026, 11, 30)
    assert parse_absence("until 29 November", today, "Pacific/Auckland", "NZ") == "passed:2026-11-29"
    assert parse_absence("from 25 Nov to 2 Dec", today, "America/Denver") == (today, date(2026, 12, 2))
    assert parse_absence("for 200 days", today, "UTC") == "too_long"          # no day typed: the limit
    assert parse_absence("until H1", today, "UTC") == "too_long"              # a period end, not a mistyped day
    assert parse_absence("until 1 May", today, "UTC") == (today, date(2027, 5, 1))  # five months: fine
    # a start a year back is no "just passed" start: the range stays backwards
    assert parse_absence("from 1 Dec to 2026-11-30", today, "UTC") == "backwards"


async def test_a_long_absence_lists_a_few_changes_and_counts_the_rest(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2026, 11, 1))
    with at(NOV_30):
        saved = await say(coach, ravi, action="absence:save:2026-11-30:2027-04-30")
    bullets = [line for line in saved.splitlines() if line.startswith("- ")]
    assert len(bullets) == SHOWN_CHANGES + 1, saved
    assert bullets[-1].startswith("- and ") and "more prompts in those days" in bullets[-1]
    assert int(bullets[-1].split()[2]) >= 20  # weekly WIG prompts and check-ins over five months


@pytest.mark.parametrize(("zone", "country", "now", "away", "monday", "moved_to", "holiday"), [
    # Kiri (Auckland, east): Mon 28 Dec is the observed Boxing Day, so the WIG prompt went to Tue 29
    ("Pacific/Auckland", "NZ", utc(2026, 12, 20), date(2026, 12, 29), "Mon 28 Dec 2026", "Wed 30 Dec 2026",
     "Boxing Day (observed)"),
    # Los Angeles (west): Memorial Day, Mon 31 May 2027, sent it to Tue 1 June
    ("America/Los_Angeles", "US", utc(2027, 5, 20, 18), date(2027, 6, 1), "Mon 31 May 2027", "Wed 2 Jun 2027",
     "Memorial Day"),
])
async def test_a_prompt_moved_onto_a_day_away_is_listed_with_both_reasons(
        db: Database, team: dict[str, int], coach: Coach, zone: str, country: str, now: object, away: date,
        monday: str, moved_to: str, holiday: str) -> None:
    ravi = team["ravi"]
    await set_person(db, ravi, timezone=zone, country=country)
    await joined(db, utc(2026, 11, 1))
    with at(now):  # type: ignore[arg-type]
        saved = await say(coach, ravi, action=f"absence:save:{away}:{away}")
    assert f"of {monday} (already moved: public holiday ({holiday})): moved to {moved_to}" in saved, saved
    wig = next(o for o in await occurrences(db, ravi) if o.kind == "wig" and o.local_date > away)
    assert wig.reason == f"holiday:{holiday}; absence:{away}"
    # the preview names both reasons, in order
    assert prompts.render("cadence/reason", reason=wig.reason) == (
        f"public holiday ({holiday}), then away until {away}")
