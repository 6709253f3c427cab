"""`/okr quiet`: a person sets, sees and clears their own quiet hours in chat; the
prompts already planned inside them move to their end at once; anything unreadable
is asked again with an example, never guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cadence_helpers import at
from conftest import say
from sqlmodel import select

from bot.cadence import WIG
from bot.core.coach import Coach
from storage import people, schedule
from storage.db import Database
from storage.models import Occurrence

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tue 1 Dec, 11:30 in Kolkata


async def _wig_times(db: Database, person_id: int) -> dict[str, tuple[str, str | None]]:
    async with db.session() as session:
        rows = (await session.exec(select(Occurrence).where(
            Occurrence.person_id == person_id, Occurrence.kind == WIG, Occurrence.status == "pending"))).all()
    return {o.key: (o.due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"), o.reason) for o in rows}


async def test_quiet_hours_set_in_chat_move_the_planned_prompts_and_off_moves_them_back(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]  # Asia/Kolkata (UTC+5:30)
    async with db.session() as session:  # his WIG on Mondays at 22:30, his time
        await schedule.upsert_rule(session, team["org"], WIG, "FREQ=WEEKLY;BYDAY=MO", "22:30", None, True, None,
                                   person_id=ravi)
    with at(NOW):
        assert "You have no quiet hours" in await say(coach, ravi, "/okr quiet")
        said = await say(coach, ravi, "/okr quiet 9pm-7am")
        assert "Quiet hours set: 21:00–07:00, your time (Asia/Kolkata)" in said and "waits until 07:00" in said
        moved = await _wig_times(db, ravi)
        # Monday 7 Dec 22:30 IST waits for Tuesday 07:00 IST (01:30 UTC)
        assert moved[f"wig:{ravi}:2026-12-07"] == ("2026-12-08 01:30", "quiet_hours:07:00")
        assert "Your quiet hours are 21:00–07:00" in await say(coach, ravi, "/okr quiet")
        assert "Quiet hours cleared" in await say(coach, ravi, "/okr quiet off")
        back = await _wig_times(db, ravi)
        assert back[f"wig:{ravi}:2026-12-07"] == ("2026-12-07 17:00", None)  # 22:30 IST again
    async with db.session() as session:
        person = await people.get(session, ravi)
        assert person is not None and (person.quiet_start, person.quiet_end) == (None, None)


@pytest.mark.parametrize("typed", ["evenings", "21:00", "7-7", "25:00-07:00"])
async def test_unreadable_quiet_hours_are_asked_again_with_an_example_and_nothing_changes(
        coach: Coach, db: Database, team: dict[str, int], typed: str) -> None:
    with at(NOW):
        said = await say(coach, team["sam"], f"/okr quiet {typed}")
    assert f'I couldn\'t read "{typed}" as quiet hours' in said and "/okr quiet 21:00-07:00" in said
    async with db.session() as session:
        person = await people.get(session, team["sam"])
        assert person is not None and person.quiet_start is None


async def test_help_lists_the_quiet_command(coach: Coach, team: dict[str, int]) -> None:
    assert "/okr quiet" in await say(coach, team["sam"], "/okr help")
