"""Planning writes: the grouped planner's occurrences saved in bulk, the re-planning
rule, the plan horizon, and the pending rows a changed rule orphaned.

Separate from `storage.occurrences` (the claims, deliveries and answers of the rows
written here) because these statements run over the whole population: each is shaped
so that its size does not grow with the number of people (issue 17).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, String, Text, and_, bindparam, cast, func, literal, or_, update
from sqlalchemy import text as sql
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import UTCDateTime, among, dialect_name, upsert
from storage.models import PlanHorizon
from storage.occurrences import OCCURRENCE, PENDING, SKIPPED, status_is

# A plan that offered at least this many rows refreshes the occurrence table's
# statistics at once if PostgreSQL believes the table holds fewer. Issue 17: after a
# first plan filled an empty table, PostgreSQL had no statistics until autovacuum's
# analyze (up to a minute later) and planned the group commits' UPDATEs as scans of
# the claimed rows' partial index, dead entries and all, instead of primary-key
# look-ups: a 100,000-prompt dispatch took 36-40 s instead of 12-16 s. ANALYZE
# samples 30,000 rows (~0.1 s at 100,000) and counts this transaction's own new rows.
ANALYZE_AFTER = 5_000


async def save_planned(session: AsyncSession, groups: Sequence[tuple[dict[str, Any], list[int], list[int]]],
                       now: datetime) -> int:
    """`save_slots` for the grouped planner's output, with the same re-planning rule:
    per planned slot, one row of what its people share (kind, nominal_day, due_at,
    local_date, status, reason, payload) with their person ids and organisation ids.
    The key is made by the database (`kind:person:day`, as
    `bot.cadence.rules.occurrence_key`). Returns the number of rows offered.

    On PostgreSQL the people go as integer arrays spelled as array literals
    (`'{1,2,3}'::bigint[]`, one string each) with a slot number, joined in one
    statement per 50,000 rows with the few slots: 100,000 people's Monday is a few
    hundred kilobytes, where nine arrays of 100,000 Python values took seconds to
    encode. SQLite gets one compiled INSERT, executemany."""
    total = sum(len(people) for _, people, _ in groups)
    if not total:
        return 0
    if dialect_name(session) == "postgresql":
        chunk: list[tuple[int, tuple[dict[str, Any], list[int], list[int]]]] = []
        size = 0
        for number, group in enumerate(groups):
            for first in range(0, len(group[1]), 50000):
                part = (group[0], group[1][first:first + 50000], group[2][first:first + 50000])
                if size + len(part[1]) > 50000 and chunk:
                    await session.exec(_planned_upsert(session, chunk, now))
                    chunk, size = [], 0
                chunk.append((number, part))
                size += len(part[1])
        await session.exec(_planned_upsert(session, chunk, now))
        if total >= ANALYZE_AFTER:
            await _analyze_if_unknown(session, total)
        return total
    statement = upsert(session, OCCURRENCE).values(
        key=_key_sql(bindparam("kind"), bindparam("person_id"), bindparam("day")),
        **{name: bindparam(name) for name in ("org_id", "person_id", "kind", "due_at", "local_date",
                                              "status", "reason", "payload")})
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_=_replanned(statement), where=_replannable(statement, now))
    params = [{**{k: v for k, v in row.items() if k != "nominal_day"}, "day": row["nominal_day"].isoformat(),
               "payload": row.get("payload") or {}, "person_id": pid, "org_id": org}
              for row, people, orgs in groups for pid, org in zip(people, orgs, strict=True)]
    for start in range(0, len(params), 5000):
        await session.exec(statement, params=params[start:start + 5000])
    return total


async def _analyze_if_unknown(session: AsyncSession, offered: int) -> None:
    """ANALYZE the occurrence table when PostgreSQL believes it holds fewer rows than
    this plan alone offered (never analyzed: -1), i.e. the plan filled it."""
    believed = (await session.exec(sql(  # type: ignore[call-overload]
        "SELECT reltuples FROM pg_class WHERE oid = 'occurrence'::regclass"))).scalar()
    if believed is None or believed < offered:
        await session.exec(sql("ANALYZE occurrence"))  # type: ignore[call-overload]


def _key_sql(kind: Any, person_id: Any, day: Any) -> Any:
    """"wig:42:2027-01-11" made by the database (`bot.cadence.rules.occurrence_key`)."""
    return cast(kind, Text) + literal(":") + cast(person_id, Text) + literal(":") + cast(day, Text)


def _int_array(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _planned_upsert(session: AsyncSession, chunk: Sequence[tuple[int, tuple[dict[str, Any], list[int], list[int]]]],
                    now: datetime) -> Any:
    from sqlalchemy.dialects import postgresql  # only on PostgreSQL (start-up cost)

    bigints = postgresql.ARRAY(BigInteger)
    slot_of = [n for n, (_, people, _) in chunk for _ in people]
    people = func.unnest(
        cast(bindparam(None, _int_array([p for _, (_, ids, _) in chunk for p in ids]), type_=Text), bigints),
        cast(bindparam(None, _int_array([o for _, (_, _, orgs) in chunk for o in orgs]), type_=Text), bigints),
        cast(bindparam(None, _int_array(slot_of), type_=Text), bigints),
    ).table_valued("person_id", "org_id", "slot").render_derived()
    firsts = {n: row for n, (row, _, _) in chunk}
    columns = (("slot", BigInteger), ("kind", String), ("day", String), ("due_at", DateTime(timezone=True)),
               ("local_date", Date), ("status", String), ("reason", String), ("payload", Text))

    def value(row: dict[str, Any], name: str) -> Any:
        if name == "day":
            return row["nominal_day"].isoformat()
        return json.dumps(row.get("payload") or {}) if name == "payload" else row[name]

    slots = func.unnest(*(bindparam(None, [n if name == "slot" else value(row, name) for n, row in firsts.items()],
                                    type_=postgresql.ARRAY(kind)) for name, kind in columns)
                        ).table_valued(*(name for name, _ in columns)).render_derived()
    names = ["key", "org_id", "person_id", "kind", "due_at", "local_date", "status", "reason", "payload"]
    chosen = select(_key_sql(slots.c.kind, people.c.person_id, slots.c.day), people.c.org_id, people.c.person_id,
                    slots.c.kind, slots.c.due_at, slots.c.local_date, slots.c.status, slots.c.reason,
                    cast(slots.c.payload, JSON)).select_from(people.join(slots, slots.c.slot == people.c.slot))
    statement = upsert(session, OCCURRENCE).from_select(names, chosen)
    return statement.on_conflict_do_update(index_elements=["key"], set_=_replanned(statement),
                                           where=_replannable(statement, now))


def _replanned(statement: Any) -> dict[str, Any]:
    """What re-planning changes in a row it may still change: when it goes out, in UTC
    and as the person's local day (a moved prompt's day: the check-in's day, the
    saved-absence message), its status and why."""
    return {"due_at": statement.excluded.due_at, "local_date": statement.excluded.local_date,
            "status": statement.excluded.status, "reason": statement.excluded.reason}


LATE = "late:"  # the reason of a prompt held back after downtime (`bot.cadence.late`)


def _replannable(statement: Any, now: datetime) -> Any:
    """Which stored rows a re-plan may rewrite: pending and not snoozed (a prompt held
    back after downtime, reason "late:…", only to skip it or to move it later: its
    planned time has passed, and putting that back would send it at once), or skipped
    by the planner, never touched, and now planned for the future."""
    untouched = and_(OCCURRENCE.c.claimed_at.is_(None), OCCURRENCE.c.delivered_at.is_(None))
    not_held = or_(func.coalesce(OCCURRENCE.c.reason, "").not_like(LATE + "%"),
                   statement.excluded.status == SKIPPED, statement.excluded.due_at > OCCURRENCE.c.due_at)
    return or_(
        and_(OCCURRENCE.c.status == PENDING, OCCURRENCE.c.snoozed_until.is_(None), not_held),
        and_(OCCURRENCE.c.status == SKIPPED, untouched, statement.excluded.due_at > literal(now, UTCDateTime)),
    )


async def plan_horizon(session: AsyncSession) -> tuple[datetime, datetime] | None:
    """(planned until, planned at) of the last whole-population plan, or None."""
    row = (await session.exec(select(PlanHorizon.planned_until, PlanHorizon.planned_at))).first()
    return (row[0], row[1]) if row else None


async def keep_horizon(session: AsyncSession, planned_until: datetime, planned_at: datetime) -> None:
    """Remember how far everyone is planned (only ever forward: instances share it)."""
    table = PlanHorizon.__table__  # type: ignore[attr-defined]
    statement = upsert(session, table).values(id=1, planned_until=planned_until, planned_at=planned_at)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={"planned_until": statement.excluded.planned_until,
                                     "planned_at": statement.excluded.planned_at},
        where=table.c.planned_until < statement.excluded.planned_until)
    await session.exec(statement)


async def planned_pending(session: AsyncSession, start: datetime, end: datetime,
                          person_ids: Iterable[int] | None = None,
                          skipped_after: datetime | None = None) -> list[tuple[int, str, int]]:
    """(id, key, person id) of rule-planned occurrences (not ad hoc) still pending,
    not snoozed, and due in [start, end): the ones a changed rule may have orphaned.
    With `skipped_after`, also the ones the planner itself skipped (a holiday, an
    absence: never claimed nor delivered) due after that moment and in the window, so
    a rule switched off later gives them its reason too. Row tuples without the
    payload (at 100,000 people, decoding every payload was most of the prune); one
    query per status, so each can use its partial index."""
    found: list[tuple[int, str, int]] = []
    wheres = [[status_is(PENDING), OCCURRENCE.c.snoozed_until.is_(None)]]
    if skipped_after is not None:
        wheres.append([status_is(SKIPPED), OCCURRENCE.c.claimed_at.is_(None), OCCURRENCE.c.delivered_at.is_(None),
                       OCCURRENCE.c.due_at > literal(skipped_after, UTCDateTime)])
    for where in wheres:
        query = select(OCCURRENCE.c.id, OCCURRENCE.c.key, OCCURRENCE.c.person_id).where(
            *where, OCCURRENCE.c.due_at >= start, OCCURRENCE.c.due_at < end,
            OCCURRENCE.c.payload["adhoc"].as_string().is_(None))
        if person_ids is not None:
            query = query.where(among(session, OCCURRENCE.c.person_id, person_ids))
        found.extend(tuple(row) for row in (await session.exec(query)).all())  # type: ignore[misc]
    return found


async def last_planned(session: AsyncSession, person_ids: Iterable[int]) -> datetime | None:
    """The due time (UTC) of the furthest rule-planned occurrence of these people that
    a re-plan could still change (pending, or skipped by the planner and untouched), or
    None. Planning beyond the usual horizon happens (`/okr out` plans past an absence,
    an early check-in a month ahead); a changed rule must reach those rows too."""
    furthest = None
    for where in ([status_is(PENDING)], [status_is(SKIPPED), OCCURRENCE.c.claimed_at.is_(None),
                                         OCCURRENCE.c.delivered_at.is_(None)]):
        query = select(func.max(OCCURRENCE.c.due_at)).where(
            *where, among(session, OCCURRENCE.c.person_id, person_ids))
        found = (await session.exec(query)).one()
        if found is not None and (furthest is None or found > furthest):
            furthest = found
    return furthest


async def skip_pending(session: AsyncSession, ids: Sequence[int], reason: str,
                       skipped_after: datetime | None = None) -> int:
    """Skip occurrences that are still pending, with `reason` (one statement per
    1,000). With `skipped_after`, a row the planner already skipped and nobody
    touched, due after that moment, takes `reason` as well (rows that already carry
    it are left alone), so one cause gives one reason whatever the earlier status."""
    done = 0
    wanted = OCCURRENCE.c.status == PENDING
    if skipped_after is not None:
        wanted = or_(wanted, and_(OCCURRENCE.c.status == SKIPPED, OCCURRENCE.c.claimed_at.is_(None),
                                  OCCURRENCE.c.delivered_at.is_(None),
                                  OCCURRENCE.c.due_at > literal(skipped_after, UTCDateTime),
                                  or_(OCCURRENCE.c.reason.is_(None), OCCURRENCE.c.reason != reason)))
    for start in range(0, len(ids), 1000):
        result = await session.exec(
            update(OCCURRENCE).where(OCCURRENCE.c.id.in_(list(ids[start:start + 1000])), wanted)
            .values(status=SKIPPED, reason=reason))
        done += result.rowcount or 0  # type: ignore[attr-defined]
    return done
