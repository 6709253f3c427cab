"""Overdue trade-show leads as a WIG lead measure: a rep (or their manager, for the
team) chooses "follow up overdue leads" and the WIG session shows how many of the
rep's leads are past their deadline, read from the trade-show feature through the
`Feature.measure_source` interface (the WIG feature imports no trade-show code), not
asked as a number and not totalled on the scorecard."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead, LeadMeasure

MONDAY = "2027-01-18 10:00:00"  # a Monday; the leads below were due the week before


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def seed(db: Database, team: dict[str, int]) -> None:
    event = Event(org_id=team["org"], name="NRF 2027", starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8),
                  location="New York", timezone="America/New_York", created_by=team["maria"])
    async with db.session() as session:
        event = await event_names.add_event(session, event, [team["ravi"], team["sam"]])
        for name, company, owner, due, status in (
                ("Ana Silva", "Farfetch", "ravi", utc(2027, 1, 13, 12), "new"),
                ("Ben Ode", None, "ravi", utc(2027, 1, 14, 12), "new"),
                ("Cy Twombly", "Gagosian", "ravi", utc(2027, 1, 14, 12), "followed_up"),  # done: not overdue
                ("Dee Dee", "Acme", "ravi", utc(2027, 1, 25, 12), "new"),  # not due yet
                ("Eve Online", "CCP", "sam", utc(2027, 1, 12, 12), "new")):
            session.add(Lead(org_id=team["org"], event_id=event.id, owner_id=team[owner], captured_by=team[owner],
                             name=name, company=company, due_at=due, status=status))


async def test_a_rep_chooses_overdue_leads_and_the_session_shows_their_count(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team)
    ravi, maria = team["ravi"], team["maria"]
    with freeze_time("2027-01-15 15:00:00", real_asyncio=True):
        await say(coach, maria, "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        await say(coach, maria, "/okr wig measure Discovery calls, 10 per week")
        added = await say(coach, ravi, "/okr wig measure follow up overdue leads")
    assert 'Your own lead measure added to "New ARR": Follow up overdue leads.' in added
    assert "Nothing to type for it" in added
    async with db.session() as session:
        [read] = (await session.exec(select(LeadMeasure).where(LeadMeasure.source == "overdue_leads"))).all()
    assert (read.owner_id, read.weekly_target) == (ravi, 0)
    with freeze_time(MONDAY, real_asyncio=True):
        intro = await say(coach, ravi, "/okr wig start")
        assert re.search(r"Follow up overdue leads: 2 trade-show leads past the follow-up deadline: "
                         r"#\d+ Ana Silva \(Farfetch\), due Wed 13 Jan \d\d:\d\d; #\d+ Ben Ode, due", intro)
        assert "Cy Twombly" not in intro and "Dee Dee" not in intro and "Eve Online" not in intro
        asked = await say(coach, ravi, "/okr wig start")  # the only number asked is the typed measure's
        assert "Discovery calls" in asked and "overdue" not in asked.split("Discovery calls", 1)[1]
        done = await say(coach, ravi, "4")
        done += await say(coach, ravi, "call Ana and Ben by Tuesday")
    assert "Follow up overdue leads" not in done  # the scorecard totals typed numbers only


async def test_a_manager_chooses_it_for_the_team_and_each_rep_sees_their_own(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team)
    with freeze_time("2027-01-15 15:00:00", real_asyncio=True):
        await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        added = await say(coach, team["maria"], "/okr wig measure overdue leads for 1")
    assert 'Team lead measure added to "New ARR": Follow up overdue leads.' in added
    with freeze_time(MONDAY, real_asyncio=True):
        sam = await say(coach, team["sam"], "/okr wig start")
        ravi = await say(coach, team["ravi"], "/okr wig start")
    assert re.search(r"Follow up overdue leads: 1 trade-show lead past the follow-up deadline: #\d+ Eve Online \(CCP\)",
                     sam)
    assert "Follow up overdue leads: 2 trade-show leads" in ravi


async def test_a_rep_with_nothing_overdue_is_told_so(coach: Coach, team: dict[str, int]) -> None:
    with freeze_time("2027-01-15 15:00:00", real_asyncio=True):
        await say(coach, team["maria"], "/okr wig add New ARR from 1.2M to 1.5M by June 30")
        await say(coach, team["ravi"], "/okr wig measure overdue leads")
    with freeze_time(MONDAY, real_asyncio=True):
        intro = await say(coach, team["ravi"], "/okr wig start")
    assert "Follow up overdue leads: no trade-show lead past its follow-up deadline." in intro


def test_the_wig_feature_reads_it_through_the_feature_interface() -> None:
    source = Path(__file__).parents[2] / "bot" / "features" / "wig.py"
    imported = {node.module for node in ast.walk(ast.parse(source.read_text()))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any("trade_shows" in name for name in imported)
