"""A value read back ("that's Sat 3 Apr 2027, right? 1. Yes 2. No") survives every way
back into a conversation: the read-back is shown again, not the value question it
doubts, so what the person types next is read as the state expects. A state stored
before the read-back's details were kept drops the pending value instead."""

from __future__ import annotations

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.features.conversations import remind_abandoned
from storage import conversations
from storage.db import Database
from storage.models import Conversation

TODAY = "2026-11-20 09:00:00"
READ_BACK = '"03/04": that\'s Sat 3 Apr 2027, right?'
KR_QUESTION = "Give me a key result for"
KIND = "as a total to reach by its date"  # the question after the key result, once it is kept
NOT_KEPT = "All right, I won't keep that."


async def _at_read_back(coach: Coach, ravi: int) -> None:
    """Ravi (Asia/Kolkata: day first) is asked whether 03/04 is 3 April."""
    await say(coach, ravi, "/okr goals")
    for line in ["skip"] * 5 + ["Win mid-market", "done", "skip"]:
        await say(coach, ravi, line)
    asked = await say(coach, ravi, "Close 12 new logos by 03/04")
    assert READ_BACK in asked and KIND not in asked, asked


async def _state(db: Database, ravi: int) -> dict:
    async with db.session() as session:
        row = (await session.exec(select(Conversation).where(Conversation.person_id == ravi,
                                                             Conversation.flow == "goals"))).one()
    return dict(row.state)


def _card(replies: list[Message]) -> Message:
    """The read-back card among replies (the message with Yes/No)."""
    [card] = [m for m in replies if m.choices]
    assert [c.value.partition("|")[0] for c in card.choices] == ["yes", "no"]
    assert READ_BACK in card.plain(), card.plain()
    return card


async def _said(coach: Coach, person: int, text: str = "", action: str | None = None) -> list[Message]:
    return await coach.handle(Inbound(person_id=person, platform="test", text=text, action=action))


@freeze_time(TODAY, real_asyncio=True)
async def test_starting_the_flow_again_shows_the_read_back_and_its_buttons_answer_it(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    state = await _state(db, ravi)
    assert state["confirming"]["due"] == "2027-04-03" and state["confirm_details"]["date"] == "2027-04-03"
    again = await _said(coach, ravi, "/okr goals")  # start_flow: "resumed"
    assert "Welcome back" in again[0].plain()
    card = _card(again)
    assert KR_QUESTION not in "\n".join(m.plain() for m in again)
    kept = await say(coach, ravi, action=card.choices[0].value)  # its Yes button
    assert KIND in kept, kept
    assert (await _state(db, ravi))["answers"]["kr"]["due"] == "2027-04-03"


@freeze_time(TODAY, real_asyncio=True)
async def test_no_after_the_resumed_read_back_asks_the_key_result_again(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    _card(await _said(coach, ravi, "/okr goals"))
    refused = await say(coach, ravi, "no")
    assert NOT_KEPT in refused and KR_QUESTION in refused
    assert "kr" not in (await _state(db, ravi))["answers"]


@freeze_time(TODAY, real_asyncio=True)
async def test_kept_after_the_park_question_shows_the_read_back(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    assert "park" in (await say(coach, ravi, "/okr discover ACME")).lower()
    stayed = await _said(coach, ravi, "stay")  # _answer_pending: "kept"
    _card(stayed)
    assert KIND in await say(coach, ravi, "yes")


@freeze_time(TODAY, real_asyncio=True)
async def test_a_parked_read_back_resumed_by_its_button_shows_the_read_back(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    await say(coach, ravi, "/okr discover ACME")
    await say(coach, ravi, action="park")
    offer = (await _said(coach, ravi, "cancel"))[-1]  # the discovery ends: the parked one is offered
    [resume] = offer.choices
    # a "continue" button pressed while another conversation runs: kept, read-back again
    await say(coach, ravi, "/okr discover Initech")
    stale = await _said(coach, ravi, action=resume.value)
    assert "carry on with the discovery notes for Initech" in stale[0].plain()
    await say(coach, ravi, "cancel")
    resumed = await _said(coach, ravi, action=resume.value)  # _resume_parked
    assert "Welcome back" in resumed[0].plain()
    _card(resumed)
    refused = await say(coach, ravi, "No.")
    assert NOT_KEPT in refused and KR_QUESTION in refused


@freeze_time(TODAY, real_asyncio=True)
async def test_the_continue_button_of_the_running_conversation_keeps_the_read_back(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """continue_flow's "kept" path: an old resume button while the conversation runs."""
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    async with db.session() as session:
        row = await conversations.active(session, ravi)
    assert row is not None
    kept = await _said(coach, ravi, action=f"resume:{row.id}")
    assert "carry on with" in kept[0].plain()
    _card(kept)


async def test_the_reminder_shows_the_read_back(coach: Coach, team: dict[str, int], db: Database,
                                               outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    with freeze_time(TODAY, real_asyncio=True):
        await _at_read_back(coach, ravi)
    with freeze_time("2026-11-23 08:00:00", real_asyncio=True):  # Monday, 13:30 in Kolkata
        assert await remind_abandoned(coach) == 1
    sent = outbox.texts_for(ravi)
    assert "half-way through" in sent[0] and READ_BACK in sent[1] and KR_QUESTION not in sent[1]
    with freeze_time("2026-11-23 08:05:00", real_asyncio=True):
        assert KIND in await say(coach, ravi, "yes")


@freeze_time(TODAY, real_asyncio=True)
async def test_a_stored_read_back_without_its_details_is_dropped(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """A state saved before the details were kept: the question is shown, and the next
    answer is an answer to it, never a yes or no to a read-back nobody sees."""
    ravi = team["ravi"]
    await _at_read_back(coach, ravi)
    async with db.session() as session:
        row = await conversations.active(session, ravi)
        assert row is not None
        legacy = {k: v for k, v in row.state.items() if k != "confirm_details"}
        await conversations.save(session, row, legacy)
    again = await _said(coach, ravi, "/okr goals")
    assert KR_QUESTION in "\n".join(m.plain() for m in again) and READ_BACK not in again[-1].plain()
    assert not any(m.choices for m in again)
    answered = await say(coach, ravi, "yes")  # not a yes to 03/04: no key result in it
    assert KIND not in answered
    assert "kr" not in (await _state(db, ravi))["answers"]
    assert "confirming" not in await _state(db, ravi)
    kept = await say(coach, ravi, "Close 12 new logos by 10 April")
    assert KIND in kept
    assert (await _state(db, ravi))["answers"]["kr"]["due"] == "2027-04-10"
