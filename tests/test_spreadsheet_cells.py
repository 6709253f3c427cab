"""CSV that coachbot writes (exports, the team file, trade-show leads) is opened in
spreadsheets: text that would run as a formula (OWASP "CSV Injection") is written
with a leading apostrophe, and coachbot's own imports take it off again."""

from __future__ import annotations

import csv
import io

import pytest

from bot.cli.team_file import read_team, write_team
from storage.export import from_spreadsheet, spreadsheet_cell

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_written_inert_and_read_back_as_typed(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert cell == "'" + text
    assert from_spreadsheet(cell) == text


@pytest.mark.parametrize("value", ["Bo Boss", "+47 22 12 34 56", "-5", "+1 (555) 010-9999", "2027-01-04",
                                   5, -5.5, None, "", "'quoted already", "a=b", "O'Brien"])
def test_plain_text_phone_numbers_and_figures_are_left_as_they_are(value: object) -> None:
    assert spreadsheet_cell(value) == value
    if isinstance(value, str):
        assert from_spreadsheet(value) == value


def test_a_team_export_is_inert_in_a_spreadsheet_and_imports_back_unchanged() -> None:
    evil = '=HYPERLINK("http://evil.example","Bo")'
    text = write_team([{"email": "boss@x.com", "name": evil, "role": "manager", "manager_email": "",
                        "timezone": "Europe/Oslo"}])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "'" + evil
    [person] = read_team(text)
    assert person.name == evil


def test_a_lead_export_is_inert_in_a_spreadsheet() -> None:
    from datetime import UTC, datetime

    from bot.features.trade_shows.csv_leads import write_leads
    from storage.models import Lead

    lead = Lead(id=1, org_id=1, event_id=1, name="@SUM(1)", company="=1+1", phone="+47 22 12 34 56",
                owner_id=1, status="open", captured_at=datetime(2027, 1, 4, tzinfo=UTC),
                due_at=datetime(2027, 1, 7, tzinfo=UTC))
    [row] = list(csv.DictReader(io.StringIO(write_leads([lead], "Expo", {1: "rep@x.com"}))))
    assert (row["name"], row["company"], row["phone"]) == ("'@SUM(1)", "'=1+1", "+47 22 12 34 56")


async def test_coachbot_export_csv_is_inert_and_json_keeps_the_text() -> None:
    from storage.export import COLUMNS, write

    kind = next(iter(COLUMNS))
    first = COLUMNS[kind][0]

    async def rows():  # type: ignore[no-untyped-def]
        yield {first: "=1+1"}

    for fmt, expected in (("csv", "'=1+1"), ("json", "=1+1")):
        out = io.StringIO()
        await write(kind, rows(), fmt, out)
        assert expected in out.getvalue() and (fmt == "json" or "\n=1+1" not in out.getvalue())
