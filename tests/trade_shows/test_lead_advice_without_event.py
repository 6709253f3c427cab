"""`/okr lead` when no event of the rep's is running: the one-line example it gives
must work as typed (last review: it showed `/okr lead Jane Roe, …`, which is then
refused for want of an event)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from storage import event_names
from storage.db import Database
from storage.models import Event


@freeze_time("2027-11-16 12:00:00", real_asyncio=True)
async def test_without_any_event_the_advice_says_a_manager_adds_one(coach: Coach, team: dict[str, int]) -> None:
    shown = await say(coach, team["ravi"], "/okr lead")
    assert "`/okr lead Jane Roe" not in shown, shown
    assert "none of your events is on the calendar yet" in shown and "/okr event add" in shown


@freeze_time("2027-11-16 12:00:00", real_asyncio=True)
async def test_with_an_event_not_running_the_example_names_it_and_works_as_typed(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    event = Event(org_id=team["org"], name="Web Summit", starts_on=date(2027, 11, 8), ends_on=date(2027, 11, 11),
                  location="Lisbon", timezone="Europe/Lisbon", created_by=team["maria"],
                  assigned_at=datetime(2027, 11, 1, tzinfo=UTC))
    async with db.session() as session:
        await event_names.add_event(session, event, [team["ravi"]])
    shown = await say(coach, team["ravi"], "/okr lead")
    example = "/okr lead in Web Summit: Jane Roe, Acme Corp, hot, wants a demo in March"
    assert example in shown, shown
    saved = await say(coach, team["ravi"], example)
    assert "Jane Roe" in saved and "No event of yours is running" not in saved, saved
