"""Days typed without a month, or in words dateparser guessed at (review F6, F8c, F8d),
for a US person (month first), a Norwegian and an Indian one (day first).

Clock: Sunday 7 March 2027 unless a test says otherwise. On that day dateparser read
"the 1st" as 7 January 2028 for the US person (the number taken for the month) and
as 1 March (passed) for the others; "end of week" was Friday for everyone; "Monday
next week" and "mid April" were not read at all."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

import prompts
from bot.core.clock import local_day
from bot.core.clock import now as clock_now
from conversations.action_items import action_items
from conversations.answers import Env, Invalid, Valid
from conversations.validators import date_answer, measurable
from conversations.working_week import parse_working_days

SUNDAY = date(2027, 3, 7)
PEOPLE = pytest.mark.parametrize(("zone", "country"), [
    ("America/New_York", "US"), ("Europe/Oslo", "NO"), ("Asia/Kolkata", "IN")])
MON_FRI = parse_working_days("1,2,3,4,5")
SUN_THU = parse_working_days("7,1,2,3,4")


def _env(zone: str, country: str | None, today: date = SUNDAY, week: frozenset[int] = MON_FRI) -> Env:
    return Env(today, zone, country=country, **({"working_days": week} if week != MON_FRI else {}))


@PEOPLE
@pytest.mark.parametrize(("typed", "meant"), [
    ("the 1st", "2027-04-01"), ("1st", "2027-04-01"), ("by the 3rd", "2027-04-03"), ("3rd", "2027-04-03"),
    ("on the 12th", "2027-03-12"), ("the 12", "2027-03-12"), ("1.", "2027-04-01"),
    ("the 3rd of the month", "2027-04-03"), ("the 1st of next month", "2027-04-01"),
    # with a month, in either order: as before, and the same for everyone
    ("1st April", "2027-04-01"), ("April 1st", "2027-04-01"), ("the 1st of April", "2027-04-01"),
    ("3rd of next month", "2027-04-03"),
    ("in April", "2027-04-30"),  # a month alone is its end, not 7 April (today's day in April)
])
def test_a_day_of_the_month_reads_the_same_in_month_first_and_day_first_orders(
        zone: str, country: str, typed: str, meant: str) -> None:
    assert date_answer(typed, _env(zone, country), future=True) == Valid(meant)


@PEOPLE
def test_a_month_without_that_day_is_skipped_and_read_back(zone: str, country: str) -> None:
    answer = date_answer("the 31st", _env(zone, country, date(2027, 4, 7)), future=True)  # April has 30 days
    assert isinstance(answer, Valid) and answer.value == "2027-05-31"
    words = str(prompts.render("flows/common/confirm", details=answer.confirm))
    assert "Mon 31 May 2027" in words and "Is that right?" in words


@PEOPLE
def test_a_key_result_due_on_the_1st_is_due_next_month(zone: str, country: str) -> None:
    kr = measurable("Close 12 new logos by the 1st", _env(zone, country))
    assert isinstance(kr, Valid) and kr.value["due"] == "2027-04-01" and kr.confirm is None


@PEOPLE
def test_an_action_item_due_on_the_12th_is_due_this_month(zone: str, country: str) -> None:
    items = action_items("me: send the proposal by the 12th", _env(zone, country))
    assert isinstance(items, Valid) and items.value[0]["due"] == "2027-03-12"


@PEOPLE
def test_a_day_that_happened_on_the_3rd_is_this_months_3rd(zone: str, country: str) -> None:
    assert date_answer("the 3rd", _env(zone, country), past=True) == Valid("2027-03-03")


@PEOPLE
def test_numbers_dateparser_would_put_in_another_field_are_asked_again_or_read_back(zone: str, country: str) -> None:
    assert date_answer("1st of", _env(zone, country), future=True) == Invalid("not_a_date")
    assert date_answer("the 32nd", _env(zone, country), future=True) == Invalid("not_a_date")
    assert date_answer("Friday 12th", _env(zone, country), future=True) == Invalid("not_a_date")
    spaced = date_answer("3 12", _env(zone, country), future=True)  # read by the person's order, then read back
    assert isinstance(spaced, Valid) and spaced.confirm is not None
    assert spaced.value == ("2027-03-12" if country == "US" else "2027-12-03")


@pytest.mark.parametrize(("today", "week", "end"), [
    (SUNDAY, MON_FRI, "2027-03-12"),            # Sunday after a Mon–Fri week: next Friday
    (SUNDAY, SUN_THU, "2027-03-11"),            # first day of a Sun–Thu week: Thursday, not Friday
    (date(2027, 3, 10), SUN_THU, "2027-03-11"),
    (date(2027, 3, 12), SUN_THU, "2027-03-18"),  # their Friday is weekend: next week's Thursday
    (date(2027, 3, 13), MON_FRI, "2027-03-19"),
])
def test_end_of_week_is_the_last_working_day_of_the_persons_own_week(today: date, week: frozenset[int],
                                                                      end: str) -> None:
    for typed in ("end of week", "end of the week", "by end of week", "EOW"):
        assert date_answer(typed, _env("Asia/Jerusalem", "IL", today, week), future=True) == Valid(end), typed


@pytest.mark.parametrize(("week", "meant"), [(MON_FRI, "2027-03-08"), (SUN_THU, "2027-03-15")])
def test_monday_next_week_is_the_monday_of_the_persons_next_week(week: frozenset[int], meant: str) -> None:
    # Sunday 7 March ends a Mon–Fri week (so next week's Monday is tomorrow) and begins a Sun–Thu one
    for typed in ("Monday next week", "next week Monday", "Mon next week"):
        assert date_answer(typed, _env("Asia/Kolkata", "IN", week=week), future=True) == Valid(meant), typed


@PEOPLE
def test_next_monday_typed_on_a_sunday_is_read_back_with_the_monday_after(zone: str, country: str) -> None:
    answer = date_answer("next Monday", _env(zone, country), future=True)
    assert isinstance(answer, Valid) and answer.value == "2027-03-08"
    words = str(prompts.render("flows/common/confirm", details=answer.confirm))
    assert "Mon 8 Mar 2027" in words and "Mon 15 Mar 2027" in words
    # on a Wednesday "next Monday" is next week's, nothing to doubt
    assert date_answer("next Monday", _env(zone, country, date(2027, 3, 10)), future=True) == Valid("2027-03-15")


@pytest.mark.parametrize(("typed", "week", "meant"), [
    ("mid April", MON_FRI, "2027-04-15"), ("mid-April", SUN_THU, "2027-04-15"),
    ("first week of April", MON_FRI, "2027-04-07"),   # 1–7 April, its last working day
    ("last week of April", MON_FRI, "2027-04-30"),    # 24–30 April: Friday 30
    ("last week of April", SUN_THU, "2027-04-29"),    # … Thursday 29 for a Sun–Thu week
])
def test_approximate_days_are_read_and_read_back(typed: str, week: frozenset[int], meant: str) -> None:
    answer = date_answer(typed, _env("America/New_York", "US", week=week), future=True)
    assert isinstance(answer, Valid) and answer.value == meant
    words = str(prompts.render("flows/common/confirm", details=answer.confirm))
    assert "no one exact day" in words and prompts.format_day(date.fromisoformat(meant)) in words


def test_a_vague_part_of_a_month_is_asked_again() -> None:
    for typed in ("early April", "late April", "beginning of April"):
        assert date_answer(typed, _env("Europe/Oslo", "NO"), future=True) == Invalid("not_a_date"), typed
    assert date_answer("mid April", _env("Europe/Oslo", "NO"), future=True) != Invalid("not_a_date")


@freeze_time("2027-03-07 14:00:00")  # Sunday in New York and in Kolkata
def test_a_flows_env_reads_the_persons_local_day_and_week() -> None:
    """The local day and the week a flow's Env gets (bot.core.flows) decide the reading."""
    us = Env(local_day(clock_now(), "America/New_York"), "America/New_York", country="US")
    assert date_answer("the 1st", us, future=True) == Valid("2027-04-01")
    assert date_answer("end of week", Env(us.today, "Asia/Jerusalem", working_days=SUN_THU)) == Valid("2027-03-11")
