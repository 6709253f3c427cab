"""Sends marked "sending" ahead (issue 17, `bot.cadence.window`): up to twice
`concurrency` prompts are marked in the commits that record deliveries. The
documented trade-off: after a kill -9 the takeover looks up to twice as many
conversations for the tag, and still sends nothing twice; a prompt marked ahead whose
claim may have lapsed (no heartbeat for half a lease) is checked again before its
send."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

from cadence_helpers import at, deliveries, occurrences, utc
from sqlalchemy import func, select

from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.cadence.window import SendWindow
from bot.core.channel import Channels, Recipient
from bot.core.messages import Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import claims
from storage import occurrences as store
from storage.db import Database
from storage.models import Occurrence, Person

DUE = utc(2027, 1, 11, 9, 0)
PROMPTS, CONCURRENCY = 30, 3


class Platform:
    """A chat platform whose history can be searched by tag; `hang_after` sends it
    takes the message and then never answers (the process was killed meanwhile)."""

    platform = "test"
    reaches_anyone = True

    def __init__(self, hang_after: int | None = None) -> None:
        self.history: dict[str, str] = {}  # tag -> message id, shared by both instances
        self.hang_after = hang_after
        self.hanging = 0
        self.all_hanging = asyncio.Event()
        self.searched: list[str] = []
        self.sends = 0

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str:
        self.sends += 1
        tag = messages[0].tag or ""
        assert tag not in self.history, f"{tag} sent twice"
        self.history[tag] = f"m{len(self.history) + 1}"
        if self.hang_after is not None and self.sends > self.hang_after:
            self.hanging += 1
            if self.hanging == CONCURRENCY:
                self.all_hanging.set()
            await asyncio.Event().wait()  # accepted, never answered: killed here
        return self.history[tag]

    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        self.searched.append(tag)
        return self.history.get(tag)


async def _due(db: Database, team: dict[str, int], count: int) -> None:
    person_ids = [pid for name, pid in team.items() if name != "org"]
    async with db.session() as session:
        for n in range(count):
            person = await session.get(Person, person_ids[n % len(person_ids)])
            await store.add_occurrence(session, f"adhoc:{n}", person.org_id, person.id,  # type: ignore[union-attr]
                                       "okr_checkin", DUE, date(2027, 1, 11))


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def _marked(db: Database) -> int:
    """Claimed rows marked "sending" and not recorded: what a takeover must look for."""
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(Occurrence).where(  # type: ignore[call-overload]
            Occurrence.status == "claimed", Occurrence.reason == claims.SENDING))).one()[0]


async def test_after_a_kill_the_takeover_looks_up_at_most_twice_concurrency_and_sends_nothing_twice(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _due(db, team, PROMPTS)
    platform = Platform(hang_after=10)
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    seen: list[int] = []  # rows marked and unrecorded after each commit
    real = claims.write_sends_alone

    async def watched(*args):  # type: ignore[no-untyped-def]
        written = await real(*args)
        seen.append(await _marked(db))
        return written

    monkeypatch.setattr(claims, "write_sends_alone", watched)
    with at(DUE):
        crashed = Dispatcher(coach, instance="crashed", batch=PROMPTS, concurrency=CONCURRENCY)
        run = asyncio.ensure_future(crashed.deliver_due(DUE, TickReport()))
        await _until(lambda: platform.all_hanging.is_set())
        # let the writes of the sends that returned be committed (the clock is frozen:
        # turns of the loop, no timers)
        await _until(lambda: crashed.bookkeeper.commits > 0 and crashed.bookkeeper.settled)
        run.cancel()  # kill -9: nothing more is written
        await asyncio.gather(run, return_exceptions=True)
    monkeypatch.setattr(claims, "write_sends_alone", real)
    window = 2 * CONCURRENCY
    assert max(seen) <= window  # the documented bound, at every commit
    left = await _marked(db)
    assert CONCURRENCY < left <= window  # more than in flight: marked ahead
    assert platform.hanging == CONCURRENCY  # three were accepted and never recorded

    platform.hang_after = None  # the platform is fine; the process was not
    report = TickReport()
    with at(DUE + timedelta(minutes=2)):  # the lease lapsed: taken over
        await Dispatcher(coach, instance="taker", concurrency=CONCURRENCY).deliver_due(
            DUE + timedelta(minutes=2), report)
    assert len(platform.searched) == left  # each marked one looked for, and only those
    assert report.recovered == CONCURRENCY  # the three accepted before the kill: found, not resent
    assert len(platform.history) == PROMPTS  # every prompt on the platform exactly once
    assert {o.status for o in await occurrences(db)} == {"delivered"}
    assert len(await deliveries(db)) == PROMPTS


async def test_a_prompt_marked_ahead_is_not_sent_once_its_claim_was_taken_over(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No heartbeat confirmed the claims for half a lease (`stale`): before each send
    the worker asks whether the claim is still its own. Another instance took them over
    after the first send: only that one was sent by this instance."""
    await _due(db, team, 8)
    platform = Platform()
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    real = platform.deliver

    async def then_taken_over(recipient: Recipient, messages: list[Message]) -> str:
        sent = await real(recipient, messages)
        async with db.session() as session:  # the rest lapsed and was taken over
            await claims.reclaim_stale(session, DUE + timedelta(hours=1), "taker", 100, DUE + timedelta(hours=2))
        platform.deliver = real  # type: ignore[method-assign]
        return sent

    platform.deliver = then_taken_over  # type: ignore[method-assign]
    monkeypatch.setattr(SendWindow, "stale", lambda self: True)
    report = TickReport()
    with at(DUE):
        await Dispatcher(coach, instance="slow", batch=8, concurrency=1).deliver_due(DUE, report)
    assert platform.sends == 1 and report.delivered == 0  # the one sent was not ours to record
    rows = await occurrences(db)
    assert {o.claimed_by for o in rows} == {"taker"}


async def test_a_heartbeat_that_finds_a_claim_taken_over_confirms_nothing(db: Database, team: dict[str, int]) -> None:
    """A process that stalled past its lease may have lost claims it marked ahead: its
    next beat extends only what is still its own, and unless that is every claim in
    flight the window stays unconfirmed, so each prompt is checked before its send."""
    from sqlalchemy import update

    from bot.cadence.window import heartbeat

    await _due(db, team, 2)
    async with db.session() as session:
        mine = await claims.claim_due(session, DUE, "me", 10, DUE)
        await session.exec(update(Occurrence).where(Occurrence.id == mine[1].id)  # type: ignore[call-overload]
                           .values(claimed_by="taker"))

    async def beat_once(in_flight: set[int]) -> float:
        window = SendWindow([], 2, 1, 30.0)
        window.confirmed = -1.0
        beating = asyncio.get_running_loop().create_task(
            heartbeat(db, "me", timedelta(seconds=1), in_flight, window, lambda: DUE))
        await asyncio.sleep(0.8)  # one beat (every half second at the shortest)
        beating.cancel()
        return window.confirmed

    assert await beat_once({mine[0].id, mine[1].id}) == -1.0  # one of them is the taker's now
    assert await beat_once({mine[0].id}) > 0  # all still ours: confirmed
