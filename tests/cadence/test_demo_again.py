"""`coachbot demo` run a second time on the same database: the team (and the sample key
results) are already there, so the introduction says they are reused, not imported
again. The first run's introduction is unchanged. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
DEMO = ["demo", "--as", "ravi.rep@example.com", "--team", str(ROOT / "examples" / "team.csv")]


def _demo(url: str) -> str:
    from bot.cli.main import app

    result = CliRunner().invoke(app, DEMO, input="quit\n", env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_second_demo_says_the_team_is_already_there(private_db_url: str) -> None:
    first = _demo(private_db_url)
    assert "coachbot demo: the sample team is imported, and you are Ravi" in first
    second = _demo(private_db_url)
    assert "imported," not in second
    assert ("coachbot demo: you are Ravi Rep (ravi.rep@example.com), from the team in this database "
            "(nothing imported); your key results from last time are kept.") in second
