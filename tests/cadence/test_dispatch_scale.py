"""Dispatch at scale (issue 17): the grouped planner agrees with the per-person one,
no statement of the planner binds one parameter per person, and every hot query of
the dispatcher uses an index on PostgreSQL at 100,000 occurrence rows."""

from __future__ import annotations

import os
import random
import re
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import cadence
from bot.cadence.calendar import Calendar
from bot.cadence.planner import materialise, plan_population, plan_rows, rhythm, slot_row
from bot.cadence.population import Population, load_population
from storage import claims, dispatching, nudges, occurrences, planning
from storage.db import Database
from storage.schedule import PersonSchedule

POSTGRES = os.environ.get("COACHBOT_TEST_POSTGRES_URL")

ZONES = ["America/Los_Angeles", "America/New_York", "Europe/Oslo", "Europe/London", "Asia/Kolkata",
         "Asia/Jerusalem", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "UTC"]
WEEKS = [frozenset({1, 2, 3, 4, 5}), frozenset({7, 1, 2, 3, 4}), frozenset({1, 2, 3, 4}), frozenset(range(1, 8))]
COUNTRIES = [None, "US", "NO", "GB", "IN", "IL", "JP", "AU", "NZ", "US-CA"]
RULES = ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "FREQ=MONTHLY;BYMONTHDAY=1",
         "FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE"]


def random_population(seed: int, size: int = 300) -> Population:
    """People mixing zones east and west of UTC, working weeks, holiday countries,
    quiet hours, vacations, join dates and personal rules (some broken)."""
    pick = random.Random(seed)
    people: dict[int, PersonSchedule] = {}
    calendars: dict[int, Calendar] = {}
    rules: dict[int, list[cadence.Rule]] = {}
    start = datetime(2026, 12, 14, tzinfo=UTC)
    for pid in range(1, size + 1):
        week = pick.choice(WEEKS)
        quiet = pick.choice([(None, None), (time(22, 0), time(9, 45)), (time(12, 0), time(13, 0))])
        firsts = [start.date() + timedelta(days=pick.randint(-5, 40)) for _ in range(pick.choice([0, 0, 0, 1, 2]))]
        absences = tuple(sorted((d, d + timedelta(days=pick.randint(0, 9))) for d in firsts))
        calendars[pid] = Calendar(pid, pick.choice(ZONES), week, pick.choice(COUNTRIES), quiet[0], quiet[1],
                                  absences, pick.choice([None, start - timedelta(days=30),
                                                         start + timedelta(days=pick.randint(0, 20), hours=7)]))
        people[pid] = PersonSchedule(pid, 1 + pid % 3, f"p{pid}@x", f"P {pid}", "rep", None, calendars[pid].timezone,
                                     "", None, None, None, start, "UTC", None)
        mine = [cadence.resolve_rules(kind, [], week) for kind in cadence.PROMPT_KINDS]
        if pick.random() < 0.3:
            text_rule = pick.choice(RULES + ["FREQ=NEVER"])
            mine[0] = cadence.Rule(cadence.OKR_CHECKIN, text_rule, time(pick.choice([7, 9, 23]), 30),
                                   pick.choice([None, "Europe/Oslo", "America/Chicago"]), date(2024, 1, 2), "person")
        rules[pid] = [r for r in mine if r is not None]
    return Population(people, calendars, rules, everyone=True)


def reference_rows(population: Population, start: datetime, end: datetime) -> list[dict[str, object]]:
    rows = []
    for slot in plan_population(population, start, end):
        row = slot_row(slot, population.people[slot.person_id].org_id)
        rows.append(row)
    return sorted(rows, key=lambda r: str(r["key"]))


