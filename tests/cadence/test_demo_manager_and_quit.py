"""`coachbot demo` as a user would meet it: `--as` a manager (by e-mail or by name)
plays the manager with their team's view, not a rep's check-in about key results the
demo gave the manager; and a demo ended with its check-in prompt not started leaves no
prompt waiting (to be nudged about or counted as missed later): the next demo offers
the check-in again. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from storage import okrs, people
from storage.db import Database
from storage.models import Conversation, Occurrence

ROOT = Path(__file__).resolve().parents[2]
TEAM = ["--team", str(ROOT / "examples" / "team.csv")]


def _demo(url: str, *options: str, typed: str = "quit\n") -> str:
    from bot.cli.main import app

    result = CliRunner().invoke(app, ["demo", *options, *TEAM], input=typed, env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return result.output


def _state(url: str) -> tuple[list[Occurrence], list[Conversation], dict[str, int]]:
    """The demo prompts, the conversations, and how many objectives each person has."""
    async def read() -> tuple[list[Occurrence], list[Conversation], dict[str, int]]:
        db = Database(url)
        async with db.session() as session:
            rows = (await session.exec(select(Occurrence).where(Occurrence.key.contains(":demo-")))).all()
            talks = (await session.exec(select(Conversation))).all()
            org = await people.only_org(session)
            assert org is not None
            team = await people.team(session, org.id)  # type: ignore[arg-type]
            held = await okrs.objectives_for(session, [p.id for p in team])  # type: ignore[misc]
            counts = {p.email.split(".")[0]: len(held.get(p.id, [])) for p in team}  # type: ignore[arg-type]
        await db.dispose()
        return list(rows), list(talks), counts

    return asyncio.run(read())


@pytest.mark.parametrize("named", ["maria.manager@example.com", "Maria Manager"])
def test_a_demo_as_a_manager_shows_their_team_and_plants_no_check_in(private_db_url: str, named: str) -> None:
    out = _demo(private_db_url, "--as", named, typed="/okr team\nquit\n")
    assert "you are Maria Manager (maria.manager@example.com)" in out
    assert "Check-in prompts go to reps, not to you" in out
    assert "coachbot demo --as kiri.rep@example.com" in out  # which rep to play for the check-in
    assert "Skip this one" not in out and "Your manager then gets" not in out  # no rep's check-in card
    assert out.count("2 key results, 0% overall") == 4, out  # /okr team: each rep with the sample results
    rows, talks, objectives = _state(private_db_url)
    assert rows == [] and talks == []
    assert objectives == {"ada": 0, "maria": 0, "ravi": 1, "sam": 1, "noor": 1, "kiri": 1}


def test_a_demo_ended_with_its_check_in_not_started_leaves_none_waiting(private_db_url: str) -> None:
    first = _demo(private_db_url, "--as", "ravi.rep@example.com", typed="quit\n")
    assert "4. Skip this one" in first and "put it away" in first
    rows, talks, _ = _state(private_db_url)
    assert rows == [] and talks == []  # nothing left to nudge Ravi about on Slack, or to count as missed
    snoozed = _demo(private_db_url, "--as", "ravi.rep@example.com", typed="2\n")  # "In 2 hours", then Ctrl-D
    assert "due right now" in snoozed and "put it away" in snoozed
    assert _state(private_db_url)[0] == []  # not delivered by the next `coachbot run` two hours on either
    again = _demo(private_db_url, "--as", "ravi.rep@example.com", typed="1\n")  # offered again: Start now
    assert "due right now" in again and "put it away" not in again
    rows, talks, _ = _state(private_db_url)
    assert [r.status for r in rows] == ["answered"] and [t.status for t in talks] == ["active"]
