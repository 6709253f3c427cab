"""A long-lived dispatcher between dispatches. Every `refresh` it reads a cheap stamp of what
places prompts (people, absences, rules, organisations) and reloads the population
only when that changed. Changes made elsewhere (another instance, the CLI, a direct
edit in place) are still planned at the next refresh. A quiet tick plans only every
`plan_every` and asks the database one question before it claims anything."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cadence_helpers import at, joined, occurrences, set_person, utc
from sqlmodel import select

import bot.cadence.dispatcher as dispatcher_module
from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.core.coach import Coach
from storage import schedule as store
from storage.db import Database
from storage.models import Absence, CadenceRule

# Ravi: Asia/Kolkata, WIG Monday 09:00 = 03:30 UTC. The refresh is every 30 minutes.


class Counting:
    """Counts whole-population reloads made by the dispatcher."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        self.reloads = 0
        real = dispatcher_module.load_population

        async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.reloads += 1
            return await real(*args, **kwargs)

        monkeypatch.setattr(dispatcher_module, "load_population", counted)


async def ravi_wig(db: Database, person_id: int, day: str) -> tuple[str, str | None]:
    rows = [o for o in await occurrences(db, person_id) if o.key == f"wig:{person_id}:{day}"]
    assert len(rows) == 1
    return rows[0].status, rows[0].reason


