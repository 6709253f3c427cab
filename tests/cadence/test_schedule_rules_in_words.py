"""Newcomer F30: `coachbot schedule set` and `schedule rules` say a rule in words
("every other Tuesday", the wording of `/okr 1on1`), not as RRULE text, and a rule
saved on a day someone does not work is saved with a word about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from storage.migrate import upgrade

TEAM = Path(__file__).resolve().parents[2] / "examples" / "team.csv"


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    result = CliRunner().invoke(app, ["team", "import", str(TEAM)])
    assert result.exit_code == 0, result.output
    return url


def test_rules_are_said_in_words_when_saved_and_listed(team_db: str) -> None:
    runner = CliRunner()
    saved = runner.invoke(app, ["schedule", "set", "wig", "--day", "thu", "--at", "16:00",
                                "--team", "maria.manager@example.com"])
    assert saved.exit_code == 0, saved.output
    assert "WIG session every Thursday at 16:00" in saved.output and "FREQ" not in saved.output
    other = runner.invoke(app, ["schedule", "set", "checkin", "--every", "2", "--day", "tue",
                                "--starting", "2027-01-05"])
    assert "OKR check-in every other Tuesday at 09:30" in other.output, other.output
    three = runner.invoke(app, ["schedule", "set", "checkin", "--every", "3", "--user", "ravi.rep@example.com"])
    assert "every 3 weeks on Tuesday" in three.output, three.output
    listed = runner.invoke(app, ["schedule", "rules"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "every Thursday" in listed.output and "every other Tuesday (from 2027-01-05)" in listed.output
    assert "FREQ" not in listed.output and "BYDAY" not in listed.output


def test_a_rule_on_someone_s_day_off_is_saved_with_a_warning(team_db: str) -> None:
    runner = CliRunner()
    weekend = runner.invoke(app, ["schedule", "set", "checkin", "--day", "sat", "--user", "noor.rep@example.com"])
    assert weekend.exit_code == 0, weekend.output
    assert "Saved" in weekend.output
    assert "Saturday is not a working day for noor.rep@example.com" in weekend.output, weekend.output
    team = runner.invoke(app, ["schedule", "set", "wig", "--day", "fri", "--team", "maria.manager@example.com"])
    assert "Friday is not a working day for noor.rep@example.com" in team.output, team.output
    assert "ravi.rep" not in team.output.split("not a working day")[1]  # only who is off that day
    weekday = runner.invoke(app, ["schedule", "set", "wig", "--day", "tue", "--team", "maria.manager@example.com"])
    assert "not a working day" not in weekday.output
    listed = runner.invoke(app, ["schedule", "rules"], env={"COLUMNS": "200"})
    assert "every other Saturday" in listed.output  # saved all the same
