"""The team file's `one_on_one` column imported again (the reviewer): an unchanged
rhythm leaves its series as it is (first meeting, alternating weeks, the manager's
`move to …`) and is counted as unchanged; a changed one replaces the series and is
counted as updated; an import after today's slot has passed never creates a meeting
today."""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from bot.cli.main import app as coachbot
from storage.migrate import upgrade

HEADER = "email,name,role,manager_email,timezone,one_on_one\n"
ROWS = ("maria@example.com,Maria Manager,manager,,America/New_York,\n"
        "ravi@example.com,Ravi Rep,rep,maria@example.com,America/New_York,{rhythm}\n")


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return tmp_path


def team_file(folder: Path, rhythm: str) -> Path:
    path = folder / "team.csv"
    path.write_text(HEADER + ROWS.format(rhythm=rhythm))
    return path


def imported(path: Path, moment: str) -> str:
    with freeze_time(moment, real_asyncio=True):
        result = CliRunner().invoke(coachbot, ["team", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def ravis_meetings(start: str = "2026-12-01", days: int = 30) -> list[str]:
    """The local days of Maria's one-on-ones with Ravi in the preview, in order."""
    shown = CliRunner().invoke(coachbot, ["schedule", "preview", "--user", "maria@example.com", "--from", start,
                                          "--days", str(days)], env={"COLUMNS": "220"})
    assert shown.exit_code == 0, shown.output
    return [line.split("1:1 with Ravi Rep")[1].split("│")[1].split()[1] for line in shown.output.splitlines()
            if "1:1 with Ravi Rep" in line]


def test_an_import_after_todays_slot_starts_with_the_next_one(cli_db: Path) -> None:
    imported(team_file(cli_db, "every Thursday 09:00"), "2026-11-20 15:00")
    # Tuesday 1 Dec 2026, 10:15 in New York, a new rhythm: today's 10:00 has passed
    imported(team_file(cli_db, "every other Tuesday 10:00"), "2026-12-01 15:15")
    assert ravis_meetings() == ["2026-12-08", "2026-12-22"]
