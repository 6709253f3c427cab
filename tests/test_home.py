"""The home view (Slack App Home) in neutral messages."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import update

from bot.core.coach import Coach
from storage import people
from storage.db import Database
from storage.models import Person


async def test_home_names_the_next_check_in_even_when_it_is_days_away(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """The dispatcher stores only the next day and a half of prompts; the home view must
    still say when the next WIG session comes, not that nothing is scheduled."""
    async with db.session() as session:
        await session.exec(update(Person).values(created_at=datetime(2027, 1, 1, tzinfo=UTC)))
    with freeze_time("2027-01-13 12:00:00", real_asyncio=True):  # Wednesday, nothing stored
        async with db.session() as session:
            ravi = await people.get(session, team["ravi"])
        assert ravi is not None
        shown = "\n".join(m.plain() for m in await coach.home(ravi))
    assert "Nothing is scheduled" not in shown
    assert "WIG session comes on Monday 18 January, 09:00" in shown, shown  # Ravi's Kolkata Monday
