"""`/okr status` and `/okr team`: progress bars and confidence, and who may see whose."""

from __future__ import annotations

from datetime import date

from conftest import say

from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from storage import okrs, people
from storage.db import Database
from storage.models import KeyResult


async def seed(db: Database, org: int, owner: int) -> None:
    async with db.session() as session:
        first = await okrs.create_objective(session, org, owner, "Win mid-market", "2027", 1, [
            {"title": "Close 12 new logos", "target": 12, "unit": "logos", "due": "2027-06-30"},
            {"title": "Sign $250k", "target": 250_000, "unit": "USD"},
        ])
        first.key_results[0].current_value = 3
        first.key_results[1].current_value = 200_000
        first.key_results[1].confidence = "at_risk"
        churn = await okrs.create_objective(session, org, owner, "Keep customers", "2027", 2, [
            {"title": "Cut churn from 12% to 6%", "target": 6, "start": 12, "unit": "%"},
        ])
        churn.key_results[0].current_value = 9
        churn.key_results[0].confidence = "off_track"
        for kr in first.key_results + churn.key_results:
            session.add(kr)
        old = await okrs.create_objective(session, org, owner, "Last year's thing", "2026", 1,
                                          [{"title": "Old", "target": 1}])
        old.objective.status = "replaced"
        session.add(old.objective)


async def ask(coach: Coach, person: int, text: str) -> list[Message]:
    return await coach.handle(Inbound(person_id=person, platform="test", text=text))


async def test_own_status_with_bars_and_confidence(coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team["org"], team["ravi"])
    replies = await ask(coach, team["ravi"], "/okr status")
    assert all(m.private for m in replies)
    header, first, second = replies
    assert header.title == "Your objectives and key results"
    assert "2 objectives and 3 key results for 2027" in header.text
    # the count beside its words ("4 ⚪ not rated yet" read as a confidence of 4)
    assert "Key results by confidence: 🟡 1 at risk, 🔴 1 off track, ⚪ 1 not rated yet" in header.text
    assert first.text == "*1. Win mid-market*"
    bars = {b.label: b for b in first.progress + second.progress}
    assert bars["Close 12 new logos"].ratio == 0.25
    # the due day as the `day` filter shows every day (not US-only "Jun 30, 2027")
    assert bars["Close 12 new logos"].caption == "3 of 12 logos · ⚪ not rated yet · due Wed 30 Jun 2027"
    assert bars["Sign $250k"].ratio == 0.8
    assert bars["Sign $250k"].caption.startswith("$200,000 of $250,000 · 🟡 at risk")
    assert bars["Cut churn from 12% to 6%"].ratio == 0.5          # counts down from 12 to 6
    assert "Last year's thing" not in "\n".join(m.plain() for m in replies)
    assert "█████░░░░░░░░░░░░░░░ 25%" in first.plain()


async def test_no_okrs_yet_points_to_goal_setting(coach: Coach, team: dict[str, int]) -> None:
    assert "`/okr goals`" in await say(coach, team["sam"], "/okr status")


async def test_a_manager_sees_a_report_by_mention_email_or_handle(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team["org"], team["ravi"])
    for ref in ("@ravi", "ravi@example.com", "@U0RAVI", "@ravi@example.com", "Ravi Rep"):
        replies = await ask(coach, team["maria"], f"/okr status {ref}")
        assert replies[0].title == "Ravi Rep's objectives and key results", ref
    assert "doesn't have any objectives" in await say(coach, team["maria"], "/okr status @sam")
    assert "among the people you lead" in await say(coach, team["maria"], "/okr status @ada")
    assert "among the people you lead" in await say(coach, team["maria"], "/okr status @nobody")


async def test_a_rep_may_not_see_someone_else(coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team["org"], team["sam"])
    refused = await say(coach, team["ravi"], "/okr status @sam")
    assert "only show you your own" in refused and "Win mid-market" not in refused
    assert "for managers and admins only" in await say(coach, team["ravi"], "/okr team")
    assert "only show you your own" in await say(coach, team["ravi"], "/okr status team")


async def test_team_scorecard_for_a_manager_and_an_admin(coach: Coach, team: dict[str, int],
                                                         db: Database) -> None:
    await seed(db, team["org"], team["ravi"])
    replies = await ask(coach, team["maria"], "/okr team")
    assert "2 people" in replies[0].text
    ravi, sam = replies[1], replies[2]
    assert ravi.title == "Ravi Rep" and sam.title == "Sam Seller"
    assert "3 key results" in ravi.text and "1 🟡 at risk" in ravi.text and "1 🔴 off track" in ravi.text
    assert [b.label for b in ravi.progress] == ["Win mid-market", "Keep customers"]
    assert "No objectives yet" in sam.text
    same = await ask(coach, team["maria"], "/okr status team")
    assert [m.title for m in same] == [m.title for m in replies]
    admin = await ask(coach, team["ada"], "/okr team")
    assert [m.title for m in admin[1:]] == ["Ravi Rep", "Maria Manager", "Sam Seller"]  # off track first
    assert (await ask(coach, team["ada"], "/okr status @sam"))[0].text.startswith("Sam Seller doesn't")


async def test_progress_is_clamped_and_handles_a_flat_target() -> None:
    kr = KeyResult(objective_id=1, title="x", start_value=5, target_value=5, current_value=5)
    assert kr.progress == 1.0
    kr = KeyResult(objective_id=1, title="x", start_value=0, target_value=10, current_value=14,
                   due_on=date(2027, 1, 1))
    assert kr.progress == 1.0
    kr.current_value = -3
    assert kr.progress == 0.0


async def test_a_key_result_past_a_flat_target_is_done_in_status_and_home_alike(
        coach: Coach, team: dict[str, int]) -> None:
    """start = target = 10 and current = 12 used to show 100 % in the App Home and 0 %
    in /okr status: one definition of progress now serves both (at or past the target
    is done)."""
    async with coach.db.session() as session:
        kept = await okrs.create_objective(session, team["org"], team["ravi"], "Hold the base", "2027", 1, [
            {"title": "Keep 10 key accounts", "target": 10, "start": 10, "unit": "accounts"}])
        kept.key_results[0].current_value = 12
        session.add(kept.key_results[0])
        ravi = await people.get(session, team["ravi"])
    assert ravi is not None
    status_bars = [bar for m in await ask(coach, team["ravi"], "/okr status") for bar in m.progress]
    home_bars = [bar for m in await coach.home(ravi) for bar in m.progress]
    assert [b.ratio for b in status_bars if b.label == "Keep 10 key accounts"] == [1.0]
    assert [b.ratio for b in home_bars if b.label == "Keep 10 key accounts"] == [1.0]
