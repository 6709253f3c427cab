"""An OKR check-in left open while the plan is made again (`/okr goals`) is brought up
to date when it is picked up again (bot/features/checkin_resume.py): a key result
replaced is not asked about, a new one is, an answer given for one no longer in the
plan is named as not kept (to the rep and to the manager), on every path that picks
the check-in up (an answer typed, `/okr checkin`, the reminder, a continue button,
"stay" at the park question, the terminal's next run); and the notes at the end are
drawn from what was stored, whatever the conversation held."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.clock import now
from bot.core.coach import Coach, Turn
from bot.core.messages import Inbound
from bot.features.checkin import record_checkin
from bot.features.conversations import remind_abandoned
from storage import conversations, okrs, people
from storage.db import Database
from storage.models import CheckInAnswer, KeyResult, Objective

TODAY = "2027-01-11 06:00:00"     # Monday, 11:30 in Kolkata (Ravi)
LATER = "2027-01-12 06:00:00"     # the next day: past the reminder's idle time
LOGOS = "*New logos*"
WIN_RATE = "*Win rate*"
DEALS = "*Close 3 enterprise deals*"
MEETINGS = "*First meetings*"
CHANGED = "Your key results changed since this check-in started"
BLOCKERS = "What is slowing you down"


async def _plan(db: Database, ravi: int, org: int, new: bool = False) -> None:
    """Ravi's 2027 plan: the first one, or the one made again (as `save_goals` stores it)."""
    async with db.session() as session:
        if not new:
            await okrs.create_objective(session, org, ravi, "Grow new business", "2027", 1, [
                {"title": "New logos", "target": 12, "unit": "logos", "current": 1},
                {"title": "Win rate", "target": 25, "unit": "%", "start": 20},
                {"title": "First meetings", "target": 6, "unit": "meetings", "kind": "rate", "per": "week"}])
            return
        await okrs.replace_period(session, ravi, "2027")
        await okrs.create_objective(session, org, ravi, "Win big", "2027", 1, [
            {"title": "Close 3 enterprise deals", "target": 3, "unit": "deals"}])


async def _left_open(coach: Coach, ravi: int) -> None:
    """Ravi answers "New logos" (2, on track) and stops at "Win rate"'s value."""
    assert LOGOS in await say(coach, ravi, "/okr checkin")
    await say(coach, ravi, "2")
    assert WIN_RATE in await say(coach, ravi, "on track")


async def _finish(coach: Coach, ravi: int, resumed: str) -> str:
    """After the pick-up's reply: told what changed, asked the new key result, not the
    replaced one; the check-in's end (the replies to Ravi)."""
    assert CHANGED in resumed and '"New logos" can\'t be kept' in resumed, resumed
    assert '"Win rate"' in resumed and DEALS in resumed and WIN_RATE not in resumed, resumed
    await say(coach, ravi, "1")
    assert BLOCKERS in await say(coach, ravi, "on track")
    await say(coach, ravi, "skip")
    return await say(coach, ravi, "skip")


async def _stored(db: Database, outbox: RecordingChannel, team: dict[str, int], done: str) -> None:
    """Only what was stored is said to be: the new key result moved, nothing else."""
    async with db.session() as session:
        rows = (await session.exec(select(CheckInAnswer).where(CheckInAnswer.question == "key_result"))).all()
        krs = {k.title: k for k in (await session.exec(select(KeyResult))).all()}
    assert [(r.key_result_id, r.value) for r in rows] == [(krs["Close 3 enterprise deals"].id, 1)]
    assert (krs["New logos"].current_value, krs["New logos"].confidence) == (1, "unrated")
    assert '"New logos" were not kept' in done and "other key results are up to date" in done, done
    [note] = outbox.texts_for(team["maria"])
    assert "Close 3 enterprise deals: 1 of 3 deals, first reading" in note, note
    assert "New logos:" not in note and 'these were not kept: "New logos"' in note, note


# --- 1. every path that picks the check-in up --------------------------------------------------

