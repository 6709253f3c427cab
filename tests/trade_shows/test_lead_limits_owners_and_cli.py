"""Review 3 of the lead paths (badge-scanner import, `/okr lead`, the lead form):

1. every field a lead stores is held to a limit no longer than its column, e-mail
   (320) and phone (64) included: refused with the limit (a line of the file, a
   re-ask in chat, the form's field), never cut and never a database error (an
   e-mail of 400 characters crashed PostgreSQL with StringDataRightTruncation);
2. an owner e-mail nobody in the team has (scanners keep staff names or device ids
   there) goes to the default owner with a notice, as one not at the event does;
3. the notice says where each such row's lead ended: a new lead's owner, or the
   lead it merged into, which keeps its owner;
4. the command says plainly: a folder, the file given before the event's name, a
   cell over the csv module's size limit, a header with no rows under it.

On SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import say
from freezegun import freeze_time
from sqlalchemy import Text
from sqlmodel import select
from typer.testing import CliRunner

import prompts
from bot.cli.main import app
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.features.trade_shows.csv_leads import import_leads, problem_lines, read_leads
from bot.features.trade_shows.lead_form import LEAD_FORM, form_message
from bot.features.trade_shows.parsing import LIMITS, ParsedLead, lead_from_fields
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead

DURING = datetime(2027, 11, 9, 12, tzinfo=UTC)  # Web Summit, Lisbon, 8-11 November 2027
COLUMN = {"name": "name", "company": "company", "email": "email", "phone": "phone", "note": "notes"}
LONG_EMAIL = "a" * 400 + "@x.com"
LONG_PHONE = "+47 " + "9" * 80


async def make_event(db: Database, team: dict[str, int], attendees: tuple[str, ...] = ("ravi", "sam")) -> Event:
    event = Event(org_id=team["org"], name="Web Summit", starts_on=date(2027, 11, 8), ends_on=date(2027, 11, 11),
                  location="Lisbon", timezone="Europe/Lisbon", created_by=team["maria"])
    async with db.session() as session:
        return await event_names.add_event(session, event, [team[a] for a in attendees])


async def stored(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


def at_limit(field: str) -> str:
    """A value of `field` exactly at its limit, valid for its field."""
    size = LIMITS[field]
    if field == "email":
        return "j" * (size - len("@acme.com")) + "@acme.com"
    if field == "phone":
        return "+1 " + "5" * (size - 3)
    return "x" * size


# --- 1. every stored field has a limit within its column ----------------------------


def test_every_field_a_lead_stores_has_a_limit_no_longer_than_its_column() -> None:
    typed = {name for name in ParsedLead.__dataclass_fields__ if name != "temperature"}  # temperature: one of 3 words
    assert set(LIMITS) == typed
    table = Lead.__table__  # type: ignore[attr-defined]
    for field, column in COLUMN.items():
        kind = table.c[column].type
        assert isinstance(kind, Text) and kind.length is None or LIMITS[field] <= kind.length, (field, kind)


def test_an_email_longer_than_its_column_is_a_problem_with_its_line() -> None:
    rows, problems = read_leads(f"Full Name,Email\nJane Roe,{LONG_EMAIL}\n")
    assert [(p.line, p.code, p.detail) for p in problems] == [(2, "email_too_long", "320")]
    said = prompts.render("trade_shows/cli_import_failed", problems=problem_lines(problems), file="x.csv")
    assert "line 2: the e-mail is longer than 320 characters" in said


def test_a_phone_longer_than_its_column_is_refused_not_cut() -> None:
    rows, problems = read_leads(f"Full Name,Phone\nJane Roe,{LONG_PHONE}\n")
    assert [(p.line, p.code, p.detail) for p in problems] == [(2, "phone_too_long", "64")]
    said = prompts.render("trade_shows/cli_import_failed", problems=problem_lines(problems), file="x.csv")
    assert "line 2: the phone number is longer than 64 characters" in said


def test_every_field_over_its_limit_on_one_line_is_named() -> None:
    over = {field: at_limit(field) + "5" if field == "phone" else "y" + at_limit(field) for field in LIMITS}
    text = "Name,Company,Email,Phone,Notes\n" + ",".join(over[f] for f in ("name", "company", "email", "phone",
                                                                          "note")) + "\n"
    _, problems = read_leads(text)
    assert [(p.line, p.code, p.detail) for p in problems] == [
        (2, f"{field}_too_long", str(LIMITS[field])) for field in LIMITS]


async def test_a_file_with_every_field_at_its_limit_is_stored_whole_and_one_over_stores_nothing(
        db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    values = [at_limit(f) for f in ("name", "company", "email", "phone", "note")]
    full = "Name,Company,Email,Phone,Notes\n" + ",".join(values) + "\n"
    done = await import_leads(db, event, full, team["maria"], DURING)
    assert (done.added, done.problems) == (1, [])
    [lead] = await stored(db)
    assert [lead.name, lead.company, lead.email, lead.phone, lead.notes] == values
    over = f"Name,Email,Phone\nAna Silva,{LONG_EMAIL},\nBen Ode,,{LONG_PHONE}\n"
    done = await import_leads(db, event, over, team["maria"], DURING)
    assert [(p.line, p.code) for p in done.problems] == [(2, "email_too_long"), (3, "phone_too_long")]
    assert len(await stored(db)) == 1


async def test_a_chat_lead_with_a_too_long_email_or_phone_is_asked_again_with_the_limit(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await make_event(db, team)
    with freeze_time("2027-11-09 12:00:00", real_asyncio=True):
        email = await say(coach, team["ravi"], f"/okr lead Jane Roe, Acme, hot, {LONG_EMAIL}")
        phone = await say(coach, team["ravi"], f"lead: Jane Roe, Acme, hot, {LONG_PHONE}")
        fits = await say(coach, team["ravi"], f"/okr lead Jane Roe, Acme, hot, {at_limit('email')} "
                                              f"{at_limit('phone')}")
    assert email.startswith("That e-mail address is longer than 320 characters") and "nothing was saved" in email
    assert phone.startswith("That phone number is longer than 64 characters") and "For example" in phone
    assert "saved" in fits
    [lead] = await stored(db)
    assert (lead.email, lead.phone) == (at_limit("email"), at_limit("phone"))


async def test_the_lead_form_refuses_a_too_long_email_or_phone_at_its_field(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    event = await make_event(db, team)
    assert lead_from_fields({"name": "Jane", "email": LONG_EMAIL, "phone": LONG_PHONE})[1] == {
        "email": "email_too_long", "phone": "phone_too_long"}
    limits = {f.name: f.max_length for f in form_message([]).form.fields}  # type: ignore[union-attr]
    assert (limits["email"], limits["phone"]) == (320, 64)
    with freeze_time("2027-11-09 12:00:00", real_asyncio=True):
        replies: list[Message] = await coach.handle(Inbound(
            person_id=team["ravi"], platform="test", action=LEAD_FORM,
            values={"name": "Jane Roe", "email": LONG_EMAIL, "event": str(event.id)}))
    [form] = replies
    errors = {f.name: f.error for f in form.form.fields}  # type: ignore[union-attr]
    assert errors["email"] == "at most 320 characters"
    assert await stored(db) == []


# --- 2 and 3. owners not on the team, and where a noticed row's lead ended ----------


async def test_an_owner_nobody_in_the_team_has_goes_to_the_default_owner_with_a_notice(
        db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    text = ("Name,Scanned By\nA One,ravi@example.com\nB Two,Scanner-07\nC Three,nobody@nowhere.com\n"
            "D Four,sam@example.com\n")
    done = await import_leads(db, event, text, team["maria"], DURING)
    assert (done.added, done.problems) == (4, [])
    assert [(p.line, p.code, p.detail, p.owner) for p in done.notices] == [
        (3, "owner_not_on_team", "Scanner-07", "maria@example.com"),
        (4, "owner_not_on_team", "nobody@nowhere.com", "maria@example.com")]
    assert [lead.owner_id for lead in await stored(db)] == [team["ravi"], team["maria"], team["maria"], team["sam"]]
    said = prompts.render("trade_shows/cli_imported", added=4, merged=0, name="Web Summit",
                          notices=problem_lines(done.notices), owner=None)
    assert ("line 4: nobody@nowhere.com is not the e-mail of anyone on the team; "
            "the new lead goes to maria@example.com") in said


async def test_a_noticed_row_that_merges_says_the_lead_kept_its_owner(
        db: Database, team: dict[str, int]) -> None:
    event = await make_event(db, team)
    first = await import_leads(db, event, "Name,Email,Owner\nJane Roe,jane@acme.com,ravi@example.com\n",
                               team["maria"], DURING)
    [jane] = await stored(db)
    text = ("Name,Email,Owner\n"
            "Jane Roe,JANE@acme.com,nobody@nowhere.com\n"  # merges into Ravi's lead: stays Ravi's
            "Ana Silva,ana@x.com,ada@example.com\n"  # new: goes to the default (Sam)
            "Ana Silva,ana@x.com,Scanner-07\n")  # merges with line 3's new lead: Sam's
    done = await import_leads(db, event, text, team["sam"], DURING)
    assert first.added == 1 and (done.added, done.merged) == (1, 2)
    assert [(p.line, p.owner, p.merged_into, p.merged_with) for p in done.notices] == [
        (2, "ravi@example.com", jane.id, None), (3, "sam@example.com", None, None),
        (4, "sam@example.com", None, 3)]
    assert [lead.owner_id for lead in await stored(db)] == [team["ravi"], team["sam"]]
    said = prompts.render("trade_shows/cli_imported", added=1, merged=2, name="Web Summit",
                          notices=problem_lines(done.notices), owner="sam@example.com")
    assert f"line 2: nobody@nowhere.com is not the e-mail of anyone on the team; merged into lead #{jane.id}, " \
           "which keeps its owner ravi@example.com" in said
    assert "line 3: ada@example.com is not at Web Summit; the new lead goes to sam@example.com" in said
    assert "line 4: Scanner-07 is not the e-mail of anyone on the team; merged with the lead of line 3, " \
           "which goes to sam@example.com" in said


# --- 4. the command's words ---------------------------------------------------------


@pytest.fixture
def cli(db: Database, team: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    asyncio.run(make_event(Database(db.url), team))
    monkeypatch.setenv("DATABASE_URL", db.url)
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    with freeze_time("2027-11-09 12:00:00", real_asyncio=True):
        result = runner.invoke(app, ["event", "import-leads", *args])
    return result.exit_code, result.output


def test_a_folder_given_as_the_file_is_called_a_folder(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    code, said = run(cli, "Web Summit", str(folder))
    assert code == 1 and f'"{folder}" is a folder, not a file' in said


def test_the_file_given_before_the_event_s_name_says_the_name_comes_first(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "badges.csv"
    file.write_text("Name\nAna Silva\n", encoding="utf-8")
    code, said = run(cli, str(file), "Web Summit")
    assert code == 1 and "the event's name comes first, then the file" in said
    assert f'coachbot event import-leads "Web Summit" "{file}"' in said
    assert "there is no file \"Web Summit\" to import" not in said


def test_a_cell_too_large_for_csv_names_its_line_and_the_limit(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "badges.csv"
    file.write_text("Name,Notes\nAna Silva,ok\nBen Ode," + "n" * 140_000 + "\n", encoding="utf-8")
    code, said = run(cli, "Web Summit", str(file))
    assert code == 1 and "line 3: a cell starting on this line is larger than 131072 characters" in said
    assert "field larger than field limit" not in said
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('Name,Notes\nAna Silva,"wants a demo\n' + "Ben Ode,ok\n" * 20_000, encoding="utf-8")
    code, said = run(cli, "Web Summit", str(unclosed))
    assert code == 1 and "line 2: a cell starting on this line is larger than 131072 characters" in said
    assert "unclosed" in said


def test_a_header_without_rows_says_so_rather_than_none_imported(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "badges.csv"
    file.write_text("Full Name,Company,Email\n\n", encoding="utf-8")
    code, said = run(cli, "Web Summit", str(file))
    assert code == 1 and "the file has no rows under its header (line 1)" in said
    assert "0 leads imported" not in said


def test_the_command_line_reports_an_unknown_owner_after_importing(cli: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "badges.csv"
    file.write_text("Name,Scanned By\nAna Silva,nobody@nowhere.com\n", encoding="utf-8")
    code, said = run(cli, "Web Summit", str(file), "--owner", "sam@example.com")
    assert code == 0 and "1 lead imported into Web Summit" in said
    assert ("line 2: nobody@nowhere.com is not the e-mail of anyone on the team; "
            "the new lead goes to sam@example.com") in said
