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
from storage.models import Person

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
