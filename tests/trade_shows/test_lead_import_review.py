"""Badge-scanner import, review of the lead import: files as spreadsheets save them
(semicolon, tab, Excel's `sep=;`, UTF-16; a header without a name column shown as
read), 20,000 rows without a unit of work per row (one read of the event, bulk
inserts, progress), a bounded `/okr lead` listing, owners who must be at the
event, the hottest rating kept on a merge, and no import before the event."""

from __future__ import annotations

import codecs
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import say
from freezegun import freeze_time
from sqlalchemy import event as sa_event
from sqlmodel import select
from typer.testing import CliRunner

import prompts
from bot.channels.slack.blocks import MAX_BLOCKS, combined
from bot.channels.teams.cards import cards_for, size
from bot.cli.main import app
from bot.core import csv_files
from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.features.trade_shows.base import LISTED
from bot.features.trade_shows.csv_leads import NotStarted, import_leads, problem_lines, read_leads
from storage import event_names
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Lead


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


DURING = utc(2027, 11, 9, 12)  # Web Summit, Lisbon, 8-11 November 2027


async def make_event(db: Database, team: dict[str, int], attendees: tuple[str, ...] = ("ravi", "sam"),
                     **values: object) -> Event:
    event = Event(org_id=team["org"], name="Web Summit", starts_on=date(2027, 11, 8), ends_on=date(2027, 11, 11),
                  location="Lisbon", timezone="Europe/Lisbon", created_by=team["maria"], **values)
    async with db.session() as session:
        return await event_names.add_event(session, event, [team[a] for a in attendees])


async def leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


SEMI = "First Name;Last Name;Company;Email;Rating\r\nJörg;Müller;Acme GmbH;j@acme.de;hot\r\n"


@pytest.mark.parametrize(("name", "data"), [
    ("semicolon", SEMI.encode()),
    ("BOM and Excel's sep= line", ("\ufeffsep=;\r\n" + SEMI).encode()),
    ("tab", SEMI.replace(";", "\t").encode()),
    ("UTF-16 with its BOM (Excel's Unicode Text: tab separated)",
     codecs.BOM_UTF16_LE + SEMI.replace(";", "\t").encode("utf-16-le")),
    ("UTF-8 BOM, comma", ("\ufeff" + SEMI.replace(";", ",")).encode()),
])
def test_every_spreadsheet_dialect_reads_the_same_lead(name: str, data: bytes) -> None:
    rows, problems = read_leads(csv_files.decode(data))
    assert problems == [], name
    assert [(r.lead.name, r.lead.company, r.lead.email, r.lead.temperature) for r in rows] == [
        ("Jörg Müller", "Acme GmbH", "j@acme.de", "hot")], name


def test_a_latin_1_file_is_refused_with_its_line_never_guessed() -> None:
    with pytest.raises(csv_files.NotUTF8) as caught:
        csv_files.decode("Full Name,Company\r\nJörg Müller,Acme\r\n".encode("latin-1"))
    assert caught.value.line == 2


def test_a_header_without_a_name_column_is_shown_as_read() -> None:
    rows, problems = read_leads("sep=;\nBadge;Firma\n1;Acme\n")
    assert rows == [] and [(p.line, p.code) for p in problems] == [(2, "no_name_column")]
    said = prompts.render("trade_shows/cli_import_failed", problems=problem_lines(problems), file="x.csv")
    assert "line 2: the header has no name column" in said
    assert "Read with semicolon as the separator, the header was: Badge | Firma" in said


async def test_a_big_file_is_one_read_of_the_event_and_a_few_bulk_inserts(
        db: Database, team: dict[str, int]) -> None:
    """600 rows (a tenth scanned twice) after the event's leads were assigned: a
    handful of statements, not two units of work per row; progress is counted; every
    new lead has its deadline in its owner's calendar."""
    event = await make_event(db, team, assigned_at=utc(2027, 11, 12, 1))
    lines = ["Full Name,Company,Email,Rating,Scanned By"]
    lines += [f"P{i % 540},Co{i % 540},p{i % 540}@x.com,hot,{('ravi', 'sam')[i % 2]}@example.com" for i in range(600)]
    statements: list[str] = []
    listen = (db.engine.sync_engine, "before_cursor_execute")

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa_event.listen(*listen, count)
    advanced: list[int] = []
    try:
        done = await import_leads(db, event, "\n".join(lines), team["maria"], utc(2027, 11, 15, 9),
                                  advanced.append)
    finally:
        sa_event.remove(*listen, count)
    assert (done.added, done.merged, done.problems) == (540, 60, [])
    assert sum(advanced) >= 540
    reads_of_leads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM lead" in s]
    assert len(reads_of_leads) == 1
    assert len(statements) < 40, len(statements)
    stored = await leads(db)
    assert len(stored) == 540 and all(lead.due_at is not None for lead in stored)


