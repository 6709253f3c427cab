"""A weekly WIG session left open is brought up to date when it is picked up again
(bot/features/wig_resume.py): a WIG closed since is not asked about and gets no
reading, one added since is asked about, readings already given are stored once, on
every path that picks the session up (an answer typed, `/okr wig start`, the
reminder, a continue button, "stay" at the park question, the terminal's next run);
and a reading `/okr wig update` stored meanwhile wins over the session's older one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.features.conversations import remind_abandoned
from storage import conversations
from storage.db import Database
from storage.models import Commitment, LeadMeasure, LeadMeasureEntry, Wig, WigReading

TODAY = "2026-11-30 15:00:00"     # Monday, 10:00 in New York (Maria)
LATER = "2026-12-01 15:00:00"     # the next day, 10:00 in New York: past the reminder's idle time
REVENUE = 'Where does "Revenue" stand today?'
DEMOS = 'Where does "Demos" stand today?'
COMMIT = "Which one or two things will you commit to"
CHANGED = 'Your team\'s WIGs changed since this session started: "Revenue" was closed'


async def _readings(db: Database) -> dict[str, list[float]]:
    """Every stored lag reading, by WIG title."""
    async with db.session() as session:
        titles = {w.id: w.title for w in (await session.exec(select(Wig))).all()}
        out: dict[str, list[float]] = {}
        for r in (await session.exec(select(WigReading).order_by(WigReading.id))).all():  # type: ignore[arg-type]
            out.setdefault(titles[r.wig_id], []).append(r.value)
        return out


async def _left_open(coach: Coach, maria: int) -> None:
    """Maria answers her first WIG's value and stops at the second's."""
    await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
    await say(coach, maria, "/okr wig add Revenue from 0 to 100 USD by 2027-06-30")
    await say(coach, maria, "/okr wig start")
    assert REVENUE in await say(coach, maria, "5")


async def _close_and_add(coach: Coach, maria: int) -> None:
    assert "is closed" in await say(coach, maria, "/okr wig close 2")
    assert "WIG 2 is set: Demos" in await say(coach, maria, "/okr wig add Demos from 0 to 50 demos by 2027-06-30")


async def _finish(coach: Coach, maria: int, resumed: str) -> None:
    """After the pick-up's reply `resumed`: the new WIG asked, not the closed one."""
    assert CHANGED in resumed and '"Demos" was added' in resumed, resumed
    assert DEMOS in resumed and REVENUE not in resumed, resumed
    assert COMMIT in await say(coach, maria, "7")
    assert "Another one?" in await say(coach, maria, "Call five lapsed customers")
    assert "Done, Maria" in await say(coach, maria, "done")


# --- 1. every path that picks the session up -----------------------------------------------

async def test_an_answer_typed_for_the_closed_wig_is_not_taken(coach: Coach, db: Database,
                                                               team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, maria)
        await _close_and_add(coach, maria)
        await _finish(coach, maria, await say(coach, maria, "60"))  # typed for Revenue: asked again, not kept
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


async def test_wig_start_picks_the_session_up_with_the_wigs_now(coach: Coach, db: Database,
                                                                team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, maria)
        await _close_and_add(coach, maria)
        resumed = await say(coach, maria, "/okr wig start")
        assert "Welcome back" in resumed
        await _finish(coach, maria, resumed)
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


async def test_the_reminder_asks_about_the_wig_added_since(coach: Coach, db: Database, team: dict[str, int],
                                                           outbox: RecordingChannel) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, maria)
        await _close_and_add(coach, maria)
    with freeze_time(LATER, real_asyncio=True):
        assert await remind_abandoned(coach) == 1
        reminded = "\n".join(outbox.texts_for(maria))
        assert "half-way through" in reminded
        await _finish(coach, maria, reminded)
        assert await remind_abandoned(coach) == 0  # the pick-up's own save is no new silence
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


async def _parked(coach: Coach, maria: int) -> str:
    """The session parked for a discovery conversation, the WIGs changed, the discovery
    cancelled: the "continue" button offered at its end."""
    await _left_open(coach, maria)
    await say(coach, maria, "/okr discover ACME")
    assert "parked" in await say(coach, maria, action="park")
    await _close_and_add(coach, maria)
    offer = (await coach.handle(Inbound(person_id=maria, platform="test", text="cancel")))[-1]
    [choice] = offer.choices
    return choice.value