async def test_an_answer_typed_for_the_replaced_key_result_is_not_taken(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        await _plan(db, ravi, team["org"], new=True)
        done = await _finish(coach, ravi, await say(coach, ravi, "22%"))  # typed for Win rate: asked again
    await _stored(db, outbox, team, done)


async def test_okr_checkin_picks_the_check_in_up_with_the_plan_now(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        await _plan(db, ravi, team["org"], new=True)
        resumed = await say(coach, ravi, "/okr checkin")
        assert "Welcome back" in resumed
        done = await _finish(coach, ravi, resumed)
    await _stored(db, outbox, team, done)


async def test_the_reminder_asks_about_the_new_plan(coach: Coach, db: Database, team: dict[str, int],
                                                    outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        await _plan(db, ravi, team["org"], new=True)
    with freeze_time(LATER, real_asyncio=True):
        assert await remind_abandoned(coach) == 1
        reminded = "\n".join(outbox.texts_for(ravi))
        outbox.sent.clear()
        done = await _finish(coach, ravi, reminded)
    await _stored(db, outbox, team, done)


async def _parked(coach: Coach, db: Database, team: dict[str, int]) -> str:
    """The check-in parked for `/okr goals`, the plan made again, goal setting left:
    the "continue" button offered at its end."""
    ravi = team["ravi"]
    await _left_open(coach, ravi)
    assert "Shall I park it" in await say(coach, ravi, "/okr goals")
    assert "parked" in await say(coach, ravi, action="park")
    await _plan(db, ravi, team["org"], new=True)
    offer = (await coach.handle(Inbound(person_id=ravi, platform="test", text="cancel")))[-1]
    [choice] = offer.choices
    return choice.value


async def test_the_continue_button_of_a_parked_check_in(coach: Coach, db: Database, team: dict[str, int],
                                                        outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        button = await _parked(coach, db, team)
        resumed = await say(coach, ravi, action=button)
        assert "Welcome back" in resumed
        done = await _finish(coach, ravi, resumed)
    await _stored(db, outbox, team, done)


async def test_okr_checkin_picks_up_a_parked_check_in(coach: Coach, db: Database, team: dict[str, int],
                                                      outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _parked(coach, db, team)
        done = await _finish(coach, ravi, await say(coach, ravi, "/okr checkin"))
    await _stored(db, outbox, team, done)


async def test_stay_at_the_park_question_and_an_old_continue_button(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        async with db.session() as session:
            row = await conversations.active(session, ravi)
        assert row is not None
        await say(coach, ravi, "/okr discover ACME")
        await _plan(db, ravi, team["org"], new=True)
        stayed = await say(coach, ravi, action="stay")
        assert "carry on" in stayed and CHANGED in stayed and DEALS in stayed and WIN_RATE not in stayed, stayed
        kept = await say(coach, ravi, action=f"resume:{row.id}")  # its own old continue button
        assert "carry on" in kept and DEALS in kept and CHANGED not in kept, kept
        await say(coach, ravi, "1")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "skip")
        done = await say(coach, ravi, "skip")
    await _stored(db, outbox, team, done)


# --- 2. what the check-in already asked -------------------------------------------------------

async def test_a_key_result_added_after_the_key_results_is_asked_and_answers_kept(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    """Ravi is at the blockers when a second objective is added to his plan: the
    check-in goes back to ask its key result, keeping every answer given."""
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, ravi, "/okr checkin")
        assert BLOCKERS in await say(coach, ravi, "all unchanged")
        async with db.session() as session:
            await okrs.create_objective(session, team["org"], ravi, "Win big", "2027", 2, [
                {"title": "Close 3 enterprise deals", "target": 3, "unit": "deals"}])
        back = await say(coach, ravi, "Pricing approvals")  # typed for the blockers: asked again
        assert "I'll ask about \"Close 3 enterprise deals\" too" in back and DEALS in back, back
        await say(coach, ravi, "1")
        assert BLOCKERS in await say(coach, ravi, "on track")
        await say(coach, ravi, "Pricing approvals")
        done = await say(coach, ravi, "skip")
    assert "Your key results are up to date" in done and "not kept" not in done, done
    async with db.session() as session:
        rows = (await session.exec(select(CheckInAnswer).where(CheckInAnswer.question == "key_result"))).all()
    assert len(rows) == 4


async def test_an_answer_for_the_same_measure_in_the_new_plan_is_kept(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    """"New logos" (12) became "New logos" (15) in a new plan: the 2 given stays."""
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        async with db.session() as session:
            await okrs.replace_period(session, ravi, "2027")
            await okrs.create_objective(session, team["org"], ravi, "Grow", "2027", 1, [
                {"title": "New logos", "target": 15, "unit": "logos", "current": 1}])
        resumed = await say(coach, ravi, "22%")
        assert CHANGED in resumed and "can't be kept" not in resumed and BLOCKERS in resumed, resumed
        await say(coach, ravi, "skip")
        done = await say(coach, ravi, "skip")
    assert "Your key results are up to date" in done, done
    async with db.session() as session:
        logos = (await session.exec(select(KeyResult).join(Objective).where(Objective.status == "active"))).one()
    assert (logos.target_value, logos.current_value, logos.confidence) == (15, 2, "on_track")


# --- 3. the notes come from what was stored -------------------------------------------------

async def test_the_notes_name_answers_that_were_not_stored(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    """Without any resume (the end action given a check-in's raw answers about a key
    result no longer active): nothing is claimed that was not stored."""
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    async with db.session() as session:
        logos = (await session.exec(select(KeyResult).where(KeyResult.title == "New logos"))).one()
        person = await people.get(session, ravi)
    assert person is not None
    await _plan(db, ravi, team["org"], new=True)
    update = {"id": logos.id, "title": "New logos", "unit": "logos", "target": 12, "kind": "total",
              "value": 2, "previous": 1, "confidence": "on_track", "was": "unrated"}
    with freeze_time(TODAY, real_asyncio=True):
        turn = Turn(coach, person, Inbound(person_id=ravi, platform="test", text=""), now())
        [reply] = await record_checkin(turn, {"answers": {"updates": [update]}, "context": {}})
    assert '"New logos" were not kept' in reply.text and "up to date" not in reply.text, reply.text
    [note] = outbox.texts_for(team["maria"])
    assert "New logos:" not in note and 'these were not kept: "New logos"' in note, note


# --- 4. the terminal's next run ---------------------------------------------------------------

def _coachbot(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'coachbot.db'}"
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=folder, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("run", ["chat", "demo"])
def test_the_next_terminal_run_shows_the_check_in_with_the_plan_now(tmp_path: Path, run: str) -> None:
    import asyncio

    _coachbot(tmp_path, "team", "import", str(Path(__file__).resolve().parents[1] / "examples" / "team.csv"))
    database = Database(f"sqlite:///{tmp_path / 'coachbot.db'}")

    async def plan(new: bool) -> None:
        async with database.session() as session:
            ravi = await people.by_email(session, "ravi.rep@example.com")
        assert ravi is not None
        await _plan(database, ravi.id, ravi.org_id, new)  # type: ignore[arg-type]

    asyncio.run(plan(False))
    chat = ("chat", "--as", "ravi.rep@example.com")
    first = _coachbot(tmp_path, *chat, stdin="/okr checkin\n2\non track\n")
    assert WIN_RATE in first.stdout, first.stdout
    asyncio.run(plan(True))
    again = _coachbot(tmp_path, run, "--as", "ravi.rep@example.com").stdout
    assert "open last time" in again and CHANGED in again and DEALS in again, again
    assert WIN_RATE not in again, again


# --- 5. the reviewer's path: the plan made again through /okr goals ------------------------------

GOALS = ["We won three big deals through referrals", "skip", "New territory in the north",
         "Be the partner customers trust", "Follow up within a day",
         "Win mid-market", "done", "skip", "Close 12 new logos by end of Q2", "yes", "no",
         "10", "90%", "20%", "A third from services",
         "$1.2M", "skip", "skip", "25%", "$40k", "63",
         "Better discovery calls", "first", "all", "Negotiation coaching", "Team lead in two years",
         "Two history books", "biweekly"]


async def test_a_check_in_parked_for_goal_setting_asks_about_the_new_plan(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, ravi)
        await say(coach, ravi, "/okr goals")
        await say(coach, ravi, action="park")
        for line in GOALS:
            await say(coach, ravi, line)
        end = (await coach.handle(Inbound(person_id=ravi, platform="test", text="yes")))[-1]
        outbox.sent.clear()
        [button] = end.choices
        resumed = await say(coach, ravi, action=button.value)
        assert CHANGED in resumed and '"New logos" can\'t be kept' in resumed, resumed
        assert "*Close 12 new logos by end of Q2*" in resumed and WIN_RATE not in resumed, resumed
        await say(coach, ravi, "2")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "all unchanged")
        await say(coach, ravi, "skip")
        done = await say(coach, ravi, "skip")
    assert '"New logos" were not kept' in done, done
    async with db.session() as session:
        logos = (await session.exec(select(KeyResult).where(
            KeyResult.title == "Close 12 new logos by end of Q2"))).one()
        old = (await session.exec(select(KeyResult).where(KeyResult.title == "New logos"))).one()
    assert (logos.current_value, logos.confidence) == (2, "on_track")
    assert old.current_value == 1
    [note] = outbox.texts_for(team["maria"])
    assert "Close 12 new logos by end of Q2: 2 of 12 logos, first reading" in note and "New logos:" not in note, note


async def test_a_resumed_read_back_names_its_key_result(coach: Coach, team: dict[str, int], db: Database) -> None:
    """"That's 10, more than three times … Is that right?" asked again after a pause
    says which key result it is about (the question that named it is not shown again)."""
    ravi = team["ravi"]
    await _plan(db, ravi, team["org"])  # type: ignore[arg-type]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, ravi, "/okr checkin")
        asked = await say(coach, ravi, "10")
        assert "Is that right?" in asked and LOGOS not in asked, asked
        resumed = await say(coach, ravi, "/okr checkin")
    assert "Is that right?" in resumed and LOGOS in resumed, resumed
