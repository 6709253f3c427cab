"""Newcomer F29: `coachbot demo --help` promises what the demo does (a rep's check-in
within a minute, as the README says), an unknown `--as` is said as a name or an
e-mail, and a throw-away demo as a manager advises a rep's run that also is one
(the database of `--fresh` is gone when the demo ends)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app

TEAM = ["--team", str(Path(__file__).resolve().parents[2] / "examples" / "team.csv")]


def test_demo_help_says_within_a_minute() -> None:
    shown = CliRunner().invoke(app, ["demo", "--help"], terminal_width=200).output
    assert "within a minute" in shown and "right away" not in shown


def test_an_unknown_as_is_said_as_a_name_or_an_e_mail(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    result = CliRunner().invoke(app, ["demo", "--as", "nobody", *TEAM], input="", env=env)
    assert result.exit_code == 1
    assert "Nobody on the team is called or has the e-mail \"nobody\"" in result.output, result.output
    assert "Nobody with the e-mail nobody" not in result.output


def test_a_fresh_demo_as_a_manager_advises_a_fresh_rep_run() -> None:
    result = CliRunner().invoke(app, ["demo", "--fresh", "--as", "Maria Manager", *TEAM], input="quit\n")
    assert result.exit_code == 0, result.output
    assert "coachbot demo --fresh --as kiri.rep@example.com" in result.output
