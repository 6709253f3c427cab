"""The dispatcher keeps the database busy while it sends (issue 17): the group commit
runs while the workers send what is already marked, and the next batch is claimed
while one is sent (`bot.cadence.claiming`). A batch claimed ahead is held under the
sending batch's lease, still sent when the tick's time is up, and given back at
shutdown; nothing is sent twice or lost."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from cadence_helpers import at, deliveries, occurrences, utc

from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.core.channel import Channels, Recipient
from bot.core.messages import Message
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import claims
from storage import occurrences as store
from storage.db import Database
from storage.models import Person

DUE = utc(2027, 1, 11, 9, 0)


class Instant:
    """A platform that answers at once (no await inside): the sends cost only our CPU,
    as in the dispatch benchmark. `on_send(count)` runs before each answer."""

    platform = "test"
    reaches_anyone = True

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.on_send = lambda count: None

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str:
        self.tags.append(messages[0].tag or "")
        self.on_send(len(self.tags))
        return f"m{len(self.tags)}"


async def _due(db: Database, team: dict[str, int], count: int) -> None:
    person_ids = [pid for name, pid in team.items() if name != "org"]
    async with db.session() as session:
        people = [await session.get(Person, pid) for pid in person_ids]
        for n in range(count):
            person = people[n % len(people)]
            await store.add_occurrence(session, f"adhoc:{n}", person.org_id, person.id,  # type: ignore[union-attr]
                                       "okr_checkin", DUE, date(2027, 1, 11))


def _dispatcher(db: Database, platform: Instant, **options) -> Dispatcher:  # type: ignore[no-untyped-def]
    coach = build_coach(db, Settings(database_url=db.url), Channels(platform))
    return Dispatcher(coach, instance="me", **{"batch": 16, "max_batch": 16, "concurrency": 4, **options})


async def test_a_group_commit_is_written_while_the_workers_send(db: Database, team: dict[str, int],
                                                                monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With sends that return at once, the workers used to send every marked prompt
    before the next commit began, and then wait for it: the database and our CPU took
    turns. The commit now begins when the window asks for it and runs meanwhile."""
    await _due(db, team, 64)
    platform = Instant()
    in_flight = [0]
    sent_during_commit = [0]
    real = claims.write_sends_alone

    async def watched(*args):  # type: ignore[no-untyped-def]
        in_flight[0] += 1
        try:
            return await real(*args)
        finally:
            in_flight[0] -= 1

    def count(_: int) -> None:
        sent_during_commit[0] += in_flight[0] > 0

    platform.on_send = count
    monkeypatch.setattr(claims, "write_sends_alone", watched)
    report = TickReport()
    with at(DUE):
        await _dispatcher(db, platform).deliver_due(DUE, report)
    assert report.delivered == 64 and len(set(platform.tags)) == 64
    assert sent_during_commit[0] >= 16  # a good share of the sends overlapped a commit