@pytest.mark.parametrize("seed", range(8))
def test_grouped_planning_gives_exactly_the_per_person_rows(seed: int) -> None:
    population = random_population(seed)
    start = datetime(2026, 12, 14, tzinfo=UTC) + timedelta(hours=seed * 13)
    for end in (start + timedelta(hours=36), start + timedelta(days=35)):  # a tick's horizon; the catch-up
        expected = reference_rows(population, start, end)
        grouped = sorted(plan_rows(population, start, end), key=lambda r: str(r["key"]))
        assert grouped == expected
    # the fixture really mixes what grouping must respect (over the long window)
    assert len(expected) > 1000
    assert {r["status"] for r in expected} == {occurrences.PENDING, occurrences.SKIPPED}
    reasons = {str(r["reason"] or "").partition(":")[0] for r in expected}
    assert {"absence", "holiday", "day_off", "quiet_hours"} <= reasons


@pytest.mark.parametrize("joined", [(10, 11), (-3, 12), (20, 25)])
def test_grouped_planning_of_a_team_that_joined_in_the_window(joined: tuple[int, int]) -> None:
    """Everyone has a join time (a team imported in waves): slots before the first
    join are planned for nobody, slots after the last for everyone at once, and those
    in between person by person, exactly as the per-person reference plans them."""
    from dataclasses import replace

    pick = random.Random(sum(joined))
    base = random_population(3)
    start = datetime(2026, 12, 14, tzinfo=UTC)
    minutes = (joined[0] * 1440, joined[1] * 1440)
    calendars = {pid: replace(cal, not_before=start + timedelta(minutes=pick.randint(*minutes)))
                 for pid, cal in base.calendars.items()}
    population = Population(base.people, calendars, base.rules, everyone=True)
    end = start + timedelta(days=35)
    expected = reference_rows(population, start, end)
    assert sorted(plan_rows(population, start, end), key=lambda r: str(r["key"])) == expected
    assert expected and min(r["due_at"] for r in expected) >= start + timedelta(days=min(joined[0], 0))  # type: ignore[type-var]


@pytest.mark.parametrize("span_start", [datetime(2026, 12, 31, 9, tzinfo=UTC),  # the year's end
                                        datetime(2027, 3, 13, 20, tzinfo=UTC),  # US clocks go forward
                                        datetime(2027, 3, 27, 20, tzinfo=UTC)])  # EU clocks go forward
def test_tick_sized_windows_plan_the_same_rows_as_one_window(span_start: datetime) -> None:
    """A running dispatcher plans its horizon a few minutes at a time, from placements
    it keeps per UTC day: over 40 hours of 7-minute windows (across midnight UTC and a
    clock change) every row comes exactly once, in its own window, as the reference
    plans them in one go."""
    population = random_population(7, size=150)
    end = span_start + timedelta(hours=40)
    rows: list[dict[str, object]] = []
    moment = span_start
    while moment < end:
        window = plan_rows(population, moment, min(end, moment + timedelta(minutes=7)))
        assert all(moment <= row["due_at"] < moment + timedelta(minutes=7) for row in window)  # type: ignore[operator]
        rows.extend(window)
        moment += timedelta(minutes=7)
    assert sorted(rows, key=lambda r: str(r["key"])) == reference_rows(population, span_start, end)
    assert len(rows) > 10


def test_grouped_planning_of_some_people_plans_only_them() -> None:
    population = random_population(99)
    start = datetime(2026, 12, 20, tzinfo=UTC)
    some = [5, 17, 230]
    rows = plan_rows(population, start, start + timedelta(days=20), some)
    assert rows and {r["person_id"] for r in rows} <= set(some)
    assert rhythm("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU") == "biweekly"


# --- PostgreSQL at size ------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(not POSTGRES, reason="COACHBOT_TEST_POSTGRES_URL not set")


@pytest.fixture
def pg_url(private_db_url: str) -> str:
    if not private_db_url.startswith("postgres"):
        pytest.skip("PostgreSQL only")
    return private_db_url


