"""Issue #10 items 8 and 9: `/okr out` as one day, a range or a duration, read back
before it is saved; every-other-week counted from the person's own week start."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from cadence_helpers import at, joined, occurrences, utc
from conftest import say

from bot.cadence import OKR_CHECKIN, Calendar, Rule, parse_working_days, plan, resolve_rules
from bot.core.coach import Coach
from bot.features.absence import parse_absence
from storage.db import Database

THURSDAY = date(2027, 1, 7)
MON_FRI = "1,2,3,4,5"
SUN_THU = "7,1,2,3,4"


@pytest.mark.parametrize(("text", "zone", "week", "first", "last"), [
    ("on July 4th", "America/New_York", MON_FRI, date(2027, 7, 4), date(2027, 7, 4)),  # not today..4 July
    ("July 4th", "America/New_York", MON_FRI, date(2027, 7, 4), date(2027, 7, 4)),
    ("4th of July", "Europe/Oslo", MON_FRI, date(2027, 7, 4), date(2027, 7, 4)),
    ("Friday", "Europe/Oslo", MON_FRI, date(2027, 1, 8), date(2027, 1, 8)),
    ("tomorrow", "Europe/Oslo", MON_FRI, date(2027, 1, 8), date(2027, 1, 8)),
    ("on 03/04", "America/Sao_Paulo", MON_FRI, date(2027, 4, 3), date(2027, 4, 3)),
    ("on 03/04", "America/Chicago", MON_FRI, date(2027, 3, 4), date(2027, 3, 4)),
    ("for 3 days", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 1, 11)),   # Thu, Fri, Mon
    ("for three working days", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 1, 11)),
    ("for 3 days", "Asia/Riyadh", SUN_THU, date(2027, 1, 7), date(2027, 1, 11)),    # Thu, Sun, Mon
    ("for a day", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 1, 7)),
    ("for 2 weeks", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 1, 20)),
    ("next week", "Europe/Oslo", MON_FRI, date(2027, 1, 11), date(2027, 1, 15)),
    ("next week", "Asia/Riyadh", SUN_THU, date(2027, 1, 10), date(2027, 1, 14)),    # Sunday to Thursday
    ("this week", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 1, 8)),
    ("from Monday for 2 days", "Europe/Oslo", MON_FRI, date(2027, 1, 11), date(2027, 1, 12)),
    ("until March 3", "Europe/Oslo", MON_FRI, date(2027, 1, 7), date(2027, 3, 3)),
    ("from March 1 to March 5", "Europe/Oslo", MON_FRI, date(2027, 3, 1), date(2027, 3, 5)),
    ("2027-03-01 to 2027-03-05", "Europe/Oslo", MON_FRI, date(2027, 3, 1), date(2027, 3, 5)),
    ("1/7 - 3/7", "Europe/Oslo", MON_FRI, date(2027, 7, 1), date(2027, 7, 3)),
    ("Dec 24 – Jan 2", "Europe/Oslo", MON_FRI, date(2027, 12, 24), date(2028, 1, 2)),
])
def test_one_day_a_range_or_a_duration(text: str, zone: str, week: str, first: date, last: date) -> None:
    assert parse_absence(text, THURSDAY, zone, None, week) == (first, last)


@pytest.mark.parametrize(("text", "code"), [
    ("", "missing"), ("whenever", "unreadable"), ("until 2027-01-02", "past"),
    ("from March 5 to 2027-03-01", "backwards"), ("until 2028-06-01", "too_long"),
])
def test_absence_problems(text: str, code: str) -> None:
    assert parse_absence(text, THURSDAY, "Europe/Oslo") == code


def test_a_numeric_day_without_a_known_order_is_asked_about() -> None:
    assert parse_absence("on 03/04", THURSDAY, "UTC") == "ambiguous"
    assert parse_absence("on 03/04", THURSDAY, "UTC", "BR") == (date(2027, 4, 3), date(2027, 4, 3))


async def test_out_reads_the_days_back_and_saves_only_on_save(db: Database, team: dict[str, int],
                                                              coach: Coach) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 7, 10)):  # a Thursday
        echo = await say(coach, ravi, "/okr out for 3 days")
        assert "from Thu 7 Jan 2027 to Mon 11 Jan 2027, 3 working days" in echo and "Save it?" in echo
        assert not [o for o in await occurrences(db, ravi) if o.status == "skipped"]
        assert "Not saved" in await say(coach, ravi, action="absence:cancel")
        assert not [o for o in await occurrences(db, ravi) if o.status == "skipped"]
        echo = await say(coach, ravi, "/okr out on July 4th")
        assert "Sun 4 Jul 2027 is already a day off" in echo and "Save" not in echo  # a Sunday
        saved = await say(coach, ravi, action="absence:save:2027-01-07:2027-01-11")
    assert "from Thu 7 Jan 2027 to Mon 11 Jan 2027" in saved
    wig = {o.key.split(":")[2]: o for o in await occurrences(db, ravi) if o.kind == "wig"}
    # Monday's WIG prompt falls on a day away: moved to Tuesday 09:00 in Kolkata
    assert wig["2027-01-11"].due_at == utc(2027, 1, 12, 3, 30)
    assert wig["2027-01-18"].due_at == utc(2027, 1, 18, 3, 30)


async def test_a_cancelled_range_can_be_asked_for_again_and_saved(db: Database, team: dict[str, int],
                                                                  coach: Coach) -> None:
    """Each `/okr out` is its own card: Cancel on one does not count as the answer to
    the next request for the same days (its buttons carry another card key)."""
    from bot.core.messages import Inbound

    ravi = team["ravi"]

    async def click(text: str, label: str) -> str:
        card = await coach.handle(Inbound(person_id=ravi, platform="test", text=text))
        value = next(c.value for m in card for c in m.choices if c.value.startswith(f"absence:{label}"))
        replies = await coach.handle(Inbound(person_id=ravi, platform="test", action=value))
        return "\n".join(m.plain() for m in replies)

    with at(utc(2027, 1, 7, 10)):
        assert "Not saved" in await click("/okr out for 3 days", "cancel")
        saved = await click("/okr out for 3 days", "save")
    assert "already" not in saved and "from Thu 7 Jan 2027 to Mon 11 Jan 2027" in saved


# --- 9. every other week, counted from the person's own week ---------------------------

def _checkins(working_days: str, zone: str, starting: date) -> list[date]:
    days = parse_working_days(working_days)
    team_rule = Rule(OKR_CHECKIN, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", time(9, 30), anchor_on=starting, source="team")
    rule = resolve_rules(OKR_CHECKIN, [team_rule], days)
    assert rule is not None
    found = plan(Calendar(1, zone, days), rule, datetime(2027, 1, 1, tzinfo=zone_utc()),
                 datetime(2027, 2, 1, tzinfo=zone_utc()))
    return [s.local.date() for s in found if s.local is not None]  # type: ignore[union-attr]


def zone_utc():  # noqa: ANN201
    from datetime import UTC

    return UTC


@pytest.mark.parametrize("starting", [date(2027, 1, 10), date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 14)])
def test_any_day_of_one_working_week_selects_the_same_weeks(starting: date) -> None:
    """The issue's example: Riyadh, Sunday–Thursday, `--every 2 --day sun`: starting on
    the 12th gave 17 and 31 Jan, on the 10th 10 and 24 Jan; now both give 10 and 24
    (the 10th only when it is not before the anchor)."""
    got = _checkins(SUN_THU, "Asia/Riyadh", starting)
    assert got == ([date(2027, 1, 10), date(2027, 1, 24)] if starting == date(2027, 1, 10) else [date(2027, 1, 24)])


def test_week_start_is_added_only_where_it_matters() -> None:
    days = parse_working_days(SUN_THU)
    weekly = Rule(OKR_CHECKIN, "FREQ=WEEKLY;BYDAY=SU", time(9, 30), source="org")
    assert resolve_rules(OKR_CHECKIN, [weekly], days) is weekly
    stated = Rule(OKR_CHECKIN, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=MO", time(9, 30), source="org")
    assert resolve_rules(OKR_CHECKIN, [stated], days) is stated
    mon_fri = resolve_rules(OKR_CHECKIN, [], parse_working_days(MON_FRI))
    assert mon_fri is not None and mon_fri.rrule.endswith(";WKST=MO")
    # Monday–Friday people keep their weeks (WKST=MO is rrule's default): the Sundays
    # of the anchor's Monday-first week, 10 and 24 Jan, moved to the Mondays after
    assert _checkins(MON_FRI, "Europe/Oslo", date(2027, 1, 5)) == [date(2027, 1, 11), date(2027, 1, 25)]


async def test_out_refuses_an_impossible_period_and_asks_for_the_year_of_a_far_leap_day(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """`/okr out until H3` said "already passed" (H3 read as the 3rd of the month);
    `/okr out on 29 feb` silently meant 2028."""
    ravi = team["ravi"]
    with at(utc(2026, 11, 29, 10)):
        h3 = await say(coach, ravi, "/okr out until H3")
        assert "When are you away?" in h3 and "passed" not in h3
        leap = await say(coach, ravi, "/okr out on 29 feb")
        assert "Save it?" not in leap and "Tue 29 Feb 2028" in leap and "type the year" in leap
        typed = await say(coach, ravi, "/okr out on 29 Feb 2028")
        assert "away on Tue 29 Feb 2028" in typed and "Save it?" in typed


# --- working days by the cadence's calendar (public holidays included) -----------------

CHRISTMAS_WEEK = date(2026, 12, 23)   # a Wednesday; 25 and 26 Dec are public holidays in Norway


@pytest.mark.parametrize(("zone", "country", "last"), [
    ("Europe/Oslo", "NO", date(2026, 12, 28)),   # Wed 23, Thu 24, (Fri 25 Christmas Day), Mon 28
    ("Europe/Oslo", None, date(2026, 12, 28)),   # no country typed: the zone's country, as the cadence does
    ("UTC", None, date(2026, 12, 25)),           # no country known: weekdays only
    ("America/New_York", "US", date(2026, 12, 28)),
])
def test_for_n_days_skips_public_holidays(zone: str, country: str | None, last: date) -> None:
    assert parse_absence("for 3 days", CHRISTMAS_WEEK, zone, country, MON_FRI) == (CHRISTMAS_WEEK, last)


def test_one_rule_for_a_working_day() -> None:
    cal = Calendar(1, "Europe/Oslo", parse_working_days(MON_FRI), "NO")
    for offset in range(400):
        day = date(2026, 12, 1) + timedelta(days=offset)
        assert cal.working_day(day) == (cal.day_off(day) is None)
    assert not cal.working_day(date(2026, 12, 25)) and cal.working_day(date(2026, 12, 24))
    assert not cal.working_day(date(2027, 5, 17))  # Constitution Day, a Monday


async def test_out_counts_working_days_without_public_holidays(db: Database, team: dict[str, int],
                                                               coach: Coach) -> None:
    """Ravi (Asia/Kolkata, no country typed) is off on Republic Day, 26 January: the
    same calendar the cadence plans by says so when he records an absence."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 20, 6)):
        week = await say(coach, ravi, "/okr out from 25 Jan to 29 Jan")
        holiday = await say(coach, ravi, "/okr out on 26 Jan")
        three = await say(coach, ravi, "/okr out from 25 Jan for 3 days")
        missing = await say(coach, ravi, "/okr out 2027-02-29..2027-03-01")
        stray = await say(coach, ravi, "/okr out on -1 Feb")
    assert "Mon 25 Jan 2027 to Fri 29 Jan 2027, 4 working days" in week
    assert "Tue 26 Jan 2027 is already a day off for you (Republic Day, a public holiday where you are)" in holiday
    assert "Mon 25 Jan 2027 to Thu 28 Jan 2027, 3 working days" in three
    assert "There is no 29 February 2027: February 2027 has 28 days." in missing and "Save" not in missing
    assert "minus sign" in stray and "When are you away?" not in stray and "Save it?" not in stray  # not 1 February
    assert "Feb 2027" not in stray


async def test_out_asks_again_for_a_day_years_ahead_a_year_typed_wrongly(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """`/okr out on 2207-01-12` was read back to be saved: a day more than two years
    ahead (`horizon.ABSENCE_YEARS`) is asked again with the same day in the year
    ahead, in a range too; a yearless 29 February whose next one is past the bound
    is not told to "type the year" (that would be refused)."""
    ravi = team["ravi"]
    with at(utc(2027, 1, 6, 10)):
        for typed in ("/okr out on 2207-01-12", "/okr out from 2207-01-12 to 2207-01-14",
                      "/okr out until 2207-01-12"):
            far = await say(coach, ravi, typed)
            assert "Save it?" not in far and "more than 2 years ahead" in far, typed
            offered = typed.replace("2207-01-12", "12 January 2027").replace("2207-01-14", "14 January 2027")
            assert f"`{offered}`" in far, typed  # the suggestion keeps the typed form, a range both ends
    with at(utc(2024, 3, 6, 10)):
        leap = await say(coach, ravi, "/okr out on 29 feb")
        assert "Save it?" not in leap and "type the year" not in leap and "more than 2 years away" in leap
