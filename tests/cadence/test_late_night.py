"""The default night (21:00–07:00 local, `bot.cadence.calendar.NIGHT`) beyond late
prompts: an owed nudge keeps it, a late prompt's retries end when it begins, someone
whose quiet hours lie inside the day keeps it besides them, and a retry claimed after
its deadline (coachbot down) is caught up like a late prompt, not sent at 02:00.
On SQLite, and PostgreSQL when configured.

Ravi: Asia/Kolkata (UTC+5:30, no DST). Sam: America/Los_Angeles (UTC-8 in January;
UTC-7 from Sunday 14 March 2027). Neither set quiet hours unless a test says so.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from cadence_helpers import DownFor, at, joined, occurrences, set_person, utc
from conftest import RecordingChannel

import prompts
from bot.cadence.calendar import NIGHT, Calendar, available_at, catch_up_at, with_night
from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.cadence.failures import retry_deadline
from bot.cadence.nudges import nudge_unanswered
from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database
from storage.models import Occurrence

LUNCH = {"quiet_start": "12:00", "quiet_end": "13:00"}
OWN_NIGHT = {"quiet_start": "22:00", "quiet_end": "06:00"}


async def _delivered(db: Database, team: dict[str, int], person: int, when: datetime) -> None:
    """One delivered, unanswered WIG prompt of `person`, delivered at `when`."""
    async with db.session() as session:
        session.add(Occurrence(key=f"wig:{person}:{when.date()}", org_id=team["org"], person_id=person,
                               kind="wig", due_at=when, local_date=when.date(), status="delivered",
                               delivered_at=when))


async def _nudged(coach: Coach, moment: datetime) -> int:
    report = TickReport()
    await nudge_unanswered(coach, moment, 24, report)
    return report.nudged


# (person, delivered: Monday 09:00 local, back at 03:00 local two days on, 06:30 local, 07:00 local)
NUDGES = [
    pytest.param("ravi", utc(2027, 1, 11, 3, 30), utc(2027, 1, 12, 21, 30), utc(2027, 1, 13, 1, 0),
                 utc(2027, 1, 13, 1, 30), id="east"),
    pytest.param("sam", utc(2027, 1, 11, 17, 0), utc(2027, 1, 13, 11, 0), utc(2027, 1, 13, 14, 30),
                 utc(2027, 1, 13, 15, 0), id="west"),
    # delivered Friday 12 March 09:00 PST, owed Monday 15 March 09:00 PDT; back Tuesday
    # 03:00 PDT: 07:00 is 14:00 UTC now, not 15:00
    pytest.param("sam", utc(2027, 3, 12, 17, 0), utc(2027, 3, 16, 10, 0), utc(2027, 3, 16, 13, 30),
                 utc(2027, 3, 16, 14, 0), id="west-after-dst-starts"),
]


@pytest.mark.parametrize("quiet", [pytest.param({}, id="no-quiet-hours"), pytest.param(LUNCH, id="lunch-only")])
@pytest.mark.parametrize(("name", "delivered", "night", "dawn", "morning"), NUDGES)
async def test_a_nudge_owed_after_downtime_waits_for_07_00_for_someone_without_a_night_of_their_own(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel, quiet: dict[str, str],
        name: str, delivered: datetime, night: datetime, dawn: datetime, morning: datetime) -> None:
    """Owed a nudge a working day after Monday's prompt; coachbot was down and is back at
    03:00 local two days later. No quiet hours set, or only 12:00–13:00: the default
    night holds the nudge until 07:00 (not at 03:00, not at 06:30); at 07:00 it goes
    out, once."""
    person = team[name]
    await set_person(db, person, **quiet)
    await _delivered(db, team, person, delivered)
    assert await _nudged(coach, night) == 0
    assert await _nudged(coach, dawn) == 0
    assert outbox.texts_for(person) == []
    assert await _nudged(coach, morning) == 1
    assert await _nudged(coach, morning + timedelta(minutes=5)) == 0
    assert len(outbox.texts_for(person)) == 1


@pytest.mark.parametrize(("name", "delivered", "night", "dawn", "morning"), NUDGES)
async def test_quiet_hours_that_are_a_night_replace_the_default_night_for_nudges(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        name: str, delivered: datetime, night: datetime, dawn: datetime, morning: datetime) -> None:
    """Quiet hours 22:00–06:00 of the person's own: the nudge waits at 03:00 (their
    quiet hours) and goes out at 06:30, inside the default night they replaced."""
    person = team[name]
    await set_person(db, person, **OWN_NIGHT)
    await _delivered(db, team, person, delivered)
    assert await _nudged(coach, night) == 0
    assert await _nudged(coach, dawn) == 1


def test_with_night_keeps_quiet_hours_inside_the_day_and_adds_the_night() -> None:
    """Lunch-only quiet hours keep the night besides them; a night of one's own (over
    midnight, or from midnight) replaces it; none set gets it."""
    lunch = Calendar(1, "Asia/Kolkata", quiet_start=time(12), quiet_end=time(13))
    kept = with_night(lunch)
    assert (kept.quiet_start, kept.quiet_end, kept.night) == (time(12), time(13), NIGHT)
    assert kept.quiet_why(time(12, 30)) == (time(13), False, "quiet_hours")
    assert kept.quiet_why(time(3)) == (time(7), False, "night")
    assert kept.quiet_why(time(22)) == (time(7), True, "night")
    assert kept.quiet_why(time(20, 59)) is None
    assert with_night(Calendar(1, quiet_start=time(22), quiet_end=time(6))).night is None
    assert with_night(Calendar(1, quiet_start=time(0), quiet_end=time(6))).night is None
    assert with_night(Calendar(1)).night == NIGHT
    assert with_night(kept) is kept


# Monday 11 January 2027: WIG due 09:00 local. (person, back at 01:00 local Tuesday, 07:00 that morning)
LUNCHERS = [
    pytest.param("ravi", utc(2027, 1, 11, 19, 30), utc(2027, 1, 12, 1, 30), id="east"),
    pytest.param("sam", utc(2027, 1, 12, 9, 0), utc(2027, 1, 12, 15, 0), id="west"),
]


@pytest.mark.parametrize(("name", "night", "morning"), LUNCHERS)
async def test_quiet_hours_at_lunch_still_leave_a_late_prompt_the_night(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        name: str, night: datetime, morning: datetime) -> None:
    """Quiet hours 12:00–13:00 only. Back at 01:00 local after Monday's WIG was due:
    the prompt waits for 07:00 with the reason "the night", then goes out once."""
    person = team[name]
    await joined(db, utc(2027, 1, 10))
    await set_person(db, person, **LUNCH)
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    outbox.sent.clear()
    with at(night):
        await Dispatcher(coach, instance="after").tick()
    assert outbox.texts_for(person) == []
    [wig] = [o for o in await occurrences(db, person) if o.key == f"wig:{person}:2027-01-11"]
    assert (wig.status, wig.due_at, wig.reason) == ("pending", morning, "late:2027-01-11 09:00; night:07:00")
    with at(morning):
        await Dispatcher(coach, instance="morning").tick()
    assert len(outbox.texts_for(person)) == 1


async def test_quiet_hours_at_lunch_are_kept_for_a_late_prompt(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """The same quiet hours still hold a late prompt over lunch: back at Monday 12:30
    IST, Ravi's WIG waits for 13:00."""
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    await set_person(db, ravi, **LUNCH)
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    with at(utc(2027, 1, 11, 7, 0)):
        await Dispatcher(coach, instance="after").tick()
    [wig] = [o for o in await occurrences(db, ravi) if o.key == f"wig:{ravi}:2027-01-11"]
    assert (wig.status, wig.due_at, wig.reason) == (
        "pending", utc(2027, 1, 11, 7, 30), "late:2027-01-11 09:00; quiet_hours:13:00")
    assert "quiet hours until 13:00" in prompts.render("cadence/reason", reason=wig.reason)


