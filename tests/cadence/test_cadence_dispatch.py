"""The dispatcher against a real database (SQLite, and PostgreSQL when configured):
exactly once across ticks and restarts, catch-up after downtime, a crash between
claim and send, delivery failures, nudges, vacations and holidays."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from cadence_helpers import FailingChannel, at, deliveries, joined, occurrences, set_person, utc
from conftest import RecordingChannel

from bot.cadence.dispatcher import Dispatcher
from bot.cadence.timer import create_scheduler
from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import claims
from storage import schedule as store
from storage.db import Database

# Ravi: Asia/Kolkata (UTC+5:30), WIG Monday 09:00 = 03:30 UTC, OKR check-in every other
# Tuesday 09:30 = 04:00 UTC (2027-01-12 and 2027-01-26 are "on" weeks).
# Sam: America/Los_Angeles, WIG Monday 09:00 = 17:00 UTC in winter.

# Both reps' Monday WIG and Tuesday check-in are due, claimed late, and neither rep is in
# the night a late prompt waits out for people without quiet hours
# (`bot.cadence.late.NIGHT`, 21:00–07:00 local): Wed 08:30 in Kolkata, Tue 19:00 in Los
# Angeles. For the tests about something else than catch-up.
BOTH_AWAKE = utc(2027, 1, 13, 3, 0)


async def test_a_due_prompt_is_delivered_once_across_ticks_and_restarts(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 4, 0)):
        report = await Dispatcher(coach, instance="first").tick()
        assert report.delivered == 1
        assert "WIG session" in outbox.texts_for(team["ravi"])[0]
        again = await Dispatcher(coach, instance="first").tick()
        assert (again.delivered, again.superseded, again.nudged, again.failed) == (0, 0, 0, 0)
        restarted = await Dispatcher(coach, instance="after-restart").tick()
        assert restarted.delivered == 0
    rows = [o for o in await occurrences(db, team["ravi"]) if o.status == "delivered"]
    assert [o.key for o in rows] == [f"wig:{team['ravi']}:2027-01-11"]
    assert rows[0].delivered_at == utc(2027, 1, 11, 4, 0)
    sent = await deliveries(db)
    assert [(d.occurrence_id, d.purpose, d.message_id) for d in sent] == [(rows[0].id, "prompt", "test-1")]
    assert len(outbox.sent) == 1


async def test_managers_and_admins_get_no_rep_prompts(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):
        await Dispatcher(coach).tick()
    people = {r.person_id for r, _ in outbox.sent}
    assert people == {team["ravi"], team["sam"]}


async def test_two_dispatchers_racing_in_one_process_deliver_each_prompt_once(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):
        reports = await asyncio.gather(*(Dispatcher(coach, instance=f"i{n}", batch=1).tick()
                                         for n in range(3)))
    assert sum(r.delivered for r in reports) == 4  # two reps x (WIG + check-in)
    assert len(outbox.sent) == 4
    assert len({m.key for _, ms in outbox.sent for m in ms}) == 4


async def test_downtime_catch_up_sends_only_the_latest_prompt_of_each_cadence(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Back on Wed 6 Jan 12:00 UTC after a month down: of each cadence only the latest
    prompt is left, the rest missed (superseded). Ravi (17:30 in Kolkata) gets his two
    at once. Sam has no quiet hours, but it is 04:00 in Los Angeles, inside the night a
    late prompt waits out (`bot.cadence.late.NIGHT`): his WIG waits for 07:00, reason
    "the night"; his bi-weekly check-in of 29 Dec would wait past halfway to the next
    one (Tue 5 Jan 21:30) and is skipped. (Before the default night both of Sam's went
    out at 04:00.)"""
    await joined(db, utc(2026, 12, 1))
    with at(utc(2026, 12, 7, 4, 0)):
        first = await Dispatcher(coach, instance="before").tick()
    assert first.delivered >= 1
    outbox.sent.clear()
    # down from 7 December to Wednesday 6 January
    with at(utc(2027, 1, 6, 12, 0)):
        report = await Dispatcher(coach, instance="after").tick()
    assert (report.delivered, report.held) == (2, 2), report
    assert report.nudged == 0, "no nudge flood for prompts superseded during downtime"
    ravi, sam = team["ravi"], team["sam"]
    held = {o.key: o for o in await occurrences(db, sam)}
    wig, checkin = held[f"wig:{sam}:2027-01-04"], held[f"okr_checkin:{sam}:2026-12-29"]
    assert (wig.status, wig.due_at, wig.reason) == (
        "pending", utc(2027, 1, 6, 15, 0), "late:2027-01-04 09:00; night:07:00")  # Wed 07:00 PST
    assert (checkin.status, checkin.reason) == ("skipped", "late:2026-12-29 09:30; night:07:00")
    with at(utc(2027, 1, 6, 15, 0)):
        morning = await Dispatcher(coach, instance="after").tick()
    assert (morning.delivered, morning.nudged) == (1, 0), morning
    keys = sorted(m.key or "" for _, ms in outbox.sent for m in ms)
    assert keys == sorted([f"okr_checkin:{ravi}:2026-12-29", f"wig:{ravi}:2027-01-04", f"wig:{sam}:2027-01-04"])
    rows = await occurrences(db, ravi)
    due = [o for o in rows if o.due_at <= utc(2027, 1, 6, 12, 0)]
    by_status = Counter(o.status for o in due)
    assert by_status["delivered"] == 2
    assert by_status["missed"] == len(due) - 2
    assert all(o.reason in {"superseded", "unanswered"} for o in due if o.status == "missed")
    assert not [o for o in due if o.status == "pending"]