def _fill_people(db_url: str, count: int) -> None:
    from sqlalchemy import create_engine

    from storage.db import normalise_url
    engine = create_engine(normalise_url(db_url, asynchronous=False))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (id, name, timezone, created_at) "
                          "VALUES (1, 'Big', 'UTC', now())"))
        conn.execute(text(
            "INSERT INTO person (org_id, email, name, role, timezone, working_days, active, created_at, updated_at) "
            "SELECT 1, 'p' || n || '@big.example', 'P ' || n, 'rep', "
            "(ARRAY['Europe/Oslo','America/New_York','Asia/Kolkata','Asia/Jerusalem'])[1 + n % 4], "
            "CASE WHEN n % 4 = 3 THEN '7,1,2,3,4' ELSE '1,2,3,4,5' END, true, "
            "'2026-01-01'::timestamptz, now() FROM generate_series(1, :count) AS n"), {"count": count})
        conn.execute(text("INSERT INTO absence (person_id, starts_on, ends_on, created_at) "
                          "SELECT id, DATE '2027-02-01', DATE '2027-02-03', now() FROM person WHERE id % 50 = 0"))
    engine.dispose()


@needs_postgres
async def test_the_planner_handles_more_people_than_postgresql_has_parameters(pg_url: str) -> None:
    """70,000 people: loading them by id, planning them and pruning their pending
    rows each run as statements whose size does not grow with the population (an IN
    list would need 70,000 parameters; PostgreSQL stops at 65,535)."""
    people_count = 70_000
    _fill_people(pg_url, people_count)
    db = Database(pg_url)
    moment = datetime(2027, 2, 1, 6, 0, tzinfo=UTC)  # a Monday morning
    try:
        ids = list(range(1, people_count + 1))
        population = await load_population(db, moment, ids)
        assert len(population.people) == people_count and not population.everyone
        assert sum(1 for cal in population.calendars.values() if cal.absences) == people_count // 50
        planned = await materialise(db, population, moment, moment + timedelta(days=1), prune=True,
                                    now=moment, person_ids=ids)
        assert planned > 30_000  # the Monday WIG in Oslo and New York (Kolkata's is before 06:00 UTC)
        async with db.session() as session:
            pending = await planning.planned_pending(session, moment, moment + timedelta(days=1), ids)
            between = await occurrences.occurrences_between(session, moment, moment + timedelta(days=1),
                                                            ids[:66_000])
        assert 30_000 < len(pending) <= planned
        assert 30_000 < len(between) <= planned  # the moved ones left the window
    finally:
        await db.dispose()


async def _fill_occurrences(db_url: str) -> datetime:
    """100,000 occurrence rows: ten weeks of history for 10,000 people (answered,
    missed), this week's delivered prompts, a few claims and the pending rows of the
    next days. Returns "now"."""
    from sqlalchemy import create_engine

    from storage.db import normalise_url
    _fill_people(db_url, 10_000)
    engine = create_engine(normalise_url(db_url, asynchronous=False))
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO occurrence (key, org_id, person_id, kind, due_at, local_date, status, payload, "
            "delivered_at, claimed_at, lease_until) "
            "SELECT k || ':' || p.id || ':' || w, 1, p.id, k, "
            "  CAST(:now AS timestamptz) - (w * interval '1 week') + (p.id % 600) * interval '1 minute', "
            "  DATE '2027-03-01' - w * 7, "
            "  CASE WHEN w >= 2 THEN (CASE WHEN p.id % 5 = 0 THEN 'missed' ELSE 'answered' END) "
            "       WHEN w = 1 THEN (CASE WHEN p.id % 3 = 0 THEN 'delivered' ELSE 'answered' END) "
            "       WHEN w = 0 AND p.id % 500 = 0 THEN 'claimed' ELSE 'pending' END, '{}', "
            "  CASE WHEN w >= 1 THEN CAST(:now AS timestamptz) - (w * interval '1 week') END, "
            "  CASE WHEN w = 0 AND p.id % 500 = 0 THEN CAST(:now AS timestamptz) END, "
            "  CASE WHEN w = 0 AND p.id % 500 = 0 THEN CAST(:now AS timestamptz) END "
            "FROM person p, generate_series(-1, 3) AS w, (VALUES ('wig'), ('okr_checkin')) AS kinds(k)"),
            {"now": now})
        conn.execute(text("ANALYZE"))
        total = conn.execute(text("SELECT count(*) FROM occurrence")).scalar_one()
    engine.dispose()
    assert total == 100_000
    return now


