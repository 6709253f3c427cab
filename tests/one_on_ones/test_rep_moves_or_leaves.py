"""A rep who moves to another manager (a team file re-imported) or leaves: the old
manager's series ends, with the reason, and they are told once in one line; no brief,
agenda or notes prompt is sent after it (checked when sent, not only when the series
was set); `/okr 1on1`, the planner and the preview agree; a new manager does not read
the previous manager's action items."""

from __future__ import annotations

from dataclasses import replace

from conftest import SAMPLE_TEAM, say
from meeting_helpers import at, joined, meetings, utc
from sqlmodel import select
from test_series_and_steps import briefs_for

from bot.cadence.meetings import one_on_one_meetings
from bot.features import one_on_ones as feature
from bot.features.one_on_ones import meeting_steps
from storage import leavers, people
from storage.models import ActionItem, OneOnOne
from storage.people import TeamRow

MAX = TeamRow("max@example.com", "Max Manager", "manager", None, "America/New_York")


async def move_ravi_to_max(db, team) -> int:
    """The team file re-imported with Ravi's manager_email set to Max."""
    rows = [replace(r, manager_email="max@example.com") if r.email.startswith("ravi") else r for r in SAMPLE_TEAM]
    async with db.session() as session:
        await people.upsert_team(session, team["org"], [*rows, MAX])
        found = await people.by_email(session, "max@example.com")
    assert found is not None
    return found.id  # type: ignore[return-value]


async def series(db) -> list[OneOnOne]:
    async with db.session() as session:
        return list((await session.exec(select(OneOnOne).order_by(OneOnOne.id))).all())


async def test_a_rep_moved_to_another_manager_ends_the_old_series_and_nothing_more_is_sent(
        coach, team, db, outbox) -> None:
    maria, ravi = team["maria"], team["ravi"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, maria, "/okr 1on1 @ravi every other Tuesday 10:00")
        await say(coach, maria, "/okr 1on1 @sam every other Tuesday 11:00")
    await move_ravi_to_max(db, team)
    with at(utc(2027, 3, 1, 15, 5)):  # before any job ran: the list and the planner already agree
        listed = await say(coach, maria, "/okr 1on1")
        assert "Sam Seller" in listed and "Ravi" not in listed
        planned = await one_on_one_meetings(db, utc(2027, 3, 1), utc(2027, 3, 20))
        assert {m.rep_id for m in planned} == {team["sam"]}
    for moment in (utc(2027, 3, 1, 20), utc(2027, 3, 2, 13, 0), utc(2027, 3, 2, 13, 5), utc(2027, 3, 2, 15, 35)):
        with at(moment):  # Ravi's agenda time, Maria's brief time (twice), after the meeting
            await meeting_steps(coach)
    to_maria = outbox.texts_for(maria)
    lost = [t for t in to_maria if "have ended" in t]
    assert lost == ["Your one-on-ones with Ravi Rep have ended: Ravi now reports to someone else; "
                    "your past notes and action items stay with you."]
    assert not any("Ravi" in b for b in briefs_for(outbox, maria))
    assert not any("How did the one-on-one with Ravi go?" in t for t in to_maria)
    assert outbox.texts_for(ravi) == []
    [ravis, _] = await series(db)
    assert ravis.ended_at is not None and ravis.ended_reason == "moved"
    with at(utc(2027, 3, 3, 15)):
        assert "ended on 01 Mar 2027" not in await say(coach, maria, "/okr 1on1")
        assert "Ravi" not in await say(coach, maria, "/okr 1on1")


async def test_the_brief_is_checked_when_sent_not_only_when_the_meeting_was_planned(coach, team, db, outbox) -> None:
    """The meeting row exists (planned before the move): sending it now is refused."""
    maria = team["maria"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, maria, "/okr 1on1 @ravi every Tuesday 10:00")
    with at(utc(2027, 3, 1, 20)):
        await meeting_steps(coach)  # Ravi's agenda step: the meeting rows are stored
    [row, *_] = await meetings(db)
    await move_ravi_to_max(db, team)
    with at(utc(2027, 3, 2, 13, 0)):
        assert await feature._send_briefs(coach, [row], utc(2027, 3, 2, 13, 0)) == 0
        assert await feature._step(coach, row, "notes_asked_at", utc(2027, 3, 2, 13, 0), maria, []) == 0
    assert briefs_for(outbox, maria) == []
    assert [m.brief_at for m in await meetings(db)][0] is None  # not claimed either


async def test_a_rep_who_left_ends_the_series_with_that_reason(coach, team, db, outbox) -> None:
    maria = team["maria"]
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, maria, "/okr 1on1 @ravi every Tuesday 10:00")
    async with db.session() as session:  # left outside the CLI: the job still ends the series
        ravi = await people.get(session, team["ravi"])
        ravi.active = False  # type: ignore[union-attr]
        session.add(ravi)
    with at(utc(2027, 3, 2, 13, 0)):
        await meeting_steps(coach)
        await meeting_steps(coach)
    assert [t for t in outbox.texts_for(maria) if "have ended" in t] == [
        "Your one-on-ones with Ravi Rep have ended: Ravi is no longer on the team; "
        "your past notes and action items stay with you."]
    assert briefs_for(outbox, maria) == []
    assert (await series(db))[0].ended_reason == "left"


async def test_the_new_manager_does_not_read_the_previous_managers_action_items(coach, team, db) -> None:
    maria, ravi = team["maria"], team["ravi"]
    max_id = await move_ravi_to_max(db, team)
    async with db.session() as s:
        s.add_all([ActionItem(org_id=team["org"], manager_id=maria, rep_id=ravi, owner_id=ravi,
                              text="PIP discussion follow-up"),
                   ActionItem(org_id=team["org"], manager_id=maria, rep_id=ravi, owner_id=maria,
                              text="Maria: write Ravi's handover"),
                   ActionItem(org_id=team["org"], manager_id=max_id, rep_id=ravi, owner_id=ravi,
                              text="Ravi: book the ACME demo")])
    with at(utc(2027, 3, 3, 15)):
        mine = await say(coach, max_id, "/okr actions")
        one = await say(coach, max_id, "/okr actions @ravi")
        brief = await say(coach, max_id, "/okr brief @ravi")
        for shown in (mine, one, brief):
            assert "Ravi: book the ACME demo" in shown and "PIP discussion" not in shown, shown
            assert "handover" not in shown
        hers = await say(coach, maria, "/okr actions")
        assert "Maria: write Ravi's handover" in hers and "PIP discussion" not in hers
        assert "PIP discussion" in await say(coach, ravi, "/okr actions")  # the rep still has theirs


async def test_leaving_ends_series_and_returning_does_not_reopen_them(team, db) -> None:
    async with db.session() as session:
        from storage import one_on_ones as store

        await store.set_series(session, team["org"], team["maria"], team["sam"], "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU",
                               "10:00", None, None)
        sam = await people.get(session, team["sam"])
        assert await leavers.set_active(session, sam, False) == 1  # type: ignore[arg-type]
        assert [p.email for p in await leavers.active_not_in(session, team["org"], ["ADA@example.com"])] == [
            "maria@example.com", "ravi@example.com"]
        assert await leavers.set_active(session, sam, True) == 0  # type: ignore[arg-type]
    [ended] = await series(db)
    assert ended.ended_reason == "left" and ended.ended_at is not None
