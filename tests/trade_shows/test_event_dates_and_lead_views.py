"""Registering an event refuses what it cannot read as intended (an end date left
off after "..", two dates without "..", a month-plus event, impossible days, an event
already over at the venue) with a re-ask and an example, and accepts a running one;
`/okr lead` with nothing after it shows a rep their own open leads, and a manager
the team's, each with its owner."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.features.trade_shows.parsing import parse_event
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead


@pytest.mark.parametrize(("args", "problem"), [
    ("NRF 2027-01-12.. New York @ravi", "open_end"),
    ("NRF 2027-01-12.. @ravi", "open_end"),
    ("NRF 2027-01-12 .. New York @ravi", "open_end"),
    ("NRF 2027-01-12to New York @ravi", "open_end"),
    ("NRF 2027-01-12 2027-01-14 New York @ravi", "two_dates"),
    ("NRF 2027-01-14..2027-01-12 New York @ravi", "backwards"),
    ("NRF 2027-01-12..2029-01-12 New York @ravi", "too_long"),  # two years
    ("NRF 2027-01-01..2027-02-01 New York @ravi", "too_long"),  # 32 days
    ("NRF 2027-02-29 New York @ravi", "no_such_day:2027-2-29"),  # 2027 is no leap year
    ("NRF 2027-13-01..2027-13-03 New York @ravi", "dates"),
    ("NRF 2027-1-12..2027-1-14 New York @ravi", "dates"),
    ("NRF 2027-01-12..2027-01 New York @ravi", "dates"),
    ("NRF next week New York @ravi", "dates"),
])
def test_an_event_line_that_cannot_be_read_as_meant_is_refused(args: str, problem: str) -> None:
    assert parse_event(args) == problem


@pytest.mark.parametrize(("args", "first", "last"), [
    ("SKO 2027-02-03 Oslo @ravi", date(2027, 2, 3), date(2027, 2, 3)),  # one date: one day
    ("NRF 2027-01-12..2027-01-14 New York @ravi", date(2027, 1, 12), date(2027, 1, 14)),
    ("NRF 2027-01-12 .. 2027-01-14 New York @ravi", date(2027, 1, 12), date(2027, 1, 14)),
    ("NRF 2027-01-12 to 2027-01-14 New York @ravi", date(2027, 1, 12), date(2027, 1, 14)),
    ("NRF 2027-01-12.. 2027-01-14 New York @ravi", date(2027, 1, 12), date(2027, 1, 14)),
    ("Long 2027-01-01..2027-01-31 Oslo @ravi", date(2027, 1, 1), date(2027, 1, 31)),  # a month is fine
])
def test_dates_written_as_meant_are_read(args: str, first: date, last: date) -> None:
    parsed = parse_event(args)
    assert not isinstance(parsed, str)
    assert (parsed.starts_on, parsed.ends_on) == (first, last)
    assert parsed.location in ("Oslo", "New York")


async def events(db: Database) -> list[Event]:
    async with db.session() as session:
        return list((await session.exec(select(Event))).all())


async def test_adding_an_event_with_its_end_left_off_re_asks_with_an_example(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    with freeze_time("2027-01-05 15:00:00", real_asyncio=True):
        answer = await say(coach, team["maria"], '/okr event add "NRF 2027" 2027-01-12.. New York @ravi')
    assert "end date is missing" in answer
    assert 'For example:\n`/okr event add "NRF 2027" 2027-01-12..2027-01-14 New York' in answer
    assert "(one day)" in answer
    assert await events(db) == []


async def test_an_event_already_over_at_the_venue_is_refused_a_running_one_accepted(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria = team["maria"]
    # 03:00 UTC on 15 January: still the 14th in New York, already the 15th in Oslo
    with freeze_time("2027-01-15 03:00:00", real_asyncio=True):
        past = await say(coach, maria, '/okr event add "Nordic" 2027-01-12..2027-01-14 Oslo @ravi')
        assert '"Nordic" ended on 2027-01-14, before today (2027-01-15 at the venue)' in past
        assert "For example" in past
        way_past = await say(coach, maria, '/okr event add "Old" 2026-03-02 Oslo @ravi')
        assert "ended on 2026-03-02" in way_past
        running = await say(coach, maria, '/okr event add "NRF 2027" 2027-01-12..2027-01-14 New York @ravi')
        assert "NRF 2027 registered" in running
        ahead = await say(coach, maria, '/okr event add "SKO" 2027-02-03 Oslo @ravi')
        assert "SKO registered: 2027-02-03, Oslo" in ahead  # one day: said once
    assert sorted(e.name for e in await events(db)) == ["NRF 2027", "SKO"]


async def test_the_sibling_problems_each_get_their_own_re_ask(coach: Coach, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time("2027-01-05 15:00:00", real_asyncio=True):
        backwards = await say(coach, maria, '/okr event add "NRF" 2027-01-14..2027-01-12 New York @ravi')
        two_years = await say(coach, maria, '/okr event add "NRF" 2027-01-12..2029-01-12 New York @ravi')
        no_day = await say(coach, maria, '/okr event add "NRF" 2027-02-30 New York @ravi')
        two = await say(coach, maria, '/okr event add "NRF" 2027-01-12 2027-01-14 New York @ravi')
    assert backwards.startswith("The event ends before it starts.")
    assert two_years.startswith("An event of more than a month?")
    assert no_day.startswith("There is no 30 February 2027: February 2027 has 28 days.")
    assert two.startswith('I read two dates; join them with ".."')
    assert all("For example" in a for a in (backwards, two_years, no_day, two))


async def test_an_event_years_ahead_is_a_typo_asked_again_with_the_year_ahead(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """`/okr event add … 2207-01-12..2207-01-14` was stored: an event more than two
    years ahead (`horizon.EVENT_YEARS`) is a year typed wrongly, asked again with the
    same dates in the year within reach most likely meant (2207: 2027, two digits
    swapped); one two years ahead to the day is registered."""
    maria = team["maria"]
    with freeze_time("2027-01-05 15:00:00", real_asyncio=True):
        far = await say(coach, maria, '/okr event add "NRF" 2207-01-12..2207-01-14 New York @ravi')
        one_day = await say(coach, maria, '/okr event add "SKO" 2031-02-03 Oslo @ravi')
        edge = await say(coach, maria, '/okr event add "Edge" 2029-01-05 Oslo @ravi')
        beyond = await say(coach, maria, '/okr event add "Beyond" 2029-01-06 Oslo @ravi')
    assert '"NRF" would start on 2207-01-12, more than 2 years ahead (I register events until 2029-01-05)' in far
    assert '`/okr event add "NRF" 2027-01-12..2027-01-14 …`' in far and "For example" in far
    assert "If you meant 2028-02-03, type" in one_day  # 2031: the year within reach nearest it
    assert "Edge registered" in edge and "more than 2 years ahead" in beyond
    assert [e.name for e in await events(db)] == ["Edge"]


async def _nrf_with_leads(db: Database, team: dict[str, int]) -> Event:
    event = Event(org_id=team["org"], name="NRF 2027", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
                  location="New York", timezone="America/New_York", created_by=team["maria"])
    async with db.session() as session:
        event = await event_names.add_event(session, event, [team["ravi"], team["sam"]])
        for name, owner in (("Ana Silva", "ravi"), ("Ben Ode", "sam"), ("Cy Twombly", "ravi")):
            session.add(Lead(org_id=team["org"], event_id=event.id, owner_id=team[owner], captured_by=team[owner],
                             name=name, company="Acme"))
        session.add(Lead(org_id=team["org"], event_id=None, owner_id=team["ada"], captured_by=team["ada"],
                         name="Elsewhere Person"))
    return event


async def test_a_rep_sees_only_their_own_open_leads(coach: Coach, team: dict[str, int], db: Database) -> None:
    await _nrf_with_leads(db, team)
    with freeze_time("2027-01-14 15:00:00", real_asyncio=True):
        answer = await say(coach, team["ravi"], "/okr lead")
    assert answer.startswith("Your open leads (2):")
    assert "Ana Silva" in answer and "Cy Twombly" in answer
    assert "Ben Ode" not in answer and "Elsewhere" not in answer
    assert "owner" not in answer


async def test_a_manager_sees_the_team_s_open_leads_with_each_owner(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await _nrf_with_leads(db, team)
    with freeze_time("2027-01-14 15:00:00", real_asyncio=True):
        answer = await say(coach, team["maria"], "/okr lead")
    assert answer.startswith("Your team's open leads, with who owns each (3):")
    lines = answer.splitlines()
    assert any("Ana Silva, Acme" in line and "owner Ravi Rep" in line for line in lines)
    assert any("Ben Ode, Acme" in line and "owner Sam Seller" in line for line in lines)
    assert "Elsewhere" not in answer  # another manager's lead, not of Maria's events


async def test_a_manager_with_no_open_leads_is_told_about_the_team(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-14 15:00:00", real_asyncio=True):
        answer = await say(coach, team["maria"], "/okr lead")
    assert answer.startswith("Your team has no open leads.")
