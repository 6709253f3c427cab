"""Event names are one name in any case and spacing, on both databases
(`storage.event_names.name_key`): an event with a non-ASCII capital ("Ålesund Expo")
is found by its own name (SQLite's lower() folds ASCII only, so it was not, and
"ÅLESUND EXPO" was registered beside it), and a quoted name with doubled or trailing
spaces is the name with its spaces collapsed (it was stored as typed, unreachable)."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from test_event_names_and_sight import NOW, ids  # noqa: F401 (fixture)

from bot.core.coach import Coach
from storage.db import Database


async def test_an_event_named_with_a_non_ascii_capital_is_found_by_its_name(
        coach: Coach, ids: dict[str, int], db: Database) -> None:  # noqa: F811
    maria = ids["maria"]
    with freeze_time(NOW, real_asyncio=True):
        added = await say(coach, maria, '/okr event add "Ålesund Expo" 2026-12-20 Oslo @sam')
        shown = await say(coach, maria, "/okr event Ålesund Expo")
        again = await say(coach, maria, '/okr event add "ÅLESUND EXPO" 2026-12-20 Oslo @sam')
        lower = await say(coach, maria, "/okr event ålesund expo")
        other = await say(coach, maria, '/okr event add "Équipe Days" 2026-12-21 Oslo @sam')
        found = await say(coach, maria, "/okr event ÉQUIPE  days")
    assert "Ålesund Expo registered" in added
    assert "I know no event" not in shown and "Ålesund Expo" in shown, shown
    assert "already registered" in again and "ÅLESUND EXPO registered" not in again, again
    assert "I know no event" not in lower and "I know no event" not in found, (lower, found)
    assert "Équipe Days registered" in other, other


async def test_an_event_name_with_extra_spaces_is_one_name(
        coach: Coach, ids: dict[str, int], db: Database) -> None:  # noqa: F811
    maria = ids["maria"]
    with freeze_time(NOW, real_asyncio=True):
        await say(coach, maria, '/okr event add "Web Summit" 2026-12-20 Oslo @sam')
        spaced = await say(coach, maria, '/okr event add "Web  Summit " 2026-12-21 Oslo @sam')
        tidy = await say(coach, maria, '/okr event add "Dreamforce   Oslo " 2026-12-22 Oslo @sam')
        quoted = await say(coach, maria, '/okr event "No Such Show" rename "Other"')
    assert "Summit registered" not in spaced and "Summit  registered" not in spaced, spaced
    assert "Dreamforce Oslo registered" in tidy, tidy  # stored with its spaces collapsed
    assert '""' not in quoted and "No Such Show" in quoted, quoted

