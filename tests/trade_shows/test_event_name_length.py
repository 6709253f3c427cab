"""An event's name and place longer than their columns (200 characters) are refused
with the limit, never stored or cut: `/okr event add` stored a 300-character name
(SQLite keeps it; PostgreSQL's varchar(200) refuses the INSERT), and a rename to one
answered "The new name is missing"."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from sqlmodel import select
from test_event_names_and_sight import NOW, ids  # noqa: F401 (fixture)

from bot.core.coach import Coach
from storage.db import Database
from storage.models import Event

LONG = "A" * 300


async def _names(db: Database) -> list[str]:
    async with db.session() as session:
        return [e.name for e in (await session.exec(select(Event))).all()]


async def test_event_add_refuses_a_name_or_place_longer_than_the_column(
        coach: Coach, ids: dict[str, int], db: Database) -> None:  # noqa: F811
    with freeze_time(NOW, real_asyncio=True):
        added = await say(coach, ids["maria"], f'/okr event add "{LONG}" 2026-12-20 Oslo @sam')
        placed = await say(coach, ids["maria"], f'/okr event add "Expo" 2026-12-20 {"Oslo " * 50}@sam')
        fits = await say(coach, ids["maria"], f'/okr event add "{"B" * 200}" 2026-12-20 Oslo @sam')
    assert "300 characters long" in added and "at most 200" in added, added[:300]
    assert "The place is 249 characters long" in placed and "at most 200" in placed, placed[:300]
    assert "at most" not in fits, fits[:300]
    assert await _names(db) == ["B" * 200]  # only the one that fits was stored


async def test_rename_to_a_too_long_name_says_so(
        coach: Coach, ids: dict[str, int], db: Database) -> None:  # noqa: F811
    with freeze_time(NOW, real_asyncio=True):
        await say(coach, ids["maria"], '/okr event add "Web Summit" 2026-12-20 Oslo @sam')
        renamed = await say(coach, ids["maria"], f'/okr event "Web Summit" rename "{LONG}"')
    assert "missing" not in renamed and "at most 200" in renamed, renamed[:300]
    assert await _names(db) == ["Web Summit"]
