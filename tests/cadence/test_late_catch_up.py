"""Prompts caught up after downtime wait for the person's next available moment
(`bot.cadence.late`): never at night inside quiet hours, never on a day off; skipped,
with the reason, when that moment is past halfway to the cadence's next regular slot.
On SQLite, and PostgreSQL when configured.

Ravi: Asia/Kolkata (UTC+5:30), WIG Monday 09:00 IST = 03:30 UTC, check-in every other
Tuesday 09:30 IST = 04:00 UTC (12 and 26 January 2027 are "on" weeks).
Sam: America/Los_Angeles (UTC-8), Monday–Friday, WIG Monday 09:00 PST = 17:00 UTC,
check-in Tuesday 09:30 PST = 17:30 UTC.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest
from cadence_helpers import at, joined, occurrences, set_person, utc
from conftest import RecordingChannel

import prompts
from bot.cadence.calendar import Calendar, catch_up_at
from bot.cadence.dispatcher import Dispatcher
from bot.cadence.late import NIGHT, LateCheck
from bot.cadence.population import Population
from bot.cadence.rules import default_rule, move_limit
from bot.core.coach import Coach
from storage.claims import Claimed
from storage.db import Database

MON_FRI = frozenset({1, 2, 3, 4, 5})


def _row(rows: list, key: str):  # type: ignore[no-untyped-def]
    return next(o for o in rows if o.key == key)


async def test_a_prompt_caught_up_in_quiet_hours_across_midnight_waits_for_their_end(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """East of UTC: down from Monday to Mon 20:00 UTC = Tue 01:30 IST, inside Ravi's
    21:00–07:00 quiet hours. Monday's WIG waits for 07:00, then goes out once."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    await set_person(db, ravi, quiet_start="21:00", quiet_end="07:00")
    with at(utc(2027, 1, 4, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(utc(2027, 1, 11, 20, 0)):
        report = await Dispatcher(coach, instance="after").tick()
    assert outbox.texts_for(ravi) == []  # neither the WIG nor last week's nudge at 01:30
    wig = _row(await occurrences(db, ravi), f"wig:{ravi}:2027-01-11")
    assert (wig.status, wig.due_at) == ("pending", utc(2027, 1, 12, 1, 30))  # Tue 07:00 IST
    assert wig.reason == "late:2027-01-11 09:00; quiet_hours:07:00"
    assert report.held >= 1
    with at(utc(2027, 1, 12, 1, 30)):
        report = await Dispatcher(coach, instance="morning").tick()
    assert report.delivered == 1
    texts = outbox.texts_for(ravi)
    assert len(texts) == 1 and "WIG" in texts[0]
    wig = _row(await occurrences(db, ravi), f"wig:{ravi}:2027-01-11")
    assert wig.status == "delivered"


async def test_a_prompt_caught_up_on_a_weekend_moves_to_monday_or_is_skipped_past_halfway(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """West of UTC: down from Friday 19 Feb until Saturday 27 Feb 10:00 PST. Monday's
    weekly WIG would wait until Mon 1 Mar, past halfway to the next one (Thu 25 Feb
    21:00): skipped with the reason. Tuesday's bi-weekly check-in may move up to Tue 2
    Mar 09:30: it goes out Mon 1 Mar 09:30, its own time. Nothing on Saturday; a
    restarted process's re-plan does not pull the check-in back into the past."""
    sam = team["sam"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 2, 19, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(utc(2027, 2, 27, 18, 0)):
        await Dispatcher(coach, instance="after").tick()
    assert outbox.texts_for(sam) == []
    rows = await occurrences(db, sam)
    wig = _row(rows, f"wig:{sam}:2027-02-22")
    assert (wig.status, wig.reason) == ("skipped", "late:2027-02-22 09:00; day_off:6")
    checkin = _row(rows, f"okr_checkin:{sam}:2027-02-23")
    assert (checkin.status, checkin.due_at) == ("pending", utc(2027, 3, 1, 17, 30))
    assert checkin.reason == "late:2027-02-23 09:30; day_off:6"
    assert checkin.local_date.isoformat() == "2027-03-01"
    with at(utc(2027, 2, 28, 18, 0)):  # Sunday: a fresh process re-plans 35 days back
        assert (await Dispatcher(coach, instance="sunday").tick()).delivered == 0
    checkin = _row(await occurrences(db, sam), f"okr_checkin:{sam}:2027-02-23")
    assert (checkin.status, checkin.due_at) == ("pending", utc(2027, 3, 1, 17, 30))
    assert outbox.texts_for(sam) == []
    with at(utc(2027, 3, 1, 17, 30)):  # Monday 09:30 PST
        await Dispatcher(coach, instance="monday").tick()
    rows = await occurrences(db, sam)
    assert _row(rows, f"okr_checkin:{sam}:2027-02-23").status == "delivered"
    assert _row(rows, f"wig:{sam}:2027-03-01").status == "delivered"  # Monday's own, on time


async def test_a_short_downtime_into_quiet_hours_holds_the_prompt_before_the_first_plan(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Down for less than the 36-hour horizon: the restarted process delivers before
    it plans (no population loaded yet). Back at Mon 21:30 IST, Ravi's Monday WIG
    still waits for Tuesday 07:00 IST."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    await set_person(db, ravi, quiet_start="21:00", quiet_end="07:00")
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(utc(2027, 1, 11, 16, 0)):
        dispatcher = Dispatcher(coach, instance="after", plan_off_loop=False)
        await dispatcher.tick()
    assert outbox.texts_for(ravi) == []
    wig = _row(await occurrences(db, ravi), f"wig:{ravi}:2027-01-11")
    assert (wig.status, wig.due_at, wig.reason) == (
        "pending", utc(2027, 1, 12, 1, 30), "late:2027-01-11 09:00; quiet_hours:07:00")


async def test_a_nudge_owed_after_downtime_waits_for_the_end_of_quiet_hours(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Ravi's Monday WIG (09:00 IST) is owed its nudge on Tuesday 09:00 IST; coachbot
    is down then and back at Tue 22:30 IST, in his quiet hours: the nudge waits for
    Wednesday 07:00 IST."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    await set_person(db, ravi, quiet_start="21:00", quiet_end="07:00")
    with at(utc(2027, 1, 11, 3, 30)):
        await Dispatcher(coach, instance="monday").tick()
    assert len(outbox.texts_for(ravi)) == 1
    dispatcher = Dispatcher(coach, instance="after")
    with at(utc(2027, 1, 12, 17, 0)):
        assert (await dispatcher.tick()).nudged == 0
    assert not any("gentle reminder" in t for t in outbox.texts_for(ravi))
    with at(utc(2027, 1, 13, 1, 30)):
        assert (await dispatcher.tick()).nudged == 1
    assert any("gentle reminder" in t for t in outbox.texts_for(ravi))


def test_catch_up_at_keeps_the_prompts_own_time_after_days_off_and_ends_quiet_hours() -> None:
    kolkata = Calendar(1, "Asia/Kolkata", MON_FRI, "IN", time(21), time(7))
    assert catch_up_at(kolkata, utc(2027, 1, 11, 20, 0), time(9)) == (
        utc(2027, 1, 12, 1, 30), ["quiet_hours:07:00"])
    assert catch_up_at(kolkata, utc(2027, 1, 12, 6, 0), time(9)) == (utc(2027, 1, 12, 6, 0), [])  # 11:30: now
    los_angeles = Calendar(2, "America/Los_Angeles", MON_FRI, "US")
    assert catch_up_at(los_angeles, utc(2027, 2, 27, 18, 0), time(9, 30)) == (
        utc(2027, 3, 1, 17, 30), ["day_off:6"])
    # Saturday before Martin Luther King Jr. Day: the holiday is named
    assert catch_up_at(los_angeles, utc(2027, 1, 16, 18, 0), time(9, 30)) == (
        utc(2027, 1, 19, 17, 30), ["day_off:6", "holiday:Martin Luther King Jr. Day"])
    # Friday 22:30 in Kolkata: after the quiet hours the weekend is passed too, to the
    # prompt's own 09:00 on Monday (a weekend after another reason is no news, as in `place`)
    assert catch_up_at(kolkata, utc(2027, 1, 15, 17, 0), time(9)) == (
        utc(2027, 1, 18, 3, 30), ["quiet_hours:07:00"])


def test_move_limit_is_halfway_to_the_next_regular_slot() -> None:
    wig = default_rule("wig", MON_FRI)
    assert move_limit(wig, utc(2027, 1, 11).date(), "America/Los_Angeles") == utc(2027, 1, 15, 5, 0)  # Thu 21:00
    checkin = default_rule("okr_checkin", MON_FRI)
    assert move_limit(checkin, utc(2027, 1, 12).date(), "Asia/Kolkata") == utc(2027, 1, 19, 4, 0)  # Tue 09:30


# Monday 11 January 2027: Ravi's WIG is due 09:00 IST = 03:30 UTC, Sam's 09:00 PST = 17:00 UTC.
# (person, back at 01:00 local Tue 12 Jan, 07:00 local that morning, back at 10:00 local Mon 11 Jan)
NIGHTS = [
    pytest.param("ravi", utc(2027, 1, 11, 19, 30), utc(2027, 1, 12, 1, 30), utc(2027, 1, 11, 4, 30), id="east"),
    pytest.param("sam", utc(2027, 1, 12, 9, 0), utc(2027, 1, 12, 15, 0), utc(2027, 1, 11, 18, 0), id="west"),
]


@pytest.mark.parametrize(("name", "night", "morning", "day"), NIGHTS)
async def test_someone_without_quiet_hours_gets_a_late_prompt_at_07_00_not_at_01_00(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        name: str, night: datetime, morning: datetime, day: object) -> None:
    """No quiet hours set (east of UTC: Kolkata; west: Los Angeles). Coachbot is back at
    01:00 local, the night after Monday's WIG was due: the prompt waits for 07:00, and
    its reason says "the night", not quiet hours the person never set. At 07:00 it goes
    out, once."""
    person = team[name]
    await joined(db, utc(2027, 1, 10))  # nothing owed before, so no nudge either
    with at(utc(2027, 1, 10, 12, 0)):  # the Sunday before: planned, then down
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(night):
        report = await Dispatcher(coach, instance="after").tick()
    assert outbox.texts_for(person) == []
    wig = _row(await occurrences(db, person), f"wig:{person}:2027-01-11")
    assert (wig.status, wig.due_at) == ("pending", morning)
    assert wig.reason == "late:2027-01-11 09:00; night:07:00"
    words = prompts.render("cadence/reason", reason=wig.reason)
    assert "the night until 07:00" in words and "quiet hours" not in words
    assert report.held >= 1
    with at(morning):
        await Dispatcher(coach, instance="morning").tick()
    texts = outbox.texts_for(person)
    assert len(texts) == 1 and "WIG" in texts[0]
    assert _row(await occurrences(db, person), f"wig:{person}:2027-01-11").status == "delivered"


@pytest.mark.parametrize(("name", "night", "morning", "day"), NIGHTS)
async def test_someone_without_quiet_hours_gets_a_late_prompt_at_once_at_10_00(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        name: str, night: object, morning: object, day: datetime) -> None:
    """The same person back at 10:00 local on Monday, an hour after the WIG was due:
    the day, not the night; it goes out at once."""
    person = team[name]
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(day):
        await Dispatcher(coach, instance="after").tick()
    texts = outbox.texts_for(person)
    assert len(texts) == 1 and "WIG" in texts[0]
    wig = _row(await occurrences(db, person), f"wig:{person}:2027-01-11")
    assert wig.status == "delivered"


@pytest.mark.parametrize(("back", "due", "reason"), [
    pytest.param(utc(2027, 1, 11, 23, 30), utc(2027, 1, 12, 0, 30), "late:2027-01-11 09:00; quiet_hours:06:00",
                 id="05:00-in-their-quiet-hours"),
    pytest.param(utc(2027, 1, 11, 16, 0), None, None, id="21:30-outside-them"),
])
async def test_quiet_hours_the_person_set_replace_the_night(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        back: datetime, due: datetime | None, reason: str | None) -> None:
    """Ravi set quiet hours of his own, 22:00–06:00: they replace the default night.
    Back at Tue 05:00 IST his Monday WIG waits for 06:00, their end, and the reason
    names his quiet hours; back at Mon 21:30 IST (in the default night, outside his
    quiet hours) it goes out at once."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await set_person(db, ravi, quiet_start="22:00", quiet_end="06:00")
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(back):
        await Dispatcher(coach, instance="after").tick()
    wig = _row(await occurrences(db, ravi), f"wig:{ravi}:2027-01-11")
    if due is None:
        assert wig.status == "delivered" and len(outbox.texts_for(ravi)) == 1
    else:
        assert (wig.status, wig.due_at, wig.reason) == ("pending", due, reason)
        assert outbox.texts_for(ravi) == []


def test_the_night_is_filled_in_once_per_calendar_shape() -> None:
    """Two people sharing one calendar shape without quiet hours: the default night is
    added to it once (one object, so the caches keyed by shape identity stay per shape)
    and "available now?" is asked once; a shape with quiet hours is used as it is."""
    los_angeles = Calendar(1, "America/Los_Angeles", MON_FRI, "US")
    kolkata = Calendar(3, "Asia/Kolkata", MON_FRI, "IN", time(22), time(6))
    no_rules: list = []  # type: ignore[type-arg]
    population = Population(people={}, calendars={1: los_angeles, 2: los_angeles, 3: kolkata},
                            rules={1: no_rules, 2: no_rules, 3: no_rules})
    check = LateCheck(utc(2027, 1, 12, 9, 0), population)  # Tue 01:00 PST, 14:30 IST

    def late(pid: int) -> Claimed:
        return Claimed(pid, f"wig:{pid}:2027-01-11", 1, pid, "wig", utc(2027, 1, 11, 3, 30), {}, None)

    first, second, third = check.hold(late(1)), check.hold(late(2)), check.hold(late(3))
    assert first is second is not None
    assert (first.due_at, first.reason) == (utc(2027, 1, 12, 15, 0), "late:2027-01-10 19:30; night:07:00")
    assert third is None  # 14:30 in Kolkata, his own quiet hours 22:00-06:00
    shape = population.shared.shape_of(1)
    filled = check._with_night(shape)
    assert check._with_night(shape) is filled
    assert filled.night == NIGHT and (filled.quiet_start, shape.quiet_start, shape.night) == (None, None, None)
    assert check._with_night(population.shared.shape_of(3)) is population.shared.shape_of(3)
    assert len(check._available) == 2  # one look per shape, not per person


def test_a_demo_prompt_is_never_held_as_late() -> None:
    """`coachbot demo` plants a prompt due now; a slow start under load claims it more
    than two minutes later, and at night in the rep's zone it was held till morning:
    the demo's prompt is asked for now, not caught up after downtime."""
    los_angeles = Calendar(1, "America/Los_Angeles", MON_FRI, "US")
    population = Population(people={}, calendars={1: los_angeles}, rules={1: []})
    check = LateCheck(utc(2027, 1, 12, 9, 0), population)  # Tue 01:00 PST: the night
    due = utc(2027, 1, 12, 8, 50)
    demo = Claimed(1, "okr_checkin:1:demo-20270112085000", 1, 1, "okr_checkin", due, {"demo": True}, None)
    planned = Claimed(2, "okr_checkin:1:2027-01-12", 1, 1, "okr_checkin", due, {}, None)
    assert check.hold(demo) is None
    assert check.hold(planned) is not None