async def test_quiet_hours_at_lunch_leave_the_night_across_a_dst_change(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Sam, lunch-only quiet hours, the Monday after clocks went forward (WIG 09:00 PDT
    = 16:00 UTC); back Tuesday 01:00 PDT: held until 07:00 PDT = 14:00 UTC."""
    sam = team["sam"]
    await joined(db, utc(2027, 3, 14))
    await set_person(db, sam, **LUNCH)
    with at(utc(2027, 3, 14, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    with at(utc(2027, 3, 16, 8, 0)):
        await Dispatcher(coach, instance="after").tick()
    assert outbox.texts_for(sam) == []
    [wig] = [o for o in await occurrences(db, sam) if o.key == f"wig:{sam}:2027-03-15"]
    assert (wig.status, wig.due_at, wig.reason) == ("pending", utc(2027, 3, 16, 14, 0),
                                                    "late:2027-03-15 09:00; night:07:00")


# --- retries ----------------------------------------------------------------------------


def _cal(zone: str, **quiet: time) -> Calendar:
    return Calendar(1, zone, **quiet)  # type: ignore[arg-type]


@pytest.mark.parametrize(("calendar", "due", "first", "deadline"), [
    # Monday's 09:00 prompt first tried at 19:00 local after downtime: until 21:00, not midnight
    pytest.param(_cal("Asia/Kolkata"), utc(2027, 1, 11, 3, 30), utc(2027, 1, 11, 13, 30),
                 utc(2027, 1, 11, 15, 30), id="east"),
    pytest.param(_cal("America/Los_Angeles"), utc(2027, 1, 11, 17), utc(2027, 1, 12, 3),
                 utc(2027, 1, 12, 5), id="west"),
    # first tried Sunday 14 March 19:00 PDT, the day clocks went forward: 21:00 PDT = 04:00 UTC
    pytest.param(_cal("America/Los_Angeles"), utc(2027, 3, 13, 17), utc(2027, 3, 15, 2),
                 utc(2027, 3, 15, 4), id="west-dst-day"),
    pytest.param(_cal("America/Los_Angeles", quiet_start=time(12), quiet_end=time(13)),
                 utc(2027, 1, 11, 17), utc(2027, 1, 12, 3), utc(2027, 1, 12, 5), id="lunch-only"),
    # a night of one's own: its start, as before
    pytest.param(_cal("America/Los_Angeles", quiet_start=time(22), quiet_end=time(6)),
                 utc(2027, 1, 11, 17), utc(2027, 1, 12, 3), utc(2027, 1, 12, 6), id="own-night"),
    # a prompt a rule put at 19:00, tried on time: not late, the rest of its day as before
    pytest.param(_cal("America/Los_Angeles"), utc(2027, 1, 12, 3), utc(2027, 1, 12, 3),
                 utc(2027, 1, 12, 8), id="on-time-evening"),
])
def test_a_late_prompts_retries_end_when_the_night_begins(
        calendar: Calendar, due: datetime, first: datetime, deadline: datetime) -> None:
    assert retry_deadline(calendar, due, first, None) == deadline


async def test_a_late_prompt_sent_in_the_evening_is_retried_until_21_00_not_midnight(
        db: Database, team: dict[str, int]) -> None:
    """West of UTC: coachbot is back at Monday 19:00 PST (Tue 03:00 UTC), after Sam's
    09:00 WIG was due; the platform is down for him. It is retried until 21:00 PST
    (05:00 UTC), then failed, not retried into the night until midnight."""
    sam = team["sam"]
    platform = DownFor({sam})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 10, 12, 0)):
        await Dispatcher(coach, instance="before").tick()
    dispatcher = Dispatcher(coach, instance="after", backoff_cap=300)
    failed_at, moment = None, utc(2027, 1, 12, 3)
    while moment <= utc(2027, 1, 12, 8) and failed_at is None:
        with at(moment):
            if (await dispatcher.tick()).failed:
                failed_at = moment
        moment += timedelta(minutes=15)
    assert failed_at is not None and utc(2027, 1, 12, 5) <= failed_at <= utc(2027, 1, 12, 5, 15)
    [wig] = [o for o in await occurrences(db, sam) if o.key == f"wig:{sam}:2027-01-11"]
    assert wig.status == "failed" and wig.payload["deadline"] == utc(2027, 1, 12, 5).isoformat()


async def test_a_retry_claimed_after_its_deadline_waits_for_the_morning(
        db: Database, team: dict[str, int]) -> None:
    """Sam's Monday WIG is retried all day (the platform is down for him), then coachbot
    is down from 17:00 PST until Tuesday 02:00 PST, past the retries' 18:00 deadline,
    and the platform is back. The retry is a prompt caught up late: not sent at 02:00
    but moved to 07:00 (the night). At 07:00 the platform is down again: retried with
    that day's deadline (18:00), not failed at once; then it goes out, once."""
    sam = team["sam"]
    platform = DownFor({sam})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 10))
    dispatcher = Dispatcher(coach, instance="monday", backoff_cap=300)
    moment = utc(2027, 1, 11, 17)
    while moment <= utc(2027, 1, 12, 1):  # 09:00-17:00 PST
        with at(moment):
            assert (await dispatcher.tick()).failed == 0
        moment += timedelta(minutes=30)
    platform.down.clear()
    with at(utc(2027, 1, 12, 10)):  # Tuesday 02:00 PST
        await Dispatcher(coach, instance="night").tick()
    assert [r.person_id for r, _ in platform.sent].count(sam) == 0
    [wig] = [o for o in await occurrences(db, sam) if o.key == f"wig:{sam}:2027-01-11"]
    assert (wig.status, wig.due_at) == ("pending", utc(2027, 1, 12, 15))
    assert wig.reason == "late:2027-01-11 09:00; night:07:00"
    platform.down.add(sam)
    morning = Dispatcher(coach, instance="morning", backoff_cap=300)
    with at(utc(2027, 1, 12, 15)):
        report = await morning.tick()
    assert report.failed == 0 and report.retrying >= 1
    [wig] = [o for o in await occurrences(db, sam) if o.key == f"wig:{sam}:2027-01-11"]
    assert (wig.status, wig.reason) == ("claimed", "retrying: HTTP 503")
    assert wig.payload["deadline"] == utc(2027, 1, 13, 2).isoformat()  # Tuesday 18:00 PST
    platform.down.clear()
    with at(utc(2027, 1, 12, 15, 10)):
        await morning.tick()
    assert [r.person_id for r, _ in platform.sent].count(sam) == 1  # one delivery
    [wig] = [o for o in await occurrences(db, sam) if o.key == f"wig:{sam}:2027-01-11"]
    assert wig.status == "delivered"



@pytest.mark.parametrize("quiet", [(time(7), time(21)), (time(8), time(20))])
def test_quiet_hours_through_the_day_are_a_night_of_their_own(quiet: tuple[time, time]) -> None:
    """Someone who works nights sets quiet hours over the day (07:00–21:00): the
    default night beside them left no moment (a nudge or a late prompt then went at
    once, at 10:00, inside their quiet hours, though `/okr quiet` said it "waits until
    21:00") or an hour at dawn. As long as the night or longer, they replace it."""
    cal = Calendar(1, "UTC", quiet_start=quiet[0], quiet_end=quiet[1])
    assert with_night(cal) is cal
    ten = utc(2027, 1, 12, 10)
    evening = utc(2027, 1, 12, quiet[1].hour)
    assert available_at(with_night(cal), ten) == evening
    assert catch_up_at(with_night(cal), ten, time(9, 30)) == (evening, [f"quiet_hours:{quiet[1]:%H:%M}"])
    short = Calendar(1, quiet_start=time(9), quiet_end=time(18, 59))  # shorter than the night: kept beside
    assert with_night(short).night == NIGHT
