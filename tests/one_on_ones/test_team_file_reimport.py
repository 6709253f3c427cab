"""The team file's `one_on_one` column imported again (the reviewer): an unchanged
rhythm leaves its series as it is (first meeting, alternating weeks, the manager's
`move to …`) and is counted as unchanged; a changed one replaces the series and is
counted as updated; an import after today's slot has passed never creates a meeting
today."""

from __future__ import annotations

import asyncio
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


def manager_moves(folder: Path, moment: str, text: str) -> str:
    """Maria types `/okr 1on1 @ravi …` in chat, on the database the CLI imported into."""
    from conftest import RecordingChannel, say

    from bot.core.channel import Channels
    from bot.core.settings import Settings
    from bot.runtime import build_coach
    from storage.db import Database

    async def go() -> str:
        db = Database(f"sqlite:///{folder / 'cli.db'}")
        try:
            coach = build_coach(db, Settings(database_url=db.url), Channels(RecordingChannel()))
            async with db.session() as session:
                from storage import people
                maria = await people.by_email(session, "maria@example.com")
            return await say(coach, maria.id, f"/okr 1on1 @ravi {text}")  # type: ignore[union-attr]
        finally:
            await db.dispose()

    with freeze_time(moment, real_asyncio=True):
        return asyncio.run(go())


def test_an_unchanged_file_imported_again_moves_no_meeting(cli_db: Path) -> None:
    path = team_file(cli_db, "every other Tuesday 10:00")
    first = imported(path, "2026-12-01 12:00")  # Tuesday 07:00 in New York
    assert ravis_meetings() == ["2026-12-01", "2026-12-15", "2026-12-29"]
    for moment in ("2026-12-08 12:00", "2026-12-15 15:15"):  # the off week; today's meeting's hour
        again = imported(path, moment)
        assert ravis_meetings() == ["2026-12-01", "2026-12-15", "2026-12-29"], moment
        assert "One-on-one series: 0 new, 0 updated" in again and "1 unchanged" in again, again
    assert "One-on-one series: 1 new, 0 updated" in first


def test_a_re_import_keeps_the_managers_move(cli_db: Path) -> None:
    path = team_file(cli_db, "every other Tuesday 10:00")
    imported(path, "2026-12-01 12:00")
    moved = manager_moves(cli_db, "2026-12-02 15:00", "move to Thursday 11:00")
    assert "Thursday at 11:00" in moved and "starting Thu 03 Dec" in moved, moved
    assert ravis_meetings("2026-12-02") == ["2026-12-03", "2026-12-17", "2026-12-31"]
    again = imported(path, "2026-12-09 12:00")
    assert ravis_meetings("2026-12-02") == ["2026-12-03", "2026-12-17", "2026-12-31"]
    assert "1 unchanged" in again, again


def test_a_changed_rhythm_replaces_the_series_and_is_counted_as_updated(cli_db: Path) -> None:
    imported(team_file(cli_db, "every other Tuesday 10:00"), "2026-12-01 12:00")
    changed = imported(team_file(cli_db, "every other Wednesday 09:30"), "2026-12-08 12:00")
    assert "One-on-one series: 0 new, 1 updated" in changed and "0 unchanged" in changed, changed
    assert ravis_meetings("2026-12-08", 20) == ["2026-12-09", "2026-12-23"]
    again = imported(team_file(cli_db, "every other Wed at 9:30am"), "2026-12-15 12:00")  # same rhythm, other words
    assert ravis_meetings("2026-12-08", 20) == ["2026-12-09", "2026-12-23"]
    assert "1 unchanged" in again