async def test_the_continue_button_of_a_parked_session(coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        button = await _parked(coach, maria)
        resumed = await say(coach, maria, action=button)
        assert "Welcome back" in resumed
        await _finish(coach, maria, resumed)
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


async def test_wig_start_picks_up_a_parked_session(coach: Coach, db: Database, team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _parked(coach, maria)
        await _finish(coach, maria, await say(coach, maria, "/okr wig start"))
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


async def test_stay_at_the_park_question_and_an_old_continue_button(coach: Coach, db: Database,
                                                                    team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, maria)
        async with db.session() as session:
            row = await conversations.active(session, maria)
        assert row is not None
        await say(coach, maria, "/okr discover ACME")
        await _close_and_add(coach, maria)
        stayed = await say(coach, maria, action="stay")
        assert "carry on" in stayed and DEMOS in stayed and REVENUE not in stayed, stayed
        kept = await say(coach, maria, action=f"resume:{row.id}")  # its own old continue button
        assert "carry on" in kept and DEMOS in kept and REVENUE not in kept and CHANGED not in kept, kept
        assert COMMIT in await say(coach, maria, "7")
        assert "Another one?" in await say(coach, maria, "Call five lapsed customers")
        await say(coach, maria, "done")
    assert await _readings(db) == {"Logos": [5], "Demos": [7]}


# --- 2. what the session already asked --------------------------------------------------------

async def test_a_wig_added_after_its_values_were_given_is_asked_and_every_answer_is_kept_once(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """Maria is at her commitments, both values given, when WIG 2 closes and Demos is
    added: the session goes back to ask Demos' value, keeps the 60 she gave for
    Revenue while it was open, and asks for her commitments once more."""
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _left_open(coach, maria)
        assert COMMIT in await say(coach, maria, "60")
        await _close_and_add(coach, maria)
        back = await say(coach, maria, "Call five lapsed customers")  # typed for the commitments: asked again
        assert '"Demos" was added' in back and DEMOS in back and COMMIT not in back, back
        assert COMMIT in await say(coach, maria, "7")
        assert "Another one?" in await say(coach, maria, "Call five lapsed customers")
        assert "Done, Maria" in await say(coach, maria, "done")
    assert await _readings(db) == {"Logos": [5], "Revenue": [60], "Demos": [7]}
    async with db.session() as session:
        assert len((await session.exec(select(Commitment))).all()) == 1


async def test_a_rep_is_asked_the_lead_measures_of_the_wigs_now(coach: Coach, db: Database,
                                                                team: dict[str, int]) -> None:
    maria, ravi = team["maria"], team["ravi"]
    with freeze_time(TODAY, real_asyncio=True):
        await say(coach, maria, "/okr wig add Logos from 0 to 40 deals by 2027-06-30")
        await say(coach, maria, "/okr wig add Revenue from 0 to 100 USD by 2027-06-30")
        await say(coach, maria, "/okr wig measure Calls, 10 per week for 1")
        await say(coach, maria, "/okr wig measure Proposals, 3 per week for 2")
        assert "Calls" in await say(coach, ravi, "/okr wig start")
        assert "Proposals" in await say(coach, ravi, "8")
        await _close_and_add(coach, maria)
        await say(coach, maria, "/okr wig measure Visits, 4 per week for 2")
        resumed = await say(coach, ravi, "3")  # typed for Proposals, whose WIG closed: asked again
        assert "Visits" in resumed and "Proposals" not in resumed.split("too.")[-1], resumed
        assert COMMIT in await say(coach, ravi, "4")
        assert "Another one?" in await say(coach, ravi, "Call five lapsed customers")
        await say(coach, ravi, "done")
    async with db.session() as session:
        titles = {m.id: m.title for m in (await session.exec(select(LeadMeasure))).all()}
        entries = {titles[e.lead_measure_id]: e.value for e in (await session.exec(select(LeadMeasureEntry))).all()}
    assert entries == {"Calls": 8, "Visits": 4}


# --- 3. a reading /okr wig update stored meanwhile wins ------------------------------------------

async def _at_read_back(coach: Coach, maria: int) -> None:
    await say(coach, maria, "/okr wig add Pipeline from 0 to 500 deals by 2027-06-30")
    await say(coach, maria, "/okr wig update 1 100")
    await say(coach, maria, "/okr wig start")
    asked = await say(coach, maria, "400")
    assert "the 100 deals of its last reading" in asked, asked
    assert COMMIT not in asked


async def test_a_newer_update_drops_the_value_waiting_for_a_yes(coach: Coach, db: Database,
                                                                team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _at_read_back(coach, maria)
        assert "now stands at 150 deals" in await say(coach, maria, "/okr wig update 1 150")
        yes = await say(coach, maria, "yes")
        assert "has a newer reading since: 150 deals" in yes and "dropped the 400 deals" in yes, yes
        assert 'Where does "Pipeline" stand today?' in yes and COMMIT not in yes, yes
        again = await say(coach, maria, "1000")  # read back against the newer reading
        assert "the 150 deals of its last reading" in again and COMMIT not in again, again
        assert COMMIT in await say(coach, maria, "160")
        assert "Another one?" in await say(coach, maria, "Call five lapsed customers")
        await say(coach, maria, "done")
    assert await _readings(db) == {"Pipeline": [160]}


async def test_a_newer_update_wins_over_a_value_given_earlier_in_the_session(coach: Coach, db: Database,
                                                                              team: dict[str, int]) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _at_read_back(coach, maria)
        assert COMMIT in await say(coach, maria, "yes")  # 400 given in the session
        await say(coach, maria, "/okr wig update 1 150")
        more = await say(coach, maria, "Call five lapsed customers")
        assert "dropped the 400 deals" in more and "Another one?" in more, more
        assert "Done, Maria" in await say(coach, maria, "done")
    assert await _readings(db) == {"Pipeline": [150]}


@pytest.mark.parametrize("typed", ["/okr wig start", "yes"])
async def test_an_unchanged_session_is_picked_up_without_a_note(coach: Coach, team: dict[str, int],
                                                                typed: str) -> None:
    maria = team["maria"]
    with freeze_time(TODAY, real_asyncio=True):
        await _at_read_back(coach, maria)
        reply = await say(coach, maria, typed)
        assert "changed since" not in reply and "newer reading" not in reply, reply


# --- 4. the terminal's next run --------------------------------------------------------------

def _coachbot(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'coachbot.db'}"
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=folder, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("run", ["chat", "demo"])
def test_the_next_terminal_run_shows_the_session_with_the_wigs_now(tmp_path: Path, run: str) -> None:
    _coachbot(tmp_path, "team", "import", str(Path(__file__).resolve().parents[1] / "examples" / "team.csv"))
    by = (date.today() + timedelta(days=200)).isoformat()
    chat = ("chat", "--as", "maria.manager@example.com")
    first = _coachbot(tmp_path, *chat, stdin=f"/okr wig add Logos from 0 to 40 deals by {by}\n"
                      f"/okr wig add Revenue from 0 to 100 USD by {by}\n/okr wig start\n5\n")
    assert REVENUE in first.stdout, first.stdout
    _coachbot(tmp_path, *chat, stdin=f"/okr wig close 2\n/okr wig add Demos from 0 to 50 demos by {by}\n")
    again = _coachbot(tmp_path, run, "--as", "maria.manager@example.com").stdout
    assert "open last time" in again and CHANGED in again and DEMOS in again, again
    assert REVENUE not in again, again


async def test_a_resumed_what_got_in_the_way_names_the_commitment(coach: Coach, team: dict[str, int]) -> None:
    """Picked up again, "What got in the way?" says of which commitment (the "Did it
    happen?" before it, which named it, is not shown again)."""
    ravi = team["ravi"]
    with freeze_time("2027-01-04 15:00:00"):
        await say(coach, ravi, "/okr wig start")
        await say(coach, ravi, "Call the 5 open trade-show leads")
        await say(coach, ravi, "done")
    with freeze_time("2027-01-11 15:00:00"):
        await say(coach, ravi, "/okr wig start")
        asked = await say(coach, ravi, "no")
        assert "What got in the way" in asked and "trade-show leads" not in asked, asked
        resumed = await say(coach, ravi, "/okr wig start")
    assert "What got in the way" in resumed and "Call the 5 open trade-show leads" in resumed, resumed
