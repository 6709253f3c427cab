"""A prompt missed for an absence: moved to the first working day back when that is
at most halfway to the next regular one, else skipped (bot.cadence.rules); and the
message shown when `/okr out` is saved says exactly that, prompt by prompt.

The reviewer's case: a bi-weekly check-in on Tue 29 Dec 2026, away until Fri 8 Jan
2027. It used to move to Mon 11 Jan, the day before the regular 12 Jan check-in, while
the saved message spoke only of reminders "skipped"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cadence_helpers import at, joined, occurrences, set_person, utc

from bot.cadence import OKR_CHECKIN, WIG, Calendar, country_of_zone, default_rule, parse_working_days, plan, rules
from bot.cadence.rules import in_own_weeks
from bot.core.coach import Coach
from bot.core.messages import Inbound
from storage.db import Database

MON_FRI = parse_working_days(None)
ZONES = ["Asia/Tokyo", "Pacific/Auckland", "America/Los_Angeles"]


def _rule(kind: str):  # noqa: ANN202
    return in_own_weeks(default_rule(kind, MON_FRI), MON_FRI)


def _checkins(zone: str, first: date, last: date, start: datetime, end: datetime) -> dict[date, tuple]:
    cal = Calendar(1, zone, MON_FRI, country_of_zone(zone), absences=((first, last),))
    return {s.nominal.date(): (s.status, s.local.date() if s.local else None, s.reason)
            for s in plan(cal, _rule(OKR_CHECKIN), start, end)}


@pytest.mark.parametrize("zone", ZONES)
def test_a_checkin_is_not_moved_to_the_day_before_the_next_one(zone: str) -> None:
    found = _checkins(zone, date(2026, 12, 21), date(2027, 1, 8), utc(2026, 12, 20), utc(2027, 1, 20))
    # back Mon 11 Jan (Tue 12 in Tokyo, 11 Jan is Coming of Age Day): past halfway to 12 Jan
    assert found[date(2026, 12, 29)] == ("skipped", None, "absence:2027-01-08")
    assert found[date(2027, 1, 12)] == ("due", date(2027, 1, 12), None)


@pytest.mark.parametrize(("zone", "back"), [
    ("Asia/Tokyo", date(2027, 1, 4)),
    ("America/Los_Angeles", date(2027, 1, 4)),   # 1 Jan is New Year's Day
    ("Pacific/Auckland", date(2027, 1, 5)),      # 4 Jan: day after New Year's Day (observed); 7 days: halfway
])
def test_a_checkin_missed_over_new_year_goes_out_on_the_first_working_day_back(zone: str, back: date) -> None:
    found = _checkins(zone, date(2026, 12, 28), date(2026, 12, 31), utc(2026, 12, 20), utc(2027, 1, 20))
    status, day, reason = found[date(2026, 12, 29)]
    assert (status, day) == ("moved", back)
    # away first, then New Year's Day where it is a holiday: both named, in order
    assert reason.split("; ")[0] == "absence:2026-12-31"


def test_halfway_is_counted_in_wall_time_across_a_clock_change() -> None:
    """Los Angeles falls back on Sun 7 Nov 2027: the check-in of Tue 2 Nov, away until
    Mon 8 Nov, is back on Tue 9 Nov, exactly 7 of 14 days: moved (in UTC it is 7 days
    and an hour, past the UTC midpoint)."""
    found = _checkins("America/Los_Angeles", date(2027, 11, 1), date(2027, 11, 8), utc(2027, 10, 25),
                      utc(2027, 11, 20))
    assert found[date(2027, 11, 2)] == ("moved", date(2027, 11, 9), "absence:2027-11-08")
    found = _checkins("America/Los_Angeles", date(2027, 11, 1), date(2027, 11, 9), utc(2027, 10, 25),
                      utc(2027, 11, 20))
    assert found[date(2027, 11, 2)] == ("skipped", None, "absence:2027-11-09")
    halfway = rules.latest_move(datetime(2027, 11, 2, 9, 30), datetime(2027, 11, 16, 9, 30))
    assert halfway == datetime(2027, 11, 9, 9, 30)


def test_a_weekly_wig_moves_up_to_thursday_not_friday() -> None:
    for last, expected in ((date(2027, 3, 3), ("moved", date(2027, 3, 4))), (date(2027, 3, 4), ("skipped", None))):
        cal = Calendar(1, "America/Los_Angeles", MON_FRI, absences=((date(2027, 3, 1), last),))
        found = {s.nominal.date(): (s.status, s.local.date() if s.local else None)
                 for s in plan(cal, _rule(WIG), utc(2027, 2, 28), utc(2027, 3, 10))}
        assert found[date(2027, 3, 1)] == expected


async def _save(coach: Coach, person: int, text: str) -> str:
    card = await coach.handle(Inbound(person_id=person, platform="test", text=text))
    value = next(c.value for m in card for c in m.choices if c.value.startswith("absence:save"))
    replies = await coach.handle(Inbound(person_id=person, platform="test", action=value))
    return "\n".join(m.plain() for m in replies)


@pytest.mark.parametrize(("zone", "now"), [
    ("Asia/Tokyo", utc(2026, 12, 15, 2)), ("America/Los_Angeles", utc(2026, 12, 15, 20))])
async def test_the_saved_message_says_what_happens_to_each_prompt(
        db: Database, team: dict[str, int], coach: Coach, zone: str, now: datetime) -> None:
    ravi = team["ravi"]
    await set_person(db, ravi, timezone=zone, country=None)
    await joined(db, utc(2026, 12, 1))
    with at(now):
        saved = await _save(coach, ravi, "/okr out from 21 December to 8 January")
    assert "from Mon 21 Dec 2026 to Fri 8 Jan 2027" in saved
    rows = {(o.kind, o.key.rpartition(":")[2]): o for o in await occurrences(db, ravi)}
    checkin = rows[(OKR_CHECKIN, "2026-12-29")]
    assert (checkin.status, checkin.reason) == ("skipped", "absence:2027-01-08")
    assert "OKR check-in of Tue 29 Dec 2026: skipped, the next one goes out on Tue 12 Jan 2027" in saved
    for day in ("21 Dec 2026", "28 Dec 2026", "4 Jan 2027"):
        assert f"Weekly WIG session of Mon {day}: skipped" in saved
    assert "moved to" not in saved
    # every line agrees with the table: one per prompt planned in the days away
    listed = [line for line in saved.splitlines() if line.startswith("- ")]
    away = [o for (kind, day), o in rows.items() if "2026-12-21" <= day <= "2027-01-08"]
    assert len(listed) == len(away) == 4 and all(o.status == "skipped" for o in away)


async def test_the_saved_message_names_the_day_a_moved_checkin_goes_out(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await set_person(db, ravi, timezone="Pacific/Auckland", country=None)
    await joined(db, utc(2026, 12, 1))
    with at(datetime(2026, 12, 20, 22, tzinfo=UTC)):  # Mon 21 Dec, 11:00 in Auckland
        saved = await _save(coach, ravi, "/okr out from 28 December to 31 December")
    rows = {(o.kind, o.key.rpartition(":")[2]): o for o in await occurrences(db, ravi)}
    checkin = rows[(OKR_CHECKIN, "2026-12-29")]
    assert (checkin.status, checkin.local_date) == ("pending", date(2027, 1, 5))
    assert "OKR check-in of Tue 29 Dec 2026: moved to Tue 5 Jan 2027, your first working day back" in saved
    # the WIG of 28 Dec: the first day back is the next regular one's day (4 Jan is a holiday, so 5 Jan)
    assert "Weekly WIG session of Mon 28 Dec 2026: skipped, the next one goes out on Tue 5 Jan 2027" \
        in saved
    assert [line for line in saved.splitlines() if line.startswith("- ")] == [
        "- Weekly WIG session of Mon 28 Dec 2026: skipped, the next one goes out on Tue 5 Jan 2027",
        "- OKR check-in of Tue 29 Dec 2026: moved to Tue 5 Jan 2027, your first working day back"]


async def test_a_prompt_planned_before_the_absence_moves_with_its_local_day(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """The reviewer's case: the dispatcher plans 36 h ahead, so the check-in of Tue 29
    Dec was already a row when `/okr out on 29 December` was saved. Re-planning moved
    it to Wed 30 Dec but kept its old local day, so the message listed nothing and the
    check-in would have been filed under 29 Dec."""
    from bot.cadence.dispatcher import Dispatcher

    ravi = team["ravi"]
    await set_person(db, ravi, timezone="Pacific/Auckland", country=None)
    await joined(db, utc(2026, 12, 1))
    with at(utc(2026, 12, 28, 5)):  # Mon 28 Dec, 18:00 in Auckland
        await Dispatcher(coach, plan_off_loop=False).tick()
        before = {o.key.rpartition(":")[2]: o for o in await occurrences(db, ravi) if o.kind == OKR_CHECKIN}
        assert (before["2026-12-29"].status, before["2026-12-29"].local_date) == ("pending", date(2026, 12, 29))
        saved = await _save(coach, ravi, "/okr out on 29 December")
    after = {o.key.rpartition(":")[2]: o for o in await occurrences(db, ravi) if o.kind == OKR_CHECKIN}
    assert (after["2026-12-29"].status, after["2026-12-29"].local_date) == ("pending", date(2026, 12, 30))
    assert "OKR check-in of Tue 29 Dec 2026: moved to Wed 30 Dec 2026, your first working day back" in saved
