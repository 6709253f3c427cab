"""The batch-shaped nudge phase (bot/cadence/nudges.py, storage/nudges.py): exactly one
nudge per unanswered prompt when instances scan at once and batches are small, a
refused nudge is not sent again, expiry in batches, and the cached deadlines agree
with `add_working_hours` instant by instant (zones east and west, DST, year end)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import date, time, timedelta

import pytest
from cadence_helpers import FailingChannel, deliveries, occurrences, utc
from conftest import RecordingChannel
from sqlalchemy import delete, update

from bot.cadence.calendar import Calendar, add_working_hours
from bot.cadence.dispatcher import TickReport
from bot.cadence.nudges import _Deadlines, nudge_unanswered
from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import nudges as store_nudges
from storage import occurrences as store
from storage.db import Database
from storage.models import Absence, Occurrence

# delivered; no holiday in NO, IN or the US that week. 15:00 UTC is in the day (outside the
# default night, 21:00-07:00, that a nudge keeps for someone without quiet hours) in
# Kolkata (20:30), Oslo (16:00), New York (10:00) and Los Angeles (07:00) alike
MONDAY = utc(2027, 1, 11, 15, 0, 7)
TUESDAY = utc(2027, 1, 12, 15, 15)  # 24 h 15 min later: a working day for everyone, still in the day


async def delivered(db: Database, team: dict[str, int], kinds: tuple[str, ...] = ("wig", "okr_checkin")) -> int:
    """Every person of the sample team has one delivered, unanswered prompt per kind."""
    people = [pid for name, pid in team.items() if name != "org"]
    async with db.session() as session:
        for pid in people:
            for kind in kinds:
                session.add(Occurrence(key=f"{kind}:{pid}:2027-01-11", org_id=team["org"], person_id=pid,
                                       kind=kind, due_at=MONDAY - timedelta(minutes=1),
                                       local_date=date(2027, 1, 11), status="delivered",
                                       delivered_at=MONDAY))
    return len(people) * len(kinds)


async def test_instances_scanning_at_once_nudge_each_prompt_once(
        db: Database, team: dict[str, int]) -> None:
    """Three instances scan together in batches of two: every prompt gets exactly one
    nudge (one card sent, one Delivery row), and a later scan sends nothing."""
    prompts = await delivered(db, team)
    outboxes = [RecordingChannel() for _ in range(3)]
    coaches = [build_coach(db, Settings(database_url=db.url), Channels(box)) for box in outboxes]
    reports = [TickReport() for _ in coaches]
    await asyncio.gather(*(nudge_unanswered(c, TUESDAY, 24, r, batch=2, concurrency=3)
                           for c, r in zip(coaches, reports, strict=True)))
    assert sum(r.nudged for r in reports) == prompts
    assert sum(len(box.sent) for box in outboxes) == prompts
    nudges = [d for d in await deliveries(db) if d.purpose == "nudge"]
    assert len(nudges) == prompts and len({d.occurrence_id for d in nudges}) == prompts
    again = TickReport()
    await nudge_unanswered(coaches[0], TUESDAY + timedelta(minutes=5), 24, again)
    assert (again.nudged, again.missed) == (0, 0)


async def test_nothing_is_owed_before_the_working_day_has_passed(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """23 h 59 min after delivery no nudge is owed, at 24 h and a second (the delivery
    was at 15:00:07) every one is."""
    prompts = await delivered(db, team)
    early, exact = TickReport(), TickReport()
    await nudge_unanswered(coach, MONDAY + timedelta(hours=24) - timedelta(seconds=1), 24, early)
    assert early.nudged == 0 and not outbox.sent
    await nudge_unanswered(coach, MONDAY + timedelta(hours=24), 24, exact)
    assert exact.nudged == prompts


async def test_a_refused_nudge_is_not_sent_again_and_the_prompt_expires(
        db: Database, team: dict[str, int]) -> None:
    """Ravi's platform refuses the nudge: his prompts stay claimed-but-unrecorded (no
    second try, today's rule: at most one reminder); a working day after the nudge
    everything still unanswered counts as missed, in batches."""
    prompts = await delivered(db, team)
    channel = FailingChannel(refuse={team["ravi"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    first, second, last = TickReport(), TickReport(), TickReport()
    await nudge_unanswered(coach, TUESDAY, 24, first, batch=3)
    assert first.nudged == prompts - 2
    await nudge_unanswered(coach, TUESDAY + timedelta(minutes=10), 24, second, batch=3)
    assert (second.nudged, second.missed) == (0, 0)
    assert not any(r.person_id == team["ravi"] for r, _ in channel.sent)
    ravi = [o for o in await occurrences(db) if o.person_id == team["ravi"]]
    assert all(o.nudged_at == TUESDAY and o.status == "delivered" for o in ravi)
    await nudge_unanswered(coach, TUESDAY + timedelta(hours=24), 24, last, batch=3)
    assert last.missed == prompts
    assert Counter((o.status, o.reason) for o in await occurrences(db)) == {("missed", "unanswered"): prompts}


def test_cached_deadlines_agree_with_add_working_hours() -> None:
    """Random calendars (zones east and west of UTC, short weeks, quiet hours across
    midnight, absences) and starts around DST switches and the year end, several per
    minute; moments a few seconds either side of each exact deadline."""
    rng = random.Random(17)
    zones = ["Pacific/Auckland", "America/Los_Angeles", "Europe/Oslo", "Asia/Kolkata", "UTC"]
    switches = [utc(2027, 3, 14, 9), utc(2027, 3, 28, 0), utc(2027, 4, 3, 13), utc(2026, 12, 31, 18),
                utc(2027, 10, 31, 0), utc(2027, 11, 7, 8)]
    calendars = [
        Calendar(n, rng.choice(zones), frozenset(rng.sample(range(1, 8), rng.randint(3, 6))),
                 rng.choice([None, "NO", "US", "IN", "NZ"]),
                 *rng.choice([(None, None), (time(22), time(7)), (time(12), time(13))]),
                 rng.choice([(), ((date(2027, 3, 29), date(2027, 4, 2)),), ((date(2027, 1, 1), date(2027, 1, 3)),)]))
        for n in range(40)]
    _Deadlines._known.clear()
    checked = 0
    for _ in range(300):
        calendar = rng.choice(calendars)
        minute = (rng.choice(switches) + timedelta(minutes=rng.randint(-3000, 3000))).replace(second=0)
        hours = rng.choice([8.0, 24.0, 24.5])
        for _ in range(4):
            since = minute + timedelta(seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999_999))
            exact = add_working_hours(calendar, since, hours)
            for offset in (-61, -1, 0, 1, 61):
                moment = exact + timedelta(seconds=offset)
                assert _Deadlines(hours, moment)(calendar, since) == (offset >= 0), (calendar, since, moment)
                checked += 1
    assert checked == 6000


async def test_a_prompt_snoozed_after_its_nudge_is_nudged_again_once_delivered_again(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """A snooze puts the prompt back (its nudge cleared); delivered again and left
    unanswered, it is owed a nudge again, recorded as "nudge2" beside the first."""
    await delivered(db, team, kinds=("wig",))
    await nudge_unanswered(coach, TUESDAY, 24, TickReport())
    wig = next(o for o in await occurrences(db) if o.person_id == team["ravi"])
    again = TUESDAY + timedelta(minutes=5)  # 20:50 in Kolkata
    async with db.session() as session:
        assert await store.snooze(session, wig.id, again, {"snoozes": 1})  # type: ignore[arg-type]
        await session.exec(update(Occurrence).where(Occurrence.id == wig.id)  # the dispatcher delivers it
                           .values(status="delivered", delivered_at=again))
    report = TickReport()
    await nudge_unanswered(coach, again + timedelta(hours=24, minutes=5), 24, report)
    assert report.nudged == 1
    purposes = sorted(d.purpose for d in await deliveries(db) if d.occurrence_id == wig.id)
    assert purposes == ["nudge", "nudge2"]


async def test_weekend_scans_reread_nothing_until_a_calendar_changes(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch: pytest.MonkeyPatch) -> None:
    """Prompts delivered on Friday are owed on Monday. Saturday's scan reads them and
    finds none owed; Sunday's reads none of them again. A new absence (Ravi off on
    Monday) makes the next scan read everything again: on Monday everyone but Ravi
    is nudged; once the absence is withdrawn, Ravi is nudged at the next scan."""
    read: list[int] = []
    scan = store_nudges.awaiting_nudge

    async def counted(*args: object) -> list[store_nudges.Waiting]:
        found = await scan(*args)  # type: ignore[arg-type]
        read.append(len(found))
        return found

    monkeypatch.setattr(store_nudges, "awaiting_nudge", counted)
    friday = MONDAY - timedelta(days=3)
    prompts = await delivered(db, team)
    async with db.session() as session:
        await session.exec(update(Occurrence).values(delivered_at=friday))
    for moment in (utc(2027, 1, 9, 16), utc(2027, 1, 10, 16)):  # a day after Friday's delivery
        report = TickReport()
        await nudge_unanswered(coach, moment, 24, report)
        assert report.nudged == 0
    assert read == [prompts, 0]
    async with db.session() as session:
        session.add(Absence(person_id=team["ravi"], starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 11)))
    await nudge_unanswered(coach, utc(2027, 1, 10, 16, 5), 24, TickReport())
    assert read[-1] == prompts
    monday = TickReport()
    await nudge_unanswered(coach, MONDAY + timedelta(seconds=1), 24, monday)
    assert monday.nudged == prompts - 2
    async with db.session() as session:
        await session.exec(delete(Absence))
    later = TickReport()
    await nudge_unanswered(coach, MONDAY + timedelta(minutes=5), 24, later)
    assert later.nudged == 2