def _sql_type(value: object) -> str:
    """PostgreSQL's type for a captured parameter, to PREPARE its statement."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, list | tuple | range):
        return "bigint[]"
    return "text"


def _numbered(statement: str) -> tuple[str, list[str]]:
    """psycopg's `%(name)s` placeholders as PREPARE's `$1`…, and the names in order."""
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return re.sub(r"%\((\w+)\)s", placeholder, statement), names


def _sql_literal(value: object) -> str:
    """A captured parameter spelt in SQL (EXECUTE's arguments cannot be bound)."""
    if isinstance(value, list | tuple | range):
        return "'{" + ",".join(str(int(v)) for v in value) + "}'"
    if isinstance(value, bool | int):
        return str(value).lower() if isinstance(value, bool) else str(value)
    text_ = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text_.replace("'", "''") + "'"


async def _hot_statements(session: AsyncSession, now: datetime, catch_up: bool) -> None:
    """Send the dispatcher's hot statements: the catch-up's, or all the others."""
    if catch_up:
        await occurrences.supersede_overdue(session, now)
        return
    await claims.claim_due(session, now, "me", 64, now)
    await claims.reclaim_stale(session, now + timedelta(minutes=5), "me", 64, now,
                               now - timedelta(minutes=10))
    await occurrences.supersede_delivered(session)
    await occurrences.supersede_delivered(session, range(1, 70_000))
    await dispatching.work_due(session, now, now - timedelta(minutes=10))
    await nudges.awaiting_nudge(session, now - timedelta(hours=24))
    await nudges.awaiting_expiry(session, now - timedelta(hours=24))
    await nudges.claim_nudges(session, list(range(1, 501)), now)
    await nudges.expire_many(session, list(range(501, 1001)))
    await planning.planned_pending(session, now, now + timedelta(hours=36))
    await occurrences.unreported_failures(session, now - timedelta(days=1))
    claimed = await claims.claim_due(session, now, "me", 4, now)
    await claims.write_sends(session, [o.id for o in claimed[:2]],
                             [(o.id, "prompt", "test", f"m{o.id}") for o in claimed[2:]], "me", now)


async def _plans(pg_url: str, catch_up: bool, now: datetime | None = None) -> list[tuple[str, str]]:
    """EXPLAIN of the statements the dispatcher really sends (captured from the
    engine), on 100,000 occurrence rows after ANALYZE (or, with `now`, on the rows
    already there)."""
    now = now or await _fill_occurrences(pg_url)
    db = Database(pg_url)
    captured: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "occurrence" in statement and not statement.lstrip().upper().startswith(("EXPLAIN", "BEGIN")):
            captured.append((statement, parameters))

    try:
        event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
        async with db.rolled_back() as session:
            await _hot_statements(session, now, catch_up)
        event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
        plans = []
        async with db.engine.connect() as conn:
            # Planned as psycopg's prepared statements are (it prepares one after its
            # fifth run): once, for any parameters. A status bound as a parameter could
            # not pick a partial index then; the dispatcher's statements spell it out.
            await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            for number, (statement, parameters) in enumerate(captured):
                prepared, names = _numbered(statement)
                types = [_sql_type(parameters[name]) for name in names]  # type: ignore[index]
                await conn.exec_driver_sql(f"PREPARE hot{number} ({', '.join(types)}) AS {prepared}")
                arguments = ", ".join(f"{_sql_literal(parameters[name])}::{kind}"  # type: ignore[index]
                                      for name, kind in zip(names, types, strict=True))
                rows = (await conn.exec_driver_sql(f"EXPLAIN EXECUTE hot{number}({arguments})")).all()
                plans.append((statement, "\n".join(r[0] for r in rows)))
        return plans
    finally:
        await db.dispose()


@needs_postgres
async def test_hot_queries_use_indexes_at_100k_occurrences(pg_url: str) -> None:
    """Claims, lapsed claims, superseding, a quiet tick's question, the nudge scan and
    the prune: none may read the whole occurrence table."""
    plans = await _plans(pg_url, catch_up=False)
    assert len(plans) >= 6
    scanned = [statement[:90] for statement, plan in plans if "Seq Scan on occurrence" in plan]
    assert not scanned, "\n\n".join(f"{s}\n{p}" for s, p in scanned)
    assert all("Index" in plan for _, plan in plans)


@needs_postgres
async def test_a_claim_reaches_its_rows_by_primary_key_in_a_small_table(pg_url: str) -> None:
    """At 10,000 pending rows PostgreSQL answered `id IN (SELECT id FROM chosen)` with a
    hash join over a sequential scan of every pending row, for every batch claimed;
    `id = ANY(ARRAY(…))` reaches the chosen rows through the primary key at any size.
    The group commit's UPDATEs reach theirs the same way."""
    from sqlalchemy import create_engine

    from storage.db import normalise_url
    _fill_people(pg_url, 5_000)
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    engine = create_engine(normalise_url(pg_url, asynchronous=False))
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO occurrence (key, org_id, person_id, kind, due_at, local_date, status, payload) "
            "SELECT 'wig:' || p.id, 1, p.id, 'wig', CAST(:now AS timestamptz) - p.id * interval '1 second', "
            "DATE '2027-03-01', 'pending', '{}' FROM person p"), {"now": now})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    plans = [(statement, plan) for statement, plan in await _plans(pg_url, catch_up=False, now=now)
             if statement.lstrip().startswith(("WITH chosen", "WITH sent"))]
    assert len(plans) >= 3  # claim, lapsed claims, group commit
    for statement, plan in plans:
        assert "Seq Scan on occurrence" not in plan and "occurrence_pkey" in plan, f"{statement}\n{plan}"


