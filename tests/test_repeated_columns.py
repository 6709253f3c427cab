"""Attacker F6: a file whose header names a column twice was imported silently, the
last copy winning in a team file (the person became the second `email` column's
address) and the first in a lead file. Which copy is meant cannot be guessed: the
header is refused, with its line, and nothing is changed."""

from __future__ import annotations

import pytest

import prompts
from bot.cli.team import TeamFileError, read_team
from bot.features.trade_shows.csv_leads import problem_lines, read_leads


@pytest.mark.parametrize("header, named", [
    ("email,name,role,manager_email,timezone,email", "email"),
    ("email,name,role,manager_email,timezone, Name ,NAME", "name"),
    ("email,name,role,manager_email,timezone,timezone,email", "email, timezone"),
])
def test_a_team_file_naming_a_column_twice_is_refused(header: str, named: str) -> None:
    text = header + "\nz@x.com,Z,rep,,Europe/Oslo,y@x.com,=cmd\n"
    with pytest.raises(TeamFileError) as caught:
        read_team(text)
    assert [str(p) for p in caught.value.problems] == [
        f"line 1: the header names the column(s) {named} more than once; keep one of each "
        "(which copy is meant cannot be guessed)"]


def test_unknown_columns_may_repeat() -> None:
    """Columns the import does not read change nothing, however often they appear."""
    [row] = read_team("email,name,role,manager_email,timezone,note,note\nz@x.com,Z,rep,,UTC,a,b\n")
    assert row.email == "z@x.com"


def test_a_lead_file_naming_a_column_twice_is_refused() -> None:
    rows, found = read_leads("Name,Company,Email,email\nAna,Acme,ana@acme.example,evil@x.example\n")
    assert rows == [] and [(p.line, p.code, p.detail) for p in found] == [(1, "duplicate_column", "Email")]
    shown = prompts.render("trade_shows/cli_import_failed", problems=problem_lines(found), file="leads.csv")
    assert "line 1: the header names the column(s) Email more than once" in shown


def test_a_lead_files_two_names_for_one_field_still_read_as_before() -> None:
    """"Rating" and "Priority" are both read as the temperature; an export with both
    is not a repeated column (the first still counts, as before)."""
    rows, found = read_leads("Name,Rating,Priority\nAna,hot,cold\n")
    assert found == [] and rows[0].lead.temperature == "hot"
