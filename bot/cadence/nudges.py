"""The nudge phase of a tick: one reminder per unanswered prompt, then `missed`.

A prompt delivered and not answered within `nudge_hours` working hours of its person's
calendar (their working week, holidays, absences; `cadence.add_working_hours`) gets one
nudge, drawn by the feature that registered its kind, when the person may be reached
(a nudge owed after downtime waits for the end of the quiet hours, the weekend, or the
default night 21:00–07:00 kept for someone whose quiet hours are no night);
once as many working hours have passed after the nudge, it counts as missed.

Batch-shaped, because a working day after a 100,000-person Monday everyone is owed a
nudge at once (one transaction per claim, send and record was ~300,000 commits): the
scan reads row tuples; who is owed is decided in Python, with one `add_working_hours`
per (calendar shape, minute) rather than per prompt (`_Deadlines`); a batch of nudges is
claimed in one `UPDATE … RETURNING` (`storage.nudges.claim_nudges`: exactly once
across instances), expired prompts are marked missed in one statement per batch, the
batch is sent concurrently (bounded, like the dispatcher's deliveries) and each nudge's
Delivery row is written within a second of its send returning, in a group commit. A nudge
claimed but never recorded (a crash, a refused send) is not sent again, as before: a
person is reminded at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from bot import cadence
from bot.cadence.calendar import Calendar, with_night
from bot.cadence.planner import population_stamp
from bot.cadence.population import load_population
from bot.cadence.ticks import TickReport
from bot.core.channel import Recipient
from bot.core.coach import Coach
from storage import nudges as store
from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
MINUTE = timedelta(minutes=1)


async def nudge_unanswered(coach: Coach, moment: datetime, nudge_hours: float, report: TickReport,
                           *, batch: int = 500, concurrency: int = 32) -> None:
    """Nudge what is owed a nudge at `moment` (aware UTC) and expire what was nudged
    `nudge_hours` working hours ago; counts go to `report.nudged` / `report.missed`.
    `batch`: nudges claimed (and prompts expired) per statement; `concurrency`: sends
    in flight at once."""
    db = coach.db
    earliest = moment - timedelta(hours=nudge_hours)  # working hours are never fewer than wall hours
    stamp = await population_stamp(db)
    memo = _MEMOS.get(db)
    after = memo.bound if memo is not None and memo.still(stamp, nudge_hours, moment) else None
    async with db.session() as session:
        waiting = await store.awaiting_nudge(session, earliest, after)
        expiring = await store.awaiting_expiry(session, earliest, after)
    passed = _Deadlines(nudge_hours, moment)
    if waiting or expiring:
        calendars = await _calendars(coach, {w.person_id for w in waiting + expiring}, moment)
        await _nudge_and_expire(coach, moment, report, waiting, expiring, calendars, passed, batch, concurrency)
    quiet = passed.next if after is None or memo is None else min(memo.quiet_until, passed.next)
    _MEMOS[db] = _Memo(stamp, nudge_hours, moment, earliest, quiet)


async def _nudge_and_expire(coach: Coach, moment: datetime, report: TickReport, waiting: list[store.Waiting],
                            expiring: list[store.Waiting], calendars: Mapping[int, Calendar],
                            passed: _Deadlines, batch: int, concurrency: int) -> None:
    db = coach.db
    # no calendar: the person left or is inactive; their prompt is not nudged but expires
    missed = [w.id for w in expiring
              if (calendar := calendars.get(w.person_id)) is None or passed(calendar, w.since)]
    for ids in _chunks(missed, batch):
        async with db.session() as session:
            report.missed += await store.expire_many(session, ids)
    owed = [w.id for w in waiting if (calendar := calendars.get(w.person_id)) is not None
            and passed(calendar, w.since) and passed.reachable(calendar)]
    recorder = _Recorder(db, moment, rows=batch)
    for ids in _chunks(owed, batch):
        async with db.session() as session:
            claimed = await store.claim_nudges(session, ids, moment)
        if claimed:
            await _send(coach, claimed, calendars, recorder, concurrency)
    report.nudged += await recorder.close()


async def _send(coach: Coach, claimed: Sequence[store.Nudged], calendars: Mapping[int, Calendar],
                recorder: _Recorder, concurrency: int) -> None:
    """Send a claimed batch, at most `concurrency` at once; each accepted nudge is
    queued for the recorder as its send returns."""
    recipients = await coach.recipients({n.person_id for n in claimed})
    gate = asyncio.Semaphore(concurrency)

    async def one(nudged: store.Nudged) -> None:
        recipient = recipients.get(nudged.person_id)
        if not isinstance(recipient, Recipient):
            log.warning("nudge for occurrence %s not delivered: %s", nudged.key, recipient)
            return
        async with gate:
            try:
                draw = coach.features.prompt_kinds[nudged.kind].nudge
                message_id = await coach.send(recipient, draw(nudged, recipient.name,
                                                              calendars[nudged.person_id].timezone))
            except Exception as error:  # DeliveryError, or a platform timeout
                log.warning("nudge for occurrence %s not delivered: %s", nudged.key, error)
                return
        recorder.add(nudged.id, _purpose(nudged), recipient.platform, message_id)

    await asyncio.gather(*(one(n) for n in claimed))


@dataclass(frozen=True)
class _Memo:
    """What a scan learnt, so the next scans need not re-read what cannot be owed yet.

    Over a weekend 100,000 prompts delivered on Friday wait for Monday; re-reading them
    and their people's calendars every five minutes cost ~8 s of CPU a scan. A scan
    that saw every row up to `bound` (delivered, or nudged, before it) and found none
    of them owed before `quiet_until` lets the next scans read only the rows past
    `bound`, as long as nobody's calendar changed (`stamp`: `population_stamp`, which
    any edit of a person, an absence, a rule or an organisation changes), the clock
    has not gone back, and `quiet_until` has not come. Rows are never delivered or
    nudged with a time already `nudge_hours` in the past, so none appears behind
    `bound` later."""

    stamp: int
    hours: float
    at: datetime
    bound: datetime
    quiet_until: datetime

    def still(self, stamp: int, hours: float, moment: datetime) -> bool:
        return (stamp, hours) == (self.stamp, self.hours) and self.at <= moment < self.quiet_until


_MEMOS: weakref.WeakKeyDictionary[Database, _Memo] = weakref.WeakKeyDictionary()
NEVER = datetime.max.replace(tzinfo=UTC)


class _Deadlines:
    """Whether `hours` working hours have passed since an instant, at `moment`.

    `add_working_hours` costs ~0.1 ms; 100,000 prompts delivered within minutes of one
    another by people sharing a few dozen calendars need only a few hundred distinct
    answers. Each (calendar shape, minute of the instant) gets the deadlines of the
    minute's first and last instant; the deadline is monotone in the start, so a
    `moment` past the later one is past every instant of that minute, one before the
    earlier one is before all of them, and only a `moment` inside that window computes
    the exact deadline. The shape is the calendar without the person (zone, week,
    country, quiet hours, absences). Kept across scans (a prompt waits over a weekend
    for up to ~600 scans), bounded in size."""

    _known: ClassVar[dict[tuple[Any, ...], tuple[datetime, datetime]]] = {}
    LIMIT = 200_000

    def __init__(self, hours: float, moment: datetime) -> None:
        self.hours, self.moment = hours, moment
        self.next = NEVER  # no instant seen that is not past: a lower bound of when one will be
        self._free: dict[tuple[Any, ...], datetime] = {}  # calendar shape -> available from
        if len(self._known) > self.LIMIT:
            self._known.clear()

    def reachable(self, calendar: Calendar) -> bool:
        """Whether the person may be nudged at `moment`. A nudge falls due in their
        available time (`add_working_hours` ends there), but one owed after downtime
        may find them at night, in quiet hours or on a day off: it waits (and the scan
        memo knows when to look again). Someone whose quiet hours are no night (none
        set, or only at lunch) keeps the default night, as for a late prompt
        (`calendar.with_night`): a nudge's moment is no one's choice, so no nudge
        comes at 03:00. Once per calendar shape and scan."""
        key = _shape(calendar)
        when = self._free.get(key)
        if when is None:
            when = self._free[key] = cadence.available_at(with_night(calendar), self.moment)
        if when > self.moment:
            self.next = min(self.next, when)
            return False
        return True

    def __call__(self, calendar: Calendar, since: datetime) -> bool:
        minute = since.replace(second=0, microsecond=0)
        key = (self.hours, *_shape(calendar), minute)
        bounds = self._known.get(key)
        if bounds is None:
            bounds = self._known[key] = (cadence.add_working_hours(calendar, minute, self.hours),
                                         cadence.add_working_hours(calendar, minute + MINUTE, self.hours))
        if self.moment >= bounds[1]:
            return True
        if self.moment < bounds[0] or cadence.add_working_hours(calendar, since, self.hours) > self.moment:
            self.next = min(self.next, bounds[0])
            return False
        return True


def _shape(calendar: Calendar) -> tuple[Any, ...]:
    """The calendar without the person: what availability and working hours depend on."""
    return (calendar.timezone, calendar.working_days, calendar.country, calendar.quiet_start,
            calendar.quiet_end, calendar.absences)


class _Recorder:
    """The nudges' Delivery rows, group-committed: a row is queued as its send returns
    and written when `rows` are queued or `every` seconds after the first of them,
    whichever comes first. At Slack's pace (a few sends a second per workspace) a
    commit per send would cost more of our CPU than the sends; this way a crash loses
    at most a second's records, and never causes a second nudge (the claim is stored
    before the send)."""

    def __init__(self, db: Database, now: datetime, rows: int = 500, every: float = 1.0) -> None:
        self.db, self.now, self.rows, self.every = db, now, rows, every
        self._queued: list[tuple[int, str, str, str | None]] = []
        self._full = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task[None] | None = None
        self.recorded = 0

    def add(self, occurrence_id: int, purpose: str, platform: str, message_id: str | None) -> None:
        self._queued.append((occurrence_id, purpose, platform, message_id))
        if len(self._queued) >= self.rows:
            self._full.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._queued:
            if len(self._queued) < self.rows and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.every)
            self._full.clear()
            rows, self._queued = self._queued, []
            try:
                async with self.db.session() as session:
                    await store.record_nudges(session, rows, self.now)
            except Exception:  # the nudges went out; only their record is lost
                log.exception("could not record %d nudges", len(rows))
                continue
            self.recorded += len(rows)

    async def close(self) -> int:
        """Write what is queued now and wait for it; returns how many nudges were recorded."""
        self._closing = True
        self._full.set()
        while self._writer is not None and not self._writer.done():
            await self._writer
        return self.recorded


def _purpose(nudged: store.Nudged) -> str:
    """"nudge", or "nudge2"… for a prompt delivered again after a snooze (its nudge is
    owed again; its Delivery rows are "prompt2"… likewise)."""
    snoozes = int((nudged.payload or {}).get("snoozes", 0))
    return "nudge" if snoozes == 0 else f"nudge{snoozes + 1}"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def _calendars(coach: Coach, person_ids: set[int], moment: datetime) -> dict[int, Calendar]:
    population = await load_population(coach.db, moment, person_ids, days=60)
    return population.calendars
