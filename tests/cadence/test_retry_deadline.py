"""A prompt a platform cannot take now is retried until its own deadline: the
person's next prompt of that cadence or the end of their working day (their zone),
whichever comes first; then it is failed and reported in the admins' daily summary.
Zones east (Asia/Kolkata) and west (America/Los_Angeles) of UTC, and a DST day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cadence_helpers import DownFor, at, joined, occurrences, set_person, utc

from bot.cadence import Calendar
from bot.cadence.dispatcher import Dispatcher
from bot.cadence.failures import end_of_working_day, retry_deadline, retry_time
from bot.core.channel import Channels
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import occurrences as occurrence_store
from storage.db import Database


async def _tick_until_failed(coach: object, start: datetime, end: datetime,
                             step: timedelta) -> datetime | None:
    dispatcher = Dispatcher(coach, instance="one", backoff_cap=300)  # type: ignore[arg-type]
    moment = start
    while moment <= end:
        with at(moment):
            if (await dispatcher.tick()).failed:
                return moment
        moment += step
    return None


async def test_east_of_utc_a_prompt_is_retried_until_the_end_of_the_working_day(
        db: Database, team: dict[str, int]) -> None:
    """Ravi (Kolkata, UTC+5:30): Monday's WIG prompt is due 09:00 local (03:30 UTC);
    the platform is down for him all day. It is retried, not failed, until 18:00
    local (12:30 UTC), then failed once, and the admin's summary names him."""
    platform = DownFor({team["ravi"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    failed_at = await _tick_until_failed(coach, utc(2027, 1, 11, 3, 30), utc(2027, 1, 11, 14),
                                         timedelta(minutes=10))
    assert failed_at is not None and utc(2027, 1, 11, 12, 30) <= failed_at <= utc(2027, 1, 11, 12, 40)
    [row] = [o for o in await occurrences(db, team["ravi"]) if o.status == "failed"]
    assert row.payload["deadline"] == utc(2027, 1, 11, 12, 30).isoformat()
    assert "gave up after" in (row.reason or "") and row.payload["attempts"] > 5
    summary = platform.to(team["ada"])
    assert len(summary) == 1 and "Ravi" in summary[0]


async def test_west_of_utc_the_deadline_is_the_local_evening_on_the_next_utc_day(
        db: Database, team: dict[str, int]) -> None:
    """Sam (Los Angeles, UTC-8 in January): due Monday 09:00 local = 17:00 UTC; his
    working day ends 18:00 local = Tuesday 02:00 UTC. Still retrying at Tuesday 00:00
    UTC (a UTC working day would have given up), failed just after 02:00 UTC."""
    platform = DownFor({team["sam"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    failed_at = await _tick_until_failed(coach, utc(2027, 1, 11, 17), utc(2027, 1, 12, 3),
                                         timedelta(minutes=15))
    assert failed_at is not None and utc(2027, 1, 12, 2) <= failed_at <= utc(2027, 1, 12, 2, 15)
    [row] = [o for o in await occurrences(db, team["sam"]) if o.status == "failed"]
    assert row.payload["deadline"] == utc(2027, 1, 12, 2).isoformat()


async def test_quiet_hours_end_the_working_day_early(db: Database, team: dict[str, int]) -> None:
    """Ravi's quiet hours begin at 13:00 local: his retries stop then (07:30 UTC)."""
    await set_person(db, team["ravi"], quiet_start="13:00", quiet_end="08:00")
    platform = DownFor({team["ravi"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    failed_at = await _tick_until_failed(coach, utc(2027, 1, 11, 3, 30), utc(2027, 1, 11, 9),
                                         timedelta(minutes=10))
    assert failed_at is not None and utc(2027, 1, 11, 7, 30) <= failed_at <= utc(2027, 1, 11, 7, 40)


async def test_the_next_prompt_of_the_cadence_ends_the_retries_first(
        db: Database, team: dict[str, int]) -> None:
    """A second WIG prompt for Ravi is due at 11:00 local (05:30 UTC), before the end
    of his day: the first prompt is retried only until then; the newer one then
    goes out once the platform is back."""
    platform = DownFor({team["ravi"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    await joined(db, utc(2027, 1, 11))
    async with db.session() as session:
        await occurrence_store.add_occurrence(session, "extra-wig", team["org"], team["ravi"], "wig",
                                              utc(2027, 1, 11, 5, 30), utc(2027, 1, 11).date())
    dispatcher = Dispatcher(coach, instance="one", backoff_cap=300)
    failed_at = None
    moment = utc(2027, 1, 11, 3, 30)
    while moment <= utc(2027, 1, 11, 6):
        with at(moment):
            if (await dispatcher.tick()).failed and failed_at is None:
                failed_at = moment
        moment += timedelta(minutes=5)
    assert failed_at is not None and utc(2027, 1, 11, 5, 30) <= failed_at <= utc(2027, 1, 11, 5, 35)
    first = [o for o in await occurrences(db, team["ravi"]) if o.kind == "wig" and o.key != "extra-wig"][0]
    assert first.status == "failed"
    assert first.payload["deadline"] == utc(2027, 1, 11, 5, 30).isoformat()
    platform.down.clear()
    with at(utc(2027, 1, 11, 6, 10)):
        await dispatcher.tick()
    [extra] = [o for o in await occurrences(db, team["ravi"]) if o.key == "extra-wig"]
    assert extra.status == "delivered"


def test_end_of_working_day_in_zones_east_and_west_and_on_a_dst_day() -> None:
    kolkata = Calendar(person_id=1, timezone="Asia/Kolkata")
    assert end_of_working_day(kolkata, utc(2027, 1, 11, 3, 30)) == utc(2027, 1, 11, 12, 30)
    los_angeles = Calendar(person_id=2, timezone="America/Los_Angeles")
    assert end_of_working_day(los_angeles, utc(2027, 1, 11, 17)) == utc(2027, 1, 12, 2)
    # 14 March 2027: clocks go forward in Los Angeles; 18:00 PDT is 01:00 UTC
    assert end_of_working_day(los_angeles, utc(2027, 3, 14, 17)) == utc(2027, 3, 15, 1)
    # a prompt sent late (20:00 local) keeps the rest of that local day
    assert end_of_working_day(los_angeles, utc(2027, 1, 12, 4)) == utc(2027, 1, 12, 8)
    quiet = Calendar(person_id=3, timezone="Europe/Oslo", quiet_start=time(16, 0), quiet_end=time(8, 0))
    assert end_of_working_day(quiet, utc(2027, 1, 11, 8)) == utc(2027, 1, 11, 15)


def test_the_deadline_is_whichever_comes_first() -> None:
    oslo = Calendar(person_id=1, timezone="Europe/Oslo")
    due = utc(2027, 1, 11, 8)
    assert retry_deadline(oslo, due, due, None) == utc(2027, 1, 11, 17)
    assert retry_deadline(oslo, due, due, utc(2027, 1, 11, 12)) == utc(2027, 1, 11, 12)
    assert retry_deadline(oslo, due, due, utc(2027, 1, 12, 8)) == utc(2027, 1, 11, 17)
    # after downtime: first tried the next morning, its working day counts
    assert retry_deadline(oslo, due, utc(2027, 1, 12, 9), None) == utc(2027, 1, 12, 17)


def test_quiet_hours_inside_the_day_interrupt_the_retries_rather_than_end_them() -> None:
    """F8b: quiet hours at lunch (12:00–13:00) do not end a 10:00 prompt's retries at
    noon; a retry that would fall in them waits until 13:00; the day still ends at
    18:00. Quiet hours in the morning (08:00–10:00) do not stretch it to midnight."""
    def oslo(start: int, end: int) -> Calendar:
        return Calendar(person_id=1, timezone="Europe/Oslo", quiet_start=time(start), quiet_end=time(end))

    due = utc(2027, 1, 12, 9)  # Tue 10:00 in Oslo
    lunch = oslo(12, 13)
    deadline = retry_deadline(lunch, due, due, None)
    assert deadline == utc(2027, 1, 12, 17)  # 18:00 local
    assert retry_time(lunch, utc(2027, 1, 12, 11, 10), deadline) == utc(2027, 1, 12, 12)  # 12:10 -> 13:00
    assert retry_time(lunch, utc(2027, 1, 12, 10, 50), deadline) == utc(2027, 1, 12, 10, 50)  # 11:50: as asked
    assert retry_deadline(oslo(8, 10), due, due, None) == utc(2027, 1, 12, 17)
    # quiet hours over 18:00 end the day when they begin; the night's still do
    assert retry_deadline(oslo(17, 19), due, due, None) == utc(2027, 1, 12, 16)
    assert retry_deadline(oslo(21, 7), due, due, None) == utc(2027, 1, 12, 20)
    # the last retry is at the deadline, even when the back-off would go past it
    assert retry_time(lunch, utc(2027, 1, 12, 18), deadline) == deadline