@needs_postgres
async def test_a_first_plan_leaves_statistics_so_the_group_commit_reaches_rows_by_primary_key(
        pg_url: str) -> None:
    """A first plan fills an empty occurrence table; without statistics PostgreSQL
    took it for empty and answered the group commit's UPDATE by scanning the claimed
    rows' partial index (dead entries and all: 36-40 s for a 100,000 dispatch instead of
    12-13 s). A plan that fills the table analyzes it itself."""
    from sqlalchemy import create_engine

    from storage.db import normalise_url
    _fill_people(pg_url, 8_000)
    db = Database(pg_url)
    moment = datetime(2027, 2, 1, 6, 0, tzinfo=UTC)
    try:
        population = await load_population(db, moment)
        planned = await materialise(db, population, moment, moment + timedelta(days=8), now=moment)
        assert planned > planning.ANALYZE_AFTER
    finally:
        await db.dispose()
    engine = create_engine(normalise_url(pg_url, asynchronous=False))
    with engine.begin() as conn:
        assert conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'occurrence'")).scalar() > 5_000
    engine.dispose()
    plans = [(statement, plan) for statement, plan in await _plans(pg_url, False, moment + timedelta(days=2))
             if statement.lstrip().startswith(("WITH chosen", "WITH sent"))]
    assert len(plans) >= 3  # claim, lapsed claims, group commit
    for statement, plan in plans:
        assert "occurrence_pkey" in plan, f"{statement}\n{plan}"


