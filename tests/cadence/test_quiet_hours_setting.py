"""Quiet hours can be set (the team file's `quiet_hours` column), are kept and cleared
like the other columns, and move a prompt a rule places inside them; `schedule set`
says so when it sets a prompt at night."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.team_file import TeamFileError, read_team
from bot.core.quiet_hours import parse_quiet_hours
from storage import people
from storage.db import Database

HEADER = "email,name,role,manager_email,timezone,quiet_hours\n"


@pytest.mark.parametrize(("typed", "stored"), [
    ("21:00-07:00", "21:00-07:00"), ("21-7", "21:00-07:00"), ("9pm to 7am", "21:00-07:00"),
    ("22.30–6.30", "22:30-06:30"), ("12am-6am", "00:00-06:00"), ("13:00 until 14:00", "13:00-14:00"),
])
def test_quiet_hours_are_read_in_the_ways_people_write_them(typed: str, stored: str) -> None:
    assert parse_quiet_hours(typed) == stored


@pytest.mark.parametrize("typed", ["21:00", "25:00-07:00", "21:00-07:61", "13pm-2am", "7-7", "night", "21:00-"])
def test_a_span_that_is_not_one_is_reported_by_line(typed: str) -> None:
    with pytest.raises(TeamFileError) as caught:
        read_team(HEADER + f'a@x.com,A,rep,,UTC,"{typed}"\n')
    assert [str(p) for p in caught.value.problems] == [
        f"line 2: '{typed}' is not a span of quiet hours; write e.g. 21:00-07:00 (the person's own time; "
        "it may cross midnight), or leave it empty for none"]


async def _quiet(db: Database, text: str) -> tuple[tuple[int, int, int], tuple[str | None, str | None]]:
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        counts = await people.upsert_team(session, org.id, read_team(text))  # type: ignore[arg-type]
    async with db.session() as session:
        person = await people.by_email(session, "a@x.com")
        assert person is not None
        return tuple(counts), (person.quiet_start, person.quiet_end)  # type: ignore[return-value]


async def test_quiet_hours_are_stored_kept_when_absent_and_cleared_when_blank(db: Database) -> None:
    assert await _quiet(db, HEADER + "a@x.com,A,rep,,UTC,9pm-7am\n") == ((1, 0, 0), ("21:00", "07:00"))
    assert await _quiet(db, HEADER + "a@x.com,A,rep,,UTC,21:00-07:00\n") == ((0, 0, 1), ("21:00", "07:00"))
    no_column = "email,name,role,manager_email,timezone\na@x.com,A,rep,,UTC\n"
    assert await _quiet(db, no_column) == ((0, 0, 1), ("21:00", "07:00"))
    assert await _quiet(db, HEADER + "a@x.com,A,rep,,UTC,22:00-06:00\n") == ((0, 1, 0), ("22:00", "06:00"))
    assert await _quiet(db, HEADER + "a@x.com,A,rep,,UTC,\n") == ((0, 1, 0), (None, None))


def test_a_rule_at_night_is_moved_out_of_quiet_hours_and_schedule_set_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli.main import app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    team = tmp_path / "team.csv"
    team.write_text("email,name,role,manager_email,timezone,quiet_hours\n"
                    "kiri@x.com,Kiri,rep,,Pacific/Auckland,21:00-07:00\n"
                    "sam@x.com,Sam,rep,,America/Los_Angeles,\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["team", "import", str(team)]).exit_code == 0
    for email in ("kiri@x.com", "sam@x.com"):
        done = runner.invoke(app, ["schedule", "set", "checkin", "--user", email, "--at", "23:30", "--every", "1"])
        assert done.exit_code == 0, done.output
        assert "23:30 is outside usual working hours (07:00–21:00)" in done.output
    daytime = runner.invoke(app, ["schedule", "set", "wig", "--at", "10:00"])
    assert "outside usual working hours" not in daytime.output
    preview = runner.invoke(app, ["schedule", "preview", "--from", "2027-03-01", "--days", "7"],
                            env={"COLUMNS": "220"})
    lines = [line for line in preview.output.splitlines() if "check-in" in line.lower()]
    kiri = [line for line in lines if "kiri@" in line]
    sam = [line for line in lines if "sam@" in line]
    assert kiri and all("07:00 NZDT" in line and "23:30" not in line.split("NZDT")[0] for line in kiri), preview.output
    assert sam and any("23:30 PST" in line for line in sam), preview.output  # no quiet hours: as the rule says
    exported = runner.invoke(app, ["team", "export"]).output
    assert "quiet_hours" in exported.splitlines()[0] and "21:00-07:00" in exported