async def test_a_crash_between_claim_and_send_is_delivered_within_a_minute(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """The crashed process held a one-minute lease it will never extend: another
    instance takes the claim over once the lease ran out, not ten minutes later."""
    await joined(db, utc(2027, 1, 11))
    with at(utc(2027, 1, 11, 4, 0)):
        crashed = Dispatcher(coach, instance="crashed")
        await crashed.plan(utc(2027, 1, 11, 4, 0))
        async with db.session() as session:
            claimed = await claims.claim_due(session, utc(2027, 1, 11, 4, 0), "crashed", 10,
                                             utc(2027, 1, 11, 4, 1))
        assert len(claimed) == 1  # ... and the process dies before sending
    with at(utc(2027, 1, 11, 4, 0, 50)):
        assert (await Dispatcher(coach, instance="new").tick()).delivered == 0
    with at(utc(2027, 1, 11, 4, 1, 5)):
        report = await Dispatcher(coach, instance="new").tick()
        assert report.delivered == 1
        assert (await Dispatcher(coach, instance="newer").tick()).delivered == 0
    assert len(outbox.sent) == 1
    row = next(o for o in await occurrences(db, team["ravi"]) if o.id == claimed[0].id)
    assert (row.status, row.claimed_by, row.lease_until) == ("delivered", "new", None)
    assert len(await deliveries(db)) == 1


async def test_undeliverable_prompts_reach_the_admins_as_one_summary_a_day(
        db: Database, team: dict[str, int]) -> None:
    channel = FailingChannel(refuse={team["sam"], team["ravi"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):  # both reps' WIG (Mon) and check-in (Tue) due
        report = await Dispatcher(coach).tick()
    assert report.failed == 4
    failed = [o for o in await occurrences(db) if o.status == "failed"]
    assert len(failed) == 4
    assert all("not installed the app" in (o.reason or "") for o in failed)
    alerts = channel.texts_for(team["ada"])
    assert len(alerts) == 1, alerts  # one summary, not one message per rep
    assert "Sam Seller" in alerts[0] and "Ravi" in alerts[0] and "not installed the app" in alerts[0]
    assert "4 prompts" in alerts[0]
    with at(BOTH_AWAKE + timedelta(minutes=30)):  # later the same day: nothing new to say
        await Dispatcher(coach).tick()
    assert len(channel.texts_for(team["ada"])) == 1
    with at(utc(2027, 1, 25, 18, 0)):  # a later WIG fails too: a new day, a new summary
        assert (await Dispatcher(coach).tick()).failed >= 1
    assert len(channel.texts_for(team["ada"])) == 2


async def test_one_nudge_after_24_working_hours_then_missed(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 3, 31)):
        assert (await Dispatcher(coach).tick()).delivered == 1
    with at(utc(2027, 1, 12, 3, 30)):
        assert (await Dispatcher(coach).tick()).nudged == 0
    with at(utc(2027, 1, 12, 3, 32)):
        assert (await Dispatcher(coach).tick()).nudged == 1
        assert (await Dispatcher(coach).tick()).nudged == 0
    ravi_texts = outbox.texts_for(team["ravi"])
    assert any("gentle reminder" in t for t in ravi_texts)
    with at(utc(2027, 1, 13, 3, 33)):
        report = await Dispatcher(coach).tick()
    assert report.missed == 1
    wig = next(o for o in await occurrences(db, team["ravi"]) if o.key.endswith("2027-01-11"))
    assert (wig.status, wig.reason) == ("missed", "unanswered")
    purposes = Counter(d.purpose for d in await deliveries(db) if d.occurrence_id == wig.id)
    assert purposes == {"prompt": 1, "nudge": 1}


async def test_holiday_in_the_persons_country_moves_the_check_in(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Republic Day (26 January) is a holiday in India, not in Norway where the
    organisation is: Ravi's check-in moves to Wednesday, Sam's stays on Tuesday."""
    await joined(db, utc(2027, 1, 25))
    with at(utc(2027, 1, 26, 4, 30)):
        await Dispatcher(coach).tick()
    rows = {o.key: o for o in await occurrences(db)}
    ravi = rows[f"okr_checkin:{team['ravi']}:2027-01-26"]
    assert (ravi.status, ravi.reason, ravi.due_at) == ("pending", "holiday:Republic Day", utc(2027, 1, 27, 4, 0))
    assert not [t for t in outbox.texts_for(team["ravi"]) if "check-in" in t]
    # The first tick came after Monday's WIG session was due: caught up late, on Ravi's
    # holiday, it waits for Wednesday at its own time (bot.cadence.late)
    wig = rows[f"wig:{team['ravi']}:2027-01-25"]
    assert (wig.status, wig.due_at) == ("pending", utc(2027, 1, 27, 3, 30))
    assert wig.reason == "late:2027-01-25 09:00; holiday:Republic Day"
    with at(utc(2027, 1, 27, 4, 0)):
        assert (await Dispatcher(coach).tick()).delivered == 3  # Ravi's two, and Sam's of Tuesday
    assert "check-in" in outbox.texts_for(team["ravi"])[-1]


async def test_the_apscheduler_timer_wakes_the_dispatcher(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 4, 0)):
        scheduler = create_scheduler(coach, interval=3600)
        await scheduler.start()
        for _ in range(200):
            if scheduler.last_report is not None:
                break
            await asyncio.sleep(0.02)
        await scheduler.stop()
    assert scheduler.last_report is not None and scheduler.last_report.delivered == 1
    assert len(outbox.sent) == 1


async def test_planning_keeps_moving_a_pending_prompt_but_never_a_delivered_one(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach)
    with at(utc(2027, 1, 8, 12, 0)):
        await dispatcher.tick()
        async with db.session() as session:
            await store.add_absence(session, team["ravi"], utc(2027, 1, 11).date(), utc(2027, 1, 12).date())
        from bot.cadence.planner import replan

        await replan(db, [team["ravi"]])
    row = next(o for o in await occurrences(db, team["ravi"]) if o.key == f"wig:{team['ravi']}:2027-01-11")
    assert (row.status, row.reason, row.due_at) == ("pending", "absence:2027-01-12", utc(2027, 1, 13, 3, 30))
    assert timedelta(0) < row.due_at - utc(2027, 1, 11, 3, 30) < timedelta(days=7)


async def test_a_person_who_left_is_skipped_without_alerting_anyone(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 12, 0)):
        await Dispatcher(coach).plan(utc(2027, 1, 11, 12, 0))
    await set_person(db, team["sam"], active=False)
    with at(utc(2027, 1, 11, 17, 1)):
        await Dispatcher(coach).tick()
    sam = next(o for o in await occurrences(db, team["sam"]) if o.key.endswith("2027-01-11"))
    assert (sam.status, sam.reason) == ("skipped", "inactive")
    assert not outbox.texts_for(team["sam"]) and not outbox.texts_for(team["ada"])


async def test_one_long_lived_dispatcher_plans_incrementally_and_after_a_suspension(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    await joined(db, utc(2027, 1, 10))
    dispatcher = Dispatcher(coach)
    with at(utc(2027, 1, 11, 3, 0)):
        assert (await dispatcher.tick()).delivered == 0
    with at(utc(2027, 1, 11, 3, 31)):  # incremental tick: Ravi's WIG
        assert (await dispatcher.tick()).delivered == 1
    with at(utc(2027, 1, 11, 17, 1)):  # Sam's WIG, planned by the first tick's horizon
        assert (await dispatcher.tick()).delivered == 1
    # the process was suspended for eight and a half days, until Wed 08:30 in Kolkata,
    # Tue 19:00 in Los Angeles (neither rep in the night a late prompt waits out)
    with at(utc(2027, 1, 20, 3, 0)):
        report = await dispatcher.tick()
    keys = sorted(m.key or "" for _, ms in outbox.sent[-4:] for m in ms)
    ravi, sam = team["ravi"], team["sam"]
    assert report.delivered == 4, report
    assert keys == sorted([f"wig:{ravi}:2027-01-18", f"okr_checkin:{ravi}:2027-01-12",
                           f"wig:{sam}:2027-01-18", f"okr_checkin:{sam}:2027-01-12"])


async def test_a_timeout_is_retried_later_and_the_batch_still_counts(
        db: Database, team: dict[str, int]) -> None:
    """A timeout may or may not have reached the person: the prompt is neither failed
    nor re-sent at once, but kept claimed with a retry time; the rest of the batch is
    recorded normally."""
    channel = FailingChannel(refuse=set(), crash={team["sam"]})
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):
        report = await Dispatcher(coach).tick()
        assert (await Dispatcher(coach).tick()).delivered == 0
    assert (report.delivered, report.failed, report.retrying) == (2, 0, 2)
    waiting = [o for o in await occurrences(db, team["sam"]) if o.status == "claimed"]
    assert len(waiting) == 2 and all("TimeoutError" in (o.reason or "") for o in waiting)
    assert all(o.payload["attempts"] == 1 and o.payload["uncertain"] for o in waiting)
    assert all(o.lease_until is not None and o.lease_until > BOTH_AWAKE for o in waiting)
    assert len(channel.texts_for(team["ravi"])) == 2


async def test_a_prompt_goes_out_through_the_workspace_the_person_was_seen_in(
        db: Database, team: dict[str, int]) -> None:
    """A company with two Slack workspaces: the dispatcher must send with the token of
    the workspace the rep was seen in (as `Coach.recipient` does), not the first one."""
    from bot.core.messages import Sender
    from storage import people

    async with db.session() as session:
        await people.bind_workspace(session, team["org"], "slack", "T-EMEA")
        await people.bind_workspace(session, team["org"], "slack", "T-US")
    slack = type("Slack", (RecordingChannel,), {"platform": "slack"})()
    coach = build_coach(db, Settings(database_url=db.url), Channels(slack))
    assert await coach.identify(Sender("slack", "T-US", "U0SAM-US", email="sam@example.com")) is not None
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):
        await Dispatcher(coach).tick()
    tenants = {(r.person_id, r.user_id, r.tenant) for r, _ in slack.sent}
    assert (team["sam"], "U0SAM-US", "T-US") in tenants
    assert (team["ravi"], "U0RAVI", "T-EMEA") in tenants  # id from the team file: first workspace


async def test_the_nudge_names_the_day_of_the_prompt_in_the_persons_own_zone(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """Auckland's Monday 09:00 WIG prompt goes out on Sunday evening UTC: the nudge must
    say it came on Monday, the rep's day, not Sunday."""
    await set_person(db, team["ravi"], timezone="Pacific/Auckland")
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 10, 20, 1)):  # Mon 11 Jan 09:01 NZDT
        assert (await Dispatcher(coach).tick()).delivered == 1
    with at(utc(2027, 1, 11, 20, 2)):  # 24 working hours later
        assert (await Dispatcher(coach).tick()).nudged == 1
    nudge = next(t for t in outbox.texts_for(team["ravi"]) if "gentle reminder" in t)
    assert "Mon 11 Jan" in nudge, nudge


async def test_a_tick_stops_claiming_after_its_time_and_the_next_tick_goes_on(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At Slack's pace a big dispatch takes minutes: a tick claims batches only for
    `deliver_for`, so the next tick's planning, catch-up and nudges are not held up;
    what it left stays pending and the next tick sends it."""
    import time as real_time

    import bot.cadence.dispatcher as dispatcher_module

    seconds = iter(range(1000))  # each look at the clock: one second later
    monkeypatch.setattr(dispatcher_module, "time", SimpleNamespace(
        monotonic=lambda: float(next(seconds)), perf_counter=real_time.perf_counter))
    await joined(db, utc(2027, 1, 10))
    with at(BOTH_AWAKE):  # Ravi's and Sam's prompts are due
        first = await Dispatcher(coach, batch=1, deliver_for=timedelta(seconds=1.5)).tick()
        assert first.delivered == 1  # one batch, then its time was up
        second = await Dispatcher(coach).tick()
        assert second.delivered >= 1  # the rest, once each
    assert len(outbox.sent) == first.delivered + second.delivered
    assert {r.person_id for r, _ in outbox.sent} == {team["ravi"], team["sam"]}
    assert Counter(o.key for o in await occurrences(db) if o.status == "delivered").most_common(1)[0][1] == 1