@needs_postgres
async def test_the_catch_up_uses_an_index_at_100k_occurrences(pg_url: str) -> None:
    """The catch-up finds the due pending rows through their due-time index and asks for
    each whether a later one exists through (person_id, kind, due_at): no sequential
    scan, whatever PostgreSQL estimates (it expects a quarter of the table)."""
    plans = await _plans(pg_url, catch_up=True)
    assert plans and not any("Seq Scan on occurrence" in plan for _, plan in plans)
    plan = "\n".join(plan for _, plan in plans)
    assert "ix_occurrence_person_kind_due" in plan and "ix_occurrence_pending_due" in plan



@pytest.mark.parametrize("catch_up", [False, True])
async def test_hot_queries_use_the_partial_indexes_on_sqlite(tmp_path: Path, sqlite_template: Path,
                                                            catch_up: bool) -> None:
    """On SQLite too no hot statement reads the whole occurrence table: each finds its
    rows through the partial index of its status or (person, kind, due time). (SQLite
    plans with the bound values, so a bound status would do as well here; it is
    PostgreSQL's prepared statements that need the literal.)"""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    shutil.copy(sqlite_template, tmp_path / "plans.db")
    db = Database(url)
    captured: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "occurrence" in statement and not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    try:
        event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
        async with db.rolled_back() as session:
            await _hot_statements(session, datetime(2027, 3, 1, 12, tzinfo=UTC), catch_up)
        event.remove(db.engine.sync_engine, "before_cursor_execute", keep)
        async with db.engine.connect() as conn:
            plans = [(statement, "\n".join(str(row[-1]) for row in (await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters)).all()))  # type: ignore[arg-type]
                for statement, parameters in captured]
    finally:
        await db.dispose()
    assert len(plans) >= (1 if catch_up else 8)
    scanned = [(statement, plan) for statement, plan in plans
               if re.search(r"SCAN (occurrence|later)\b(?! USING)", plan)]
    assert not scanned, "\n\n".join(f"{s}\n{p}" for s, p in scanned)


@needs_postgres
async def test_the_sending_mark_is_a_heap_only_update_on_postgresql(pg_url: str) -> None:
    """The mark before each send changes `reason` only, which no index names: with room
    left on each page (fillfactor 50, migration 0017) PostgreSQL writes it beside the
    old row version without an index entry (a HOT update). On full pages (the default)
    23 of 2,000 claimed rows' marks were HOT; with the room, about nine in ten are."""
    from sqlalchemy import create_engine

    from storage.db import normalise_url
    _fill_people(pg_url, 2_000)
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    engine = create_engine(normalise_url(pg_url, asynchronous=False))
    with engine.begin() as conn:
        options = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'occurrence'")).scalar_one()
        conn.execute(text(
            "INSERT INTO occurrence (key, org_id, person_id, kind, due_at, local_date, status, payload) "
            "SELECT 'wig:' || p.id, 1, p.id, 'wig', CAST(:now AS timestamptz) - p.id * interval '1 second', "
            "DATE '2027-03-01', 'pending', '{}' FROM person p"), {"now": now})
    engine.dispose()
    assert "fillfactor=50" in (options or [])
    db = Database(pg_url)
    try:
        async with db.session() as session:
            claimed = await claims.claim_due(session, now, "me", 2_000, now + timedelta(minutes=5))
        assert len(claimed) == 2_000
        async with db.session() as session:
            ids = [c.id for c in claimed]
            held: set[int] = set()
            for start in range(0, len(ids), 100):  # as the dispatcher marks them, a window at a time
                held |= await claims.mark_sending_many(session, ids[start:start + 100], "me")
            hot = (await (await session.connection()).execute(text(
                "SELECT pg_stat_get_xact_tuples_hot_updated('occurrence'::regclass)"))).scalar_one()
        assert held == set(ids)
        assert hot >= 0.75 * len(ids), f"only {hot} of {len(ids)} sending marks were heap-only updates"
    finally:
        await db.dispose()
