"""`coachbot schedule preview` and `coachbot demo`, through typer's test runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.schedule_cli import demo, schedule_app
from storage.migrate import upgrade

TEAM = Path(__file__).resolve().parents[2] / "examples" / "team.csv"


def app() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(schedule_app, name="schedule")
    root.command()(demo)
    return root


@pytest.fixture
def team_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from bot.cli import app as coachbot

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    result = CliRunner().invoke(coachbot, ["team", "import", str(TEAM)])
    assert result.exit_code == 0, result.output
    return url


def test_preview_shows_local_and_utc_time_and_why_a_prompt_moved(team_db: str) -> None:
    result = CliRunner().invoke(app(), ["schedule", "preview", "--from", "2026-12-27", "--days", "3"],
                                env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    out = result.output
    # Kiri (Auckland): Monday 28 December is the observed Boxing Day holiday in NZ
    kiri = [line for line in out.splitlines() if "kiri.rep" in line]
    assert any("Tue 2026-12-29 09:00 NZDT" in line and "2026-12-28 20:00" in line and "moved" in line
               for line in kiri), out
    assert "Boxing Day" in out and "rule said Mon 2026-12-28 09:00" in out
    # Noor works Sunday to Thursday (Dubai): her WIG is on Sunday
    assert "Sun 2026-12-27 09:00 +04" in out


def test_preview_for_one_user_and_an_unknown_one(team_db: str) -> None:
    one = CliRunner().invoke(app(), ["schedule", "preview", "--user", "ravi.rep@example.com",
                                     "--from", "2027-01-04", "--days", "7"], env={"COLUMNS": "220"})
    assert one.exit_code == 0, one.output
    assert "ravi.rep" in one.output and "sam.seller" not in one.output
    assert "2027-01-04 03:30" in one.output  # Monday 09:00 in Kolkata
    unknown = CliRunner().invoke(app(), ["schedule", "preview", "--user", "nobody@example.com"])
    assert unknown.exit_code == 1


def test_demo_delivers_a_check_in_right_away(tmp_path: Path) -> None:
    answers = "1\n5\non track\n400k\nat risk\nWaiting for legal\nCall two leads every morning\n"
    result = CliRunner().invoke(app(), ["demo", "--as", "ravi.rep@example.com", "--team", str(TEAM)],
                                input=answers, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    again = CliRunner().invoke(app(), ["demo", "--fresh"], input="", env={"DATABASE_URL": "sqlite:///nowhere.db"})
    assert again.exit_code == 0 and "Hi Kiri" in again.output, again.output
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Hi Ravi, two weeks have gone by" in out
    assert "Ravi Rep just finished the OKR check-in" in out  # the manager's copy, labelled
    assert "30–45 minutes in the calendar with Maria" in out
