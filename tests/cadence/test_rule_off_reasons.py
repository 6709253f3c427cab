"""A cadence switched off (or moved) re-plans what is already planned: every prompt it
can no longer produce is skipped with one reason, `rule_off` (or `rule_changed`), also
the future ones the planner had skipped earlier for an absence; past rows and other
cadences keep theirs. On SQLite and PostgreSQL (the statements are storage/planning.py's)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

import prompts
from bot.cadence import WIG
from bot.cadence.planner import replan
from storage import schedule
from storage.db import Database
from storage.models import Occurrence

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def _plan(db: Database, person_id: int) -> dict[str, tuple[str, str | None]]:
    await replan(db, [person_id], NOW)
    async with db.session() as session:
        rows = (await session.exec(select(Occurrence).where(Occurrence.person_id == person_id))).all()
    return {o.key.split(":", 2)[0] + ":" + o.key.split(":", 2)[2]: (o.status, o.reason) for o in rows}


@pytest.mark.parametrize(("enabled", "byday", "reason"), [(False, "MO", "rule_off"), (True, "WE", "rule_changed")])
async def test_stale_prompts_take_the_reason_of_the_rule_change(db: Database, team: dict[str, int], enabled: bool,
                                                                byday: str, reason: str) -> None:
    ravi = team["ravi"]
    async with db.session() as session:
        await schedule.add_absence(session, ravi, date(2026, 12, 7), date(2026, 12, 11))
    before = await _plan(db, ravi)
    assert before["wig:2026-12-07"] == ("skipped", "absence:2026-12-11")
    assert before["wig:2026-12-14"] == ("pending", None)
    checkins = {k: v for k, v in before.items() if k.startswith("okr_checkin")}
    async with db.session() as session:
        await schedule.upsert_rule(session, team["org"], WIG, f"FREQ=WEEKLY;BYDAY={byday}", "09:00", None,
                                   enabled, None, person_id=ravi)
    after = await _plan(db, ravi)
    assert after["wig:2026-12-07"] == ("skipped", reason)
    assert after["wig:2026-12-14"] == ("skipped", reason)
    assert {k: v for k, v in after.items() if k.startswith("okr_checkin")} == checkins
    assert await _plan(db, ravi) == after  # a second pass changes nothing
    words = prompts.render("cadence/reason", reason=reason)
    assert ("switched off" in words) == (reason == "rule_off")


async def test_a_rule_switched_off_reaches_the_prompts_planned_beyond_the_horizon(
        db: Database, team: dict[str, int]) -> None:
    """Re-planning covers 15 days, but rows are planned further out (an absence a
    month away plans past it; an early check-in). A cadence switched off must skip
    those too, or they go out when their day comes (a reviewer saw it sent)."""
    from datetime import timedelta

    ravi = team["ravi"]
    async with db.session() as session:
        await schedule.add_absence(session, ravi, date(2027, 1, 4), date(2027, 1, 8))
    await replan(db, [ravi], NOW, horizon=timedelta(days=45))  # what `/okr out` plans
    before = await _plan(db, ravi)
    assert before["wig:2027-01-11"] == ("pending", None)  # past the usual 15 days
    async with db.session() as session:
        await schedule.upsert_rule(session, team["org"], WIG, "FREQ=WEEKLY;BYDAY=MO", "09:00", None,
                                   False, None, person_id=ravi)
    after = await _plan(db, ravi)
    far = {k: v for k, v in after.items() if k.startswith("wig:") and k >= "wig:2026-12-16"}
    assert far and set(far.values()) == {("skipped", "rule_off")}, far