async def test_a_later_cooler_scan_does_not_cool_a_lead(db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    text = "Name,Email,Rating\nJane Roe,jane@acme.com,hot\nJane Roe,JANE@acme.com,cold\nJ. Roe,jane@acme.com,warm\n"
    assert (await import_leads(db, event, text, team["maria"], DURING))[:2] == (1, 2)
    again = "Name,Email,Rating\nJane Roe,jane@acme.com,cold\n"
    assert (await import_leads(db, event, again, team["maria"], DURING))[:2] == (0, 1)
    [jane] = await leads(db)
    assert jane.temperature == "hot"


async def test_an_owner_must_be_at_the_event_else_the_row_goes_to_the_default(
        db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team, attendees=("ravi",))  # Sam is not there; Ada is an admin elsewhere
    text = ("Name,Scanned By\nA One,ravi@example.com\nB Two,ada@example.com\nC Three,sam@example.com\n"
            "D Four,maria@example.com\nE Five,\n")
    done = await import_leads(db, event, text, team["maria"], DURING)
    assert (done.added, done.problems) == (5, [])
    assert [(p.line, p.code, p.detail) for p in done.notices] == [
        (3, "owner_not_at_event", "ada@example.com"), (4, "owner_not_at_event", "sam@example.com")]
    assert [(lead.name, lead.owner_id) for lead in await leads(db)] == [
        ("A One", team["ravi"]), ("B Two", team["maria"]), ("C Three", team["maria"]),
        ("D Four", team["maria"]), ("E Five", team["maria"])]
    said = prompts.render("trade_shows/cli_imported", added=5, merged=0, name="Web Summit",
                          notices=problem_lines(done.notices), owner=None)
    assert "2 rows named an owner who cannot own a lead of Web Summit" in said
    assert "line 3: ada@example.com is not at Web Summit; the new lead goes to maria@example.com" in said


async def test_the_manager_of_an_attendee_may_own_a_lead(db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team, attendees=("ravi",))
    event.created_by = team["ada"]  # Maria did not register it, but manages Ravi
    async with db.session() as session:
        await store.save(session, event)
    done = await import_leads(db, event, "Name,Owner\nA One,maria@example.com\n", team["ada"], DURING)
    assert done.notices == [] and (await leads(db))[0].owner_id == team["maria"]


async def test_no_import_before_the_event_begins_at_its_venue(db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    with pytest.raises(NotStarted):  # 23:30 on the 7th in Lisbon
        await import_leads(db, event, "Name\nAna Silva\n", team["maria"], utc(2027, 11, 7, 23, 30))
    assert await leads(db) == []
    done = await import_leads(db, event, "Name\nAna Silva\n", team["maria"], utc(2027, 11, 8, 0, 30))
    assert done.added == 1  # 00:30 on the first day in Lisbon


def test_the_command_says_when_the_event_begins(db: Database, team: dict[str, int], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    asyncio.run(make_event(Database(db.url), team))
    monkeypatch.setenv("DATABASE_URL", db.url)
    file = tmp_path / "early.csv"
    file.write_text("Name\nAna Silva\n", encoding="utf-8")
    with freeze_time("2027-11-07 12:00:00", real_asyncio=True):
        result = CliRunner().invoke(app, ["event", "import-leads", "Web Summit", str(file)])
    assert result.exit_code == 1 and "Web Summit starts on 2027-11-08" in result.output


async def test_a_manager_s_listing_is_the_most_urgent_few_within_one_slack_message(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team, assigned_at=utc(2027, 11, 12, 1))
    base = utc(2027, 11, 16, 18)
    async with db.session() as session:
        for i in range(30):  # the first three late, then due in turn; five with no deadline yet
            due = None if i >= 25 else base + timedelta(days=i - 3)
            session.add(Lead(org_id=team["org"], event_id=event.id, owner_id=team[("ravi", "sam")[i % 2]],
                             captured_by=team["ravi"], name=f"Lead {i:02d}", temperature="hot", due_at=due,
                             captured_at=utc(2027, 11, 9, 12)))
    with freeze_time("2027-11-16 12:00:00", real_asyncio=True):
        replies = await coach.handle(Inbound(person_id=team["maria"], platform="test", text="/okr lead"))
    cards = [m for m in replies if m.key and m.key.startswith("lead:")]
    assert len(cards) == LISTED
    shown = [next(f"Lead {i:02d}" for i in range(30) if f"Lead {i:02d}" in c.plain()) for c in cards]
    assert shown == [f"Lead {i:02d}" for i in range(LISTED)]  # overdue first, then the soonest deadlines
    head = replies[0].plain()
    assert head.startswith("Your team's open leads, with who owns each (30; the 10 most urgent below")
    assert "The other 20" in head and 'coachbot event export-leads --event "Web Summit"' in head
    assert "(30 open)" in head
    posts = combined(replies)
    assert len(posts) == 1 and len(posts[0].blocks) <= MAX_BLOCKS
    assert all(size(card) <= 28_000 for card in cards_for(replies))


async def test_a_rep_with_few_leads_sees_them_all_without_a_count_of_the_rest(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    async with db.session() as session:
        session.add(Lead(org_id=team["org"], event_id=event.id, owner_id=team["ravi"], captured_by=team["ravi"],
                         name="Ana Silva", captured_at=DURING))
    with freeze_time("2027-11-09 15:00:00", real_asyncio=True):
        answer = await say(coach, team["ravi"], "/okr lead")
    assert answer.startswith("Your open leads (1):") and "export-leads" not in answer
