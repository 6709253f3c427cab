"""Someone marked as left, named in a command (`/okr status @rep`, `/okr brief @rep`,
`/okr salary-prep @rep`), is said to have left, with since when; and a person who
left is not shown the conversation they left open when they open the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import say
from freezegun import freeze_time

from bot.core.coach import Coach
from storage import leavers, people
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]


async def mark_left(db: Database, person_id: int) -> None:
    async with db.session() as session:
        person = await people.get(session, person_id)
        assert person is not None
        await leavers.set_active(session, person, False)


@pytest.mark.parametrize("command", ["/okr status @ravi", "/okr brief @ravi", "/okr salary-prep @ravi",
                                     "/okr status ravi@example.com"])
async def test_a_report_who_left_is_said_to_have_left(coach: Coach, team: dict[str, int], db: Database,
                                                      command: str) -> None:
    with freeze_time("2026-12-01 03:00:00", real_asyncio=True):  # 30 November in New York
        await mark_left(db, team["ravi"])
    with freeze_time("2026-12-03 15:00:00", real_asyncio=True):
        for asker in ("maria", "ada"):  # the manager they had, an admin
            reply = await say(coach, team[asker], command)
            assert "Ravi Rep has left the team (since Mon 30 Nov 2026)" in reply if asker == "maria" \
                else "Ravi Rep has left the team (since Tue 1 Dec 2026)" in reply, reply
            assert "couldn't find" not in reply and "can't show" not in reply


async def test_nobody_else_learns_that_someone_left(coach: Coach, team: dict[str, int], db: Database) -> None:
    await mark_left(db, team["ravi"])
    async with db.session() as session:  # Sam leads a team of his own now, not Ravi
        sam = await people.get(session, team["sam"])
        assert sam is not None
        sam.role = "manager"
        session.add(sam)
    reply = await say(coach, team["sam"], "/okr status @ravi")
    assert "couldn't find" in reply and "has left" not in reply


def _coachbot(folder: Path, *args: str, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'coachbot.db'}"
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=folder, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_terminal_shows_someone_who_left_no_open_conversation(tmp_path: Path) -> None:
    _coachbot(tmp_path, "team", "import", str(ROOT / "examples" / "team.csv"))
    assert "What went well" in _coachbot(tmp_path, "chat", "--as", "ravi.rep@example.com", stdin="/okr goals\n")
    _coachbot(tmp_path, "person", "leave", "ravi.rep@example.com")
    shown = _coachbot(tmp_path, "chat", "--as", "ravi.rep@example.com", stdin="yes\n")
    assert "marked as having left" in shown
    assert "open last time" not in shown and "What went well" not in shown, shown