async def test_a_refresh_with_nothing_changed_does_not_reload_everyone(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    count = Counting(monkeypatch)
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    for minutes in (0, 31, 62, 93):  # four refreshes due, nothing changed
        with at(utc(2027, 1, 8, 12, 0) + timedelta(minutes=minutes)):
            await dispatcher.tick()
    assert count.reloads == 1  # the first plan only


async def test_an_absence_added_elsewhere_is_planned_at_the_next_refresh(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    count = Counting(monkeypatch)
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    with at(utc(2027, 1, 10, 12, 0)):  # Sunday: Monday's WIG is planned
        await dispatcher.tick()
    assert await ravi_wig(db, ravi, "2027-01-11") == ("pending", None)
    async with db.session() as session:  # another instance records a vacation (no replan here)
        await store.add_absence(session, ravi, date(2027, 1, 11), date(2027, 1, 15))
    with at(utc(2027, 1, 10, 12, 10)):  # before the refresh: not seen yet
        await dispatcher.tick()
    assert await ravi_wig(db, ravi, "2027-01-11") == ("pending", None)
    with at(utc(2027, 1, 10, 12, 31)):
        await dispatcher.tick()
    assert await ravi_wig(db, ravi, "2027-01-11") == ("skipped", "absence:2027-01-15")
    assert count.reloads == 2


async def test_edits_in_place_are_seen_a_rule_an_absence_cut_short_and_a_person(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Edits that add no row: the stamp reads rules and absences whole, and every
    UPDATE of a person bumps its `updated_at`."""
    count = Counting(monkeypatch)
    ravi, org = team["ravi"], team["org"]
    await joined(db, utc(2027, 1, 1))
    async with db.session() as session:
        await store.add_absence(session, ravi, date(2027, 1, 18), date(2027, 1, 22))
        await store.upsert_rule(session, org, "wig", "FREQ=WEEKLY;BYDAY=MO", "09:00", None, True, None)
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    moment = utc(2027, 1, 17, 0, 0)  # Sunday: Monday's WIG is within the horizon
    with at(moment):
        await dispatcher.tick()
    reloads = count.reloads
    assert await ravi_wig(db, ravi, "2027-01-18") == ("skipped", "absence:2027-01-22")

    async def refreshed() -> int:
        nonlocal moment
        moment += timedelta(minutes=31)
        with at(moment):
            await dispatcher.tick()
        return count.reloads

    async with db.session() as session:  # the rule's time edited in place
        rule = (await session.exec(select(CadenceRule).where(CadenceRule.kind == "wig"))).one()
        rule.local_time = "10:00"
        session.add(rule)
    assert await refreshed() == reloads + 1
    async with db.session() as session:  # the vacation cut short, in place
        absence = (await session.exec(select(Absence).where(Absence.person_id == ravi))).one()
        absence.ends_on = date(2027, 1, 17)
        session.add(absence)
    assert await refreshed() == reloads + 2
    assert await ravi_wig(db, ravi, "2027-01-18") == ("pending", None)  # back on the Monday
    await set_person(db, ravi, timezone="Europe/Oslo")  # a Core UPDATE that does not name updated_at
    assert await refreshed() == reloads + 3
    wig = [o for o in await occurrences(db, ravi) if o.key == f"wig:{ravi}:2027-01-18"][0]
    assert wig.due_at == utc(2027, 1, 18, 9, 0)  # 10:00 in Oslo
    assert await refreshed() == reloads + 3  # and quiet again


async def test_a_newer_delivered_prompt_closes_the_older_one_only_for_the_people_reached(
        db: Database, team: dict[str, int]) -> None:
    """`supersede_delivered` for the people a dispatch reached leaves everyone else's
    rows alone; without people it sweeps everyone (a process's first pass)."""
    from storage import occurrences as occ
    from storage.models import Occurrence

    ravi, sam, org = team["ravi"], team["sam"], team["org"]
    async with db.session() as session:
        for person in (ravi, sam):
            for day in (4, 11):
                session.add(Occurrence(key=f"wig:{person}:2027-01-{day:02d}", org_id=org, person_id=person,
                                       kind="wig", due_at=utc(2027, 1, day, 9), local_date=date(2027, 1, day),
                                       status="delivered", delivered_at=utc(2027, 1, day, 9)))
    async with db.session() as session:
        assert await occ.supersede_delivered(session, []) == 0
        assert await occ.supersede_delivered(session, [ravi]) == 1
    statuses = {(o.person_id, o.key[-2:]): (o.status, o.reason) for o in await occurrences(db)}
    assert statuses[(ravi, "04")] == ("missed", "unanswered") and statuses[(ravi, "11")] == ("delivered", None)
    assert statuses[(sam, "04")] == ("delivered", None)
    async with db.session() as session:
        assert await occ.supersede_delivered(session) == 1
    assert {o.status for o in await occurrences(db, sam)} == {"missed", "delivered"}


async def test_a_quiet_tick_asks_the_database_one_question(
        db: Database, team: dict[str, int], coach: Coach, outbox) -> None:  # type: ignore[no-untyped-def]
    """Between dispatches a tick neither re-plans (every `plan_every`) nor runs the
    catch-up and the claims: one `work_due` query. A prompt that falls due is still
    sent by the next tick."""
    from sqlalchemy import event

    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    with at(utc(2027, 1, 11, 3, 0)):  # Monday; Ravi's WIG is at 03:30 UTC
        await dispatcher.tick()
    statements: list[str] = []

    def seen(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        with at(utc(2027, 1, 11, 3, 1)):
            report = await dispatcher.tick()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert report.planned == 0 and report.delivered == 0
    assert len(statements) == 1 and "EXISTS" in statements[0].upper(), statements
    with at(utc(2027, 1, 11, 3, 31)):
        assert (await dispatcher.tick()).delivered == 1
    assert outbox.texts_for(ravi)


async def test_an_edit_stamped_by_a_clock_behind_is_still_seen(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """Two hosts, one five minutes behind: its edit of Ravi carries an older time than
    the edit already seen. The stamp counts revisions, not times, so the next refresh
    still moves Ravi's WIG to Oslo time."""
    ravi, sam = team["ravi"], team["sam"]
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    start = utc(2027, 1, 17, 0, 0)
    with at(start):
        await dispatcher.tick()
    with at(start + timedelta(minutes=20)):  # host A edits Sam
        await set_person(db, sam, quiet_start="22:00", quiet_end="07:00")
    with at(start + timedelta(minutes=31)):
        await dispatcher.tick()  # a refresh sees it
    with at(start + timedelta(minutes=15)):  # host B, behind, moves Ravi to Oslo
        await set_person(db, ravi, timezone="Europe/Oslo")
    with at(start + timedelta(minutes=62)):
        await dispatcher.tick()
    wig = [o for o in await occurrences(db, ravi) if o.key == f"wig:{ravi}:2027-01-18"][0]
    assert wig.due_at == utc(2027, 1, 18, 8, 0)  # 09:00 in Oslo, not 03:30 (Kolkata)


async def test_a_clock_gone_back_still_refreshes_and_scans(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 1))
    dispatcher = Dispatcher(coach, plan_off_loop=False)
    with at(utc(2027, 1, 17, 2, 0)):
        await dispatcher.tick()
    async with db.session() as session:  # the clock steps back two hours; a vacation is added
        await store.add_absence(session, ravi, date(2027, 1, 18), date(2027, 1, 22))
    with at(utc(2027, 1, 17, 0, 0)):
        await dispatcher.tick()
    assert await ravi_wig(db, ravi, "2027-01-18") == ("skipped", "absence:2027-01-22")
    assert dispatcher._nudge_scanned == utc(2027, 1, 17, 0, 0)


async def test_older_prompts_are_closed_even_when_a_later_batch_fails(
        db: Database, team: dict[str, int], coach: Coach, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ravi's new WIG goes out in the first batch; the second batch (Sam's) fails on
    the database. The next tick, with nothing new to claim for Ravi, still closes his
    older unanswered WIG: one open prompt per cadence."""
    from storage.models import Occurrence

    ravi, sam, org = team["ravi"], team["sam"], team["org"]
    async with db.session() as session:
        for person in (ravi, sam):
            session.add(Occurrence(key=f"wig:{person}:2027-01-04", org_id=org, person_id=person, kind="wig",
                                   due_at=utc(2027, 1, 4, 9), local_date=date(2027, 1, 4), status="delivered",
                                   delivered_at=utc(2027, 1, 4, 9)))
            session.add(Occurrence(key=f"wig:{person}:2027-01-11", org_id=org, person_id=person, kind="wig",
                                   due_at=utc(2027, 1, 11, 9), local_date=date(2027, 1, 11), status="pending"))
    dispatcher = Dispatcher(coach, plan_off_loop=False, batch=1, max_batch=1)
    dispatcher._swept = True  # past its first pass
    real, calls = coach.recipients, []

    async def flaky(ids):  # type: ignore[no-untyped-def]
        calls.append(ids)
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return await real(ids)

    monkeypatch.setattr(coach, "recipients", flaky)
    moment = utc(2027, 1, 11, 9, 1)
    with at(moment), pytest.raises(ConnectionError):
        await dispatcher.deliver_due(moment, TickReport())
    with at(moment + timedelta(minutes=1)):
        await dispatcher.deliver_due(moment, TickReport())
    open_wigs = sorted((o.person_id, o.key[-10:]) for o in await occurrences(db) if o.status == "delivered")
    assert open_wigs == sorted([(ravi, "2027-01-11"), (sam, "2027-01-11")])