async def test_the_next_batch_is_claimed_while_one_is_sent_and_held_under_its_lease(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _due(db, team, 48)
    platform = Instant()
    dispatcher = _dispatcher(db, platform)
    claimed_while_sending: list[bool] = []
    extended: list[set[int]] = []
    real_claim, real_extend = claims.claim_due, claims.extend_leases

    async def claim_due(*args, **kwargs):  # type: ignore[no-untyped-def]
        claimed_while_sending.append(dispatcher.bookkeeper.window is not None)
        return await real_claim(*args, **kwargs)

    async def extend_leases(session, ids, *args):  # type: ignore[no-untyped-def]
        extended.append(set(ids))
        return await real_extend(session, ids, *args)

    monkeypatch.setattr(claims, "claim_due", claim_due)
    monkeypatch.setattr(claims, "extend_leases", extend_leases)
    # the heartbeat beats while the first batch is being sent (its sends wait a little)
    platform.on_send = lambda count: None
    gate = asyncio.Event()

    async def slow_deliver(recipient: Recipient, messages: list[Message]) -> str:
        if len(platform.tags) == 12:  # the first batch three-quarters sent: the next one is claimed
            await asyncio.sleep(0.7)  # a beat (every half second at the shortest lease)
            gate.set()
        return await Instant.deliver(platform, recipient, messages)

    platform.deliver = slow_deliver  # type: ignore[method-assign]
    report = TickReport()
    with at(DUE):
        dispatcher.lease = timedelta(seconds=1)
        await dispatcher.deliver_due(DUE, report)
    assert gate.is_set()
    assert claimed_while_sending[0] is False and any(claimed_while_sending[1:])
    second = {o.id for o in await occurrences(db) if o.key.startswith("adhoc:") and int(o.key[6:]) >= 16
              and int(o.key[6:]) < 32}
    assert any(second <= ids for ids in extended)  # the batch claimed ahead was kept by the heartbeat
    assert report.delivered == 48 and sorted(platform.tags) == sorted(set(platform.tags))
    assert len(await deliveries(db)) == 48


async def test_a_batch_claimed_ahead_is_given_back_at_shutdown(db: Database, team: dict[str, int],
                                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM while a batch is sent: that batch finishes, the one claimed ahead goes
    back to pending (any instance may claim it at once), and nothing is lost."""
    await _due(db, team, 40)
    platform = Instant()
    dispatcher = _dispatcher(db, platform)
    given_back: list[int] = []
    real = claims.release

    async def release(*args):  # type: ignore[no-untyped-def]
        given_back.append(await real(*args))
        return given_back[-1]

    monkeypatch.setattr(claims, "release", release)

    def stop(count: int) -> None:
        if count == 14:  # past half of the first batch: the next one is claimed
            dispatcher.stopping = True

    platform.on_send = stop
    with at(DUE):
        await dispatcher.deliver_due(DUE, TickReport())
    rows = await occurrences(db)
    assert len(platform.tags) == 16  # the batch in flight finished, no more
    assert given_back == [16]  # the next batch had been claimed, and was given back
    assert sorted(o.status for o in rows).count("delivered") == 16
    left = [o for o in rows if o.status != "delivered"]
    assert len(left) == 24 and {(o.status, o.claimed_by, o.lease_until) for o in left} == {("pending", None, None)}
    platform.on_send = lambda count: None
    with at(DUE + timedelta(seconds=5)):  # a restart right away sends the rest, once
        await _dispatcher(db, platform).deliver_due(DUE + timedelta(seconds=5), TickReport())
    assert len(platform.tags) == 40 == len(set(platform.tags))


async def test_a_batch_claimed_ahead_is_still_sent_when_the_ticks_time_is_up(db: Database,
                                                                               team: dict[str, int]) -> None:
    """`deliver_for` ends the claiming, not the work already claimed: the batch
    claimed ahead is sent in the same tick rather than left to lapse."""
    await _due(db, team, 40)
    platform = Instant()
    dispatcher = _dispatcher(db, platform)

    def slow(count: int) -> None:
        if count == 15:  # the tick's time runs out while the first batch is sent
            dispatcher.deliver_for = timedelta(0)

    platform.on_send = slow
    with at(DUE):
        await dispatcher.deliver_due(DUE, TickReport())
    rows = await occurrences(db)
    assert len(platform.tags) == 32  # the batch in flight and the one claimed ahead
    assert sorted(o.status for o in rows).count("delivered") == 32
    assert {o.status for o in rows if o.status != "delivered"} == {"pending"}


async def test_release_gives_back_only_unmarked_claims_of_this_instance(db: Database, team: dict[str, int]) -> None:
    """A claim marked "sending" may have reached the platform: only a takeover (which
    looks first) may send it, so it is never given back to pending."""
    await _due(db, team, 3)
    async with db.session() as session:
        mine = await claims.claim_due(session, DUE, "me", 2, DUE + timedelta(seconds=30))
        theirs = await claims.claim_due(session, DUE, "other", 1, DUE + timedelta(seconds=30))
        await claims.retry_later(session, mine[0].id, "me", DUE, "retrying: timeout", {"uncertain": True})
        await claims.mark_sending(session, mine[1].id, "me")
        released = await claims.release(session, [o.id for o in mine + theirs], "me")
    assert released == 1
    rows = {o.id: o for o in await occurrences(db)}
    status = {oid: (o.status, o.claimed_by) for oid, o in rows.items()}
    assert status[mine[0].id] == ("pending", None)
    # a retry given back says nothing of retrying while pending, and keeps its "look first"
    assert rows[mine[0].id].reason is None and rows[mine[0].id].payload == {"uncertain": True}
    assert status[mine[1].id] == ("claimed", "me")
    assert status[theirs[0].id] == ("claimed", "other")


async def test_lapsed_claims_are_taken_over_by_every_batch_even_with_a_long_queue(
        db: Database, team: dict[str, int]) -> None:
    """A dead instance's claims (and retries whose time came) are taken over first by
    each claim, the one made ahead too: they never wait behind a long queue of new
    prompts, nor stop the pass when nothing new is due (a reviewer: 484 of 500 lapsed
    claims were left to later passes, 16 at a time)."""
    from sqlalchemy import update

    from storage.models import Occurrence

    await _due(db, team, 150)
    dead = {o.id for o in (await occurrences(db))[:50]}
    async with db.session() as session:  # 50 claimed by an instance that died
        await session.exec(update(Occurrence).where(Occurrence.id.in_(dead)).values(  # type: ignore[call-overload,union-attr]
            status="claimed", claimed_by="ghost", claimed_at=DUE, lease_until=DUE))
    platform = Instant()
    report = TickReport()
    with at(DUE + timedelta(minutes=1)):
        await _dispatcher(db, platform, batch=8, max_batch=8).deliver_due(DUE + timedelta(minutes=1), report)
    rows = await occurrences(db)
    assert report.delivered == 150 and {o.status for o in rows} == {"delivered"}
    assert len(platform.tags) == 150 == len(set(platform.tags))
    ghost = {o.key for o in rows if o.id in dead}
    assert len(ghost) == 50
    assert {tag.partition("#")[0] for tag in platform.tags[:50]} == ghost  # sent before the new prompts


async def test_nothing_is_claimed_ahead_once_shutdown_began(db: Database, team: dict[str, int],
                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM before the batch being sent is half marked: the next batch is not
    claimed at all (a shutdown that overruns its grace period would leave it held
    until its lease lapsed)."""
    await _due(db, team, 100)
    platform = Instant()
    dispatcher = _dispatcher(db, platform, batch=64, max_batch=64)
    claimed: list[int] = []
    real = claims.claim_due

    async def claim_due(*args, **kwargs):  # type: ignore[no-untyped-def]
        claimed.append(len(found := await real(*args, **kwargs)))
        return found

    monkeypatch.setattr(claims, "claim_due", claim_due)

    def stop(count: int) -> None:
        if count == 3:  # 8 of 64 marked: far from half
            dispatcher.stopping = True

    platform.on_send = stop
    with at(DUE):
        await dispatcher.deliver_due(DUE, TickReport())
    assert claimed == [64] and len(platform.tags) == 64


async def test_a_claim_ahead_never_takes_back_this_instances_sends_in_flight(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A stall past the lease lets this process's own claims lapse while its batch is
    still sending them. The claim ahead (same instance name) must not take those back:
    it did, and a send that timed out after reaching the platform went out again at
    once, without a look and without the back-off (a reviewer)."""
    from sqlalchemy import update

    from bot.core.channel import TransientDeliveryError
    from storage.models import Occurrence

    await _due(db, team, 32)
    first = [o.id for o in (await occurrences(db))[:16]]

    class Inbox(Instant):
        def __init__(self) -> None:
            super().__init__()
            self.timed_out = False

        async def deliver(self, recipient: Recipient, messages: list[Message]) -> str:
            sent = await super().deliver(recipient, messages)
            if messages[0].tag == "adhoc:15#prompt" and not self.timed_out:
                self.timed_out = True  # it reached the platform; the answer was lost
                raise TransientDeliveryError("timeout", uncertain=True)
            return sent

        async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
            return f"m{self.tags.index(tag) + 1}" if tag in self.tags else None

    platform = Inbox()
    real = claims.reclaim_stale
    calls = [0]

    async def stalled(session, now, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 2:  # the claim ahead: half the batch in flight lapsed in a stall
            await session.exec(update(Occurrence).where(Occurrence.id.in_(first[8:]))  # type: ignore[call-overload,union-attr]
                               .values(lease_until=now - timedelta(seconds=1)))
        return await real(session, now, *args, **kwargs)

    monkeypatch.setattr(claims, "reclaim_stale", stalled)
    report = TickReport()
    with at(DUE):
        await _dispatcher(db, platform).deliver_due(DUE, report)
    assert calls[0] >= 2
    assert len(platform.tags) == len(set(platform.tags))  # nothing went out twice
    assert report.retrying == 1  # the timed-out one waits for its back-off (and a look)
