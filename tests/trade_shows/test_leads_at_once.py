"""The same lead logged at the same moment is stored once (attacker F5): the
duplicate rule reads the event's leads and then inserts, so two captures at once
both found nothing and both inserted. Matching and insert are one step under a
per-event lock (`storage.trade_shows.hold_leads`): one lead, the others merged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.channel import Channels
from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import event_names
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Lead


@pytest.fixture
async def other_coach(db: Database, outbox: RecordingChannel) -> AsyncIterator[Coach]:
    """A second process's coach on the same database."""
    second = Database(db.url)
    yield build_coach(second, Settings(database_url=second.url), Channels(outbox))
    await second.dispose()


def all_read_first(monkeypatch: pytest.MonkeyPatch, wanted: int, patience: float = 0.5) -> None:
    """Each capture waits, once it looked for a duplicate, until all `wanted` have
    looked (or `patience` passed, when a lock keeps the others out): the race."""
    real = store.find_duplicate
    arrived = 0
    everyone = asyncio.Event()

    async def looking(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal arrived
        found = await real(*args, **kwargs)
        arrived += 1
        if arrived >= wanted:
            everyone.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone.wait(), patience)
        return found

    monkeypatch.setattr(store, "find_duplicate", looking)


async def test_three_captures_of_one_person_at_once_store_one_lead(
        coach: Coach, other_coach: Coach, team: dict[str, int], db: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with db.session() as session:
        await event_names.add_event(session, Event(
            org_id=team["org"], name="RACE EXPO", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
            location="New York", timezone="America/New_York", created_by=team["maria"]), [team["ravi"], team["sam"]])
    all_read_first(monkeypatch, 3)
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        replies = await asyncio.gather(
            say(coach, team["sam"], "/okr lead Jane Roe, Acme, hot, first"),
            say(coach, team["ravi"], "/okr lead jane roe, ACME Inc, warm, second"),
            say(other_coach, team["sam"], "/okr lead Jane Roe, Acme, cold, third"))
    async with db.session() as session:
        leads = (await session.exec(select(Lead))).all()
    assert len(leads) == 1, replies
    assert sum("Merged into lead #" in r for r in replies) == 2
    assert leads[0].temperature == "hot" and leads[0].notes is not None and leads[0].notes.count("\n") == 2
