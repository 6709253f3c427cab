"""Claim batches at scale (issue 17): a tick's first claim is small, so instances
share a short queue; while claims come back full each one takes twice as many, up to
`max_batch`. The platform sees at most `concurrency` sends at a time, whatever the
batch, and every prompt is delivered and recorded once."""

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
from storage.models import Occurrence, Person

DUE = utc(2027, 1, 11, 9, 0)


class SlowChannel:
    """Takes a few milliseconds per send and remembers how many were in flight."""

    platform = "test"
    reaches_anyone = True

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.sent: list[str | None] = []

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.002)
        self.in_flight -= 1
        self.sent.append(messages[0].tag)
        return f"m{len(self.sent)}"


async def _due(db: Database, person_ids: list[int], count: int) -> None:
    async with db.session() as session:
        for n in range(count):
            person = await session.get(Person, person_ids[n % len(person_ids)])
            await store.add_occurrence(session, f"adhoc:{n}", person.org_id, person.id,  # type: ignore[union-attr]
                                       "okr_checkin", DUE, date(2027, 1, 11))


async def test_batches_grow_while_full_and_sends_stay_bounded(
        db: Database, team: dict[str, int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _due(db, [pid for name, pid in team.items() if name != "org"], 20)
    asked: list[int] = []
    real = claims.claim_due

    async def counted(session, now, instance, limit, lease_until=None):  # type: ignore[no-untyped-def]
        asked.append(limit)
        return await real(session, now, instance, limit, lease_until)

    monkeypatch.setattr(claims, "claim_due", counted)
    channel = SlowChannel()
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    report = TickReport()
    with at(DUE + timedelta(minutes=1)):
        await Dispatcher(coach, batch=2, max_batch=8, concurrency=3).deliver_due(DUE, report)
    assert asked == [2, 4, 8, 8]  # 22 asked for, 20 due: the last claim came back short
    assert report.delivered == 20 and len(channel.sent) == 20 == len(set(channel.sent))
    assert channel.most == 3  # the gate bounds the platform's calls, not the batch
    assert {o.status for o in await occurrences(db)} == {"delivered"}
    assert len(await deliveries(db)) == 20


class WatchingChannel(SlowChannel):
    """A slow platform that, at its first send, lets `first_send` run (a look at the
    database, a SIGTERM) after the dispatcher had time to claim its next batch."""

    def __init__(self, first_send) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.first_send = first_send

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str:
        if not self.sent and self.first_send is not None:
            hook, self.first_send = self.first_send, None
            await asyncio.sleep(0.3)  # the claim ahead is one statement: long done by now
            await hook()
        return await super().deliver(recipient, messages)


async def _claimed(db: Database) -> list[tuple[int, str | None, str | None]]:
    return [(o.id, o.claimed_by, o.reason) for o in await occurrences(db) if o.status == "claimed"]  # type: ignore[misc]


async def test_the_next_batch_is_claimed_while_one_is_sent(db: Database, team: dict[str, int]) -> None:
    """The claim and the recipients of batch n+1 overlap the sends of batch n, instead
    of holding up every batch (a quarter of a 10,000-prompt dispatch's wall time)."""
    await _due(db, [pid for name, pid in team.items() if name != "org"], 20)
    seen: list[int] = []

    async def look() -> None:
        seen.append(len(await _claimed(db)))

    channel = WatchingChannel(look)
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    report = TickReport()
    with at(DUE + timedelta(minutes=1)):
        await Dispatcher(coach, batch=2, max_batch=8, concurrency=1).deliver_due(DUE, report)
    assert seen == [2 + 4]  # the first batch of 2 being sent, the next (4) claimed ahead
    assert report.delivered == 20 and len(channel.sent) == 20 == len(set(channel.sent))
    assert {o.status for o in await occurrences(db)} == {"delivered"}
    assert len(await deliveries(db)) == 20


async def test_a_stopping_dispatcher_hands_back_the_batch_it_claimed_ahead(
        db: Database, team: dict[str, int]) -> None:
    """SIGTERM while a batch is sent: that batch finishes, the one claimed ahead goes
    back to pending at once (not held until its lease runs out), and another instance
    sends it, each prompt once. A claim it had taken over from a stopped instance
    whose send had begun ("sending") is not made pending: it lapses, to be looked for
    in the conversation before it is sent again."""
    people = [pid for name, pid in team.items() if name != "org"]
    await _due(db, people, 6)
    async with db.session() as session:  # a dead instance's claims: two unsent, one whose send began
        person = await session.get(Person, people[0])
        for n, (lapsed, reason) in enumerate([(2, None), (2, None), (1, claims.SENDING)]):
            session.add(Occurrence(key=f"adhoc:orphan{n}", org_id=person.org_id, person_id=people[0],  # type: ignore[union-attr]
                                   kind="okr_checkin", due_at=DUE, local_date=date(2027, 1, 11), status="claimed",
                                   claimed_by="dead-instance", reason=reason, claimed_at=DUE,
                                   lease_until=DUE - timedelta(minutes=lapsed), payload={"adhoc": True}))
    dispatcher: Dispatcher | None = None

    async def stop() -> None:
        assert dispatcher is not None
        dispatcher.stopping = True

    channel = WatchingChannel(stop)
    coach = build_coach(db, Settings(database_url=db.url), Channels(channel))
    dispatcher = Dispatcher(coach, instance="stopping", batch=2, max_batch=8, concurrency=1)
    report = TickReport()
    with at(DUE + timedelta(minutes=1)):
        await dispatcher.deliver_due(DUE, report)
        assert report.delivered == 2  # the batch in flight (the two unsent orphans) finished
        rows = await occurrences(db)
        assert [(o.key, o.claimed_by, o.reason) for o in rows if o.status == "claimed"] == [
            ("adhoc:orphan2", "stopping", claims.SENDING)]  # taken over ahead: kept, to lapse
        pending = [o for o in rows if o.status == "pending"]
        assert len(pending) == 6 and all(o.claimed_by is None and o.lease_until is None for o in pending)
        other = TickReport()
        await Dispatcher(coach, instance="other").deliver_due(DUE, other)
        assert other.delivered == 6  # handed back: sent at once, not after the lease
    with at(DUE + timedelta(minutes=2)):  # the last orphan's lease ran out: looked for, then sent
        await Dispatcher(coach, instance="other").deliver_due(DUE, other)
    assert other.delivered == 7
    assert len(channel.sent) == 9 == len(set(channel.sent))
    assert {o.status for o in await occurrences(db)} == {"delivered"}
