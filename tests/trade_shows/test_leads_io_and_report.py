"""Badge-scanner CSV import (errors by line, nothing half-imported, duplicates
merged), the CRM export through the command line, reassignment, a late lead naming
its event, an opportunity's value, and the report's figures against a fixture
computed by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.coach import Coach
from bot.features.trade_shows.csv_leads import import_leads, read_leads
from bot.features.trade_shows.report import figures
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def make_event(db: Database, team: dict[str, int], **values: object) -> Event:
    event = Event(org_id=team["org"], name="Web Summit", starts_on=date(2027, 11, 8), ends_on=date(2027, 11, 11),
                  location="Lisbon", timezone="Europe/Lisbon", created_by=team["maria"], **values)
    async with db.session() as session:
        return await event_names.add_event(session, event, [team["ravi"], team["sam"]])


async def leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


BADGES = """\ufeffFirst Name,Last Name,Company Name,E-mail,Rating,Notes,Scanned By,Badge ID
Ana,Silva,Farfetch,ana@farfetch.com,Hot,wants pricing,ravi@example.com,B1
Ben,Ode,,ben@ode,warm,,sam@example.com,B2
,,NoName Ltd,x@y.com,cold,,,B3
Carl,Berg,Volvo,carl@volvo.com,maybe,,,B4
Dina,Lee,Grab,dina@grab.com,cold,,nobody@example.com,B5
"""


async def test_a_badge_file_with_errors_imports_nothing_and_names_each_line(
        db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    added, merged, problems, _ = await import_leads(db, event, BADGES, team["maria"], utc(2027, 11, 9, 12))
    assert (added, merged) == (0, 0)
    assert [(p.line, p.code) for p in problems] == [
        (3, "bad_email"), (4, "no_name"), (5, "bad_temperature")]  # an unknown owner is a notice, not a problem
    assert await leads(db) == []


async def test_a_clean_badge_file_imports_and_merges_a_second_run(db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    clean = "Full Name,Company,Email,Rating,Comments,Scanned By\n" \
            "Ana Silva,Farfetch,ana@farfetch.com,Hot,wants pricing,ravi@example.com\n" \
            "\n" \
            "Ben Ode,,ben@ode.io,,,\n"
    assert (await import_leads(db, event, clean, team["maria"], utc(2027, 11, 9, 12)))[:2] == (2, 0)
    again = clean.replace("wants pricing", "asked for a call")
    assert (await import_leads(db, event, again, team["maria"], utc(2027, 11, 9, 13)))[:2] == (0, 2)
    ana, ben = await leads(db)
    assert (ana.owner_id, ana.temperature, ana.notes) == (team["ravi"], "hot", "wants pricing\nasked for a call")
    assert (ben.owner_id, ben.company, ben.temperature) == (team["maria"], None, None)


def test_a_file_without_a_name_column_is_refused_at_line_one() -> None:
    rows, problems = read_leads("Badge,Company\n1,Acme\n")
    assert rows == [] and [(p.line, p.code) for p in problems] == [(1, "no_name_column")]


def test_import_and_export_through_the_command_line(db: Database, team: dict[str, int], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("DATABASE_URL", db.url)
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Email\nAna Silva,ana@\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("Name,Company,Email\nAna Silva,Farfetch,ana@farfetch.com\n", encoding="utf-8")
    runner = CliRunner()
    with freeze_time("2027-11-09 12:00:00", real_asyncio=True):  # the event's second day
        result = runner.invoke(app, ["event", "import-leads", "Web Summit", str(good)])
        assert result.exit_code == 1 and 'no event is called "Web Summit"' in result.output
        asyncio.run(make_event(Database(db.url), team))
        result = runner.invoke(app, ["event", "import-leads", "web summit", str(bad)])
        assert result.exit_code == 1 and 'line 2: "ana@" is not an e-mail address' in result.output
        result = runner.invoke(app, ["event", "import-leads", "Web Summit", str(good), "--owner", "sam@example.com"])
        assert result.exit_code == 0 and "1 lead imported into Web Summit" in result.output
        result = runner.invoke(app, ["event", "export-leads", "--event", "Web Summit"])
        assert result.exit_code == 0
        [row] = list(csv.DictReader(io.StringIO(result.stdout)))
        assert (row["name"], row["company"], row["owner_email"], row["status"]) == (
            "Ana Silva", "Farfetch", "sam@example.com", "new")


async def test_reassign_late_capture_and_an_opportunity(coach: Coach, db: Database, team: dict[str, int],
                                                       outbox: RecordingChannel) -> None:
    await make_event(db, team, assigned_at=utc(2027, 11, 12, 1))
    with freeze_time("2027-11-15 10:00:00", real_asyncio=True):  # a Monday, after the event
        saved = await say(coach, team["ravi"], "/okr lead in Web Summit: Ana Silva, Farfetch, hot, call Friday")
        [ana] = await leads(db)
        assert f"Lead #{ana.id} saved for Web Summit" in saved
        n = ana.id
        assert ana.due_at == utc(2027, 11, 17, 12, 30)  # late: 3 working days from today, 18:00 Kolkata
        assert "can give a lead to someone else" in await say(coach, team["sam"], f"/okr lead {n} owner @sam")
        assert "can give a lead to someone else" in await say(coach, team["ravi"], f"/okr lead {n} owner @sam")
        assert f"Who should own lead #{n}" in await say(coach, team["maria"], f"/okr lead {n} owner @nobody")
        moved = await say(coach, team["maria"], f"/okr lead {n} owner @sam")
        assert "now belongs to Sam Seller" in moved
        assert any(f"gave you a lead: #{n} Ana Silva" in t for t in outbox.texts_for(team["sam"]))
        [ana] = await leads(db)
        assert ana.owner_id == team["sam"] and ana.due_at == utc(2027, 11, 18, 2)  # 18:00 Los Angeles
        snoozed = await say(coach, team["maria"], action=f"lead:snooze:{n}")  # the manager, on a report's lead
        assert "now due" in snoozed
        assert "What is the opportunity with Ana Silva worth" in await say(
            coach, team["sam"], action=f"lead:opportunity:{n}")
        assert "opportunity created (USD 25,000)" in await say(coach, team["sam"], "$25k")
        assert "already settled" in await say(coach, team["maria"], action=f"lead:snooze:{n}")  # settled: left
    [ana] = await leads(db)
    assert (ana.status, ana.value, ana.currency) == ("opportunity", 25000, "USD")
    assert ana.followed_up_at == utc(2027, 11, 15, 10)


def lead(n: int, by: int, temperature: str | None, status: str = "new", followed_hours: float | None = None,
         due_hours: float | None = 72, value: float | None = None) -> Lead:
    captured = utc(2027, 3, 1, 12)
    return Lead(id=n, org_id=1, owner_id=by, captured_by=by, name=f"L{n}", temperature=temperature, status=status,
                captured_at=captured, value=value, currency="EUR" if value else None,
                due_at=captured + timedelta(hours=due_hours) if due_hours is not None else None,
                followed_up_at=captured + timedelta(hours=followed_hours) if followed_hours is not None else None)


def test_the_report_figures_match_a_hand_computed_fixture() -> None:
    rows = [
        lead(1, 10, "hot", "meeting", followed_hours=10),                  # on time
        lead(2, 10, "hot", "opportunity", followed_hours=30, value=40000),  # on time
        lead(3, 10, "warm", "followed_up", followed_hours=100),            # late
        lead(4, 20, "cold", "new"),                                        # never
        lead(5, 20, None, "not_fit", followed_hours=50),                   # on time
        lead(6, 20, "warm", "opportunity", followed_hours=20, value=10000, due_hours=None),  # no deadline
    ]
    found = figures(rows, {10: "Ravi", 20: "Sam"})
    assert found.captured == 6
    assert found.temperatures == {"hot": 2, "warm": 2, "cold": 1, "unrated": 1}
    assert (found.with_deadline, found.on_time, found.on_time_percent) == (5, 3, 60.0)
    assert found.median_hours == 30.0  # of 10, 20, 30, 50, 100
    assert (found.meetings, found.opportunities, found.value, found.currency) == (1, 2, 50000.0, "EUR")
    assert [(p.name, p.captured, p.followed, p.on_time) for p in found.people] == [
        ("Ravi", 3, 3, 2), ("Sam", 3, 2, 1)]
