"""Newcomer F5: a lead's buttons on a freshly listed `/okr lead` work even when the
lead was tapped before (its cards are new cards, not the old one again), and a
follow-up note the bot waits for is dropped, and said so, when the rep acts on
another lead, so a line about Bob never lands on John."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from storage import event_names
from storage.db import Database
from storage.models import Conversation, Event, Lead

NOW = "2027-11-16 12:00:00"


async def two_leads(db: Database, team: dict[str, int]) -> tuple[Lead, Lead]:
    event = Event(org_id=team["org"], name="Web Summit", starts_on=date(2027, 11, 8), ends_on=date(2027, 11, 11),
                  location="Lisbon", timezone="Europe/Lisbon", created_by=team["maria"],
                  assigned_at=datetime(2027, 11, 12, 1, tzinfo=UTC))
    async with db.session() as session:
        event = await event_names.add_event(session, event, [team["ravi"]])
        found = [Lead(org_id=team["org"], event_id=event.id, owner_id=team["ravi"], captured_by=team["ravi"],
                      name=name, temperature="hot", captured_at=datetime(2027, 11, 9, 12, tzinfo=UTC))
                 for name in ("John Smith", "Bob Builder")]
        session.add_all(found)
        await session.flush()
        return found[0], found[1]


async def listed(coach: Coach, person: int) -> list[Message]:
    return await coach.handle(Inbound(person_id=person, platform="test", text="/okr lead"))


def button(cards: list[Message], lead: Lead, verb: str) -> str:
    """The sealed value of one button as the channel draws it (with its card key)."""
    card = next(m for m in cards if m.plain().startswith(f"#{lead.id} "))
    return next(c.value for c in card.choices if c.value.startswith(f"lead:{verb}:"))


async def click(coach: Coach, person: int, value: str) -> str:
    replies = await coach.handle(Inbound(person_id=person, platform="test", text="", action=value))
    return "\n".join(m.plain() for m in replies)


async def test_a_relisted_lead_s_buttons_work_and_a_pending_note_is_dropped_for_another_lead(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    john, bob = await two_leads(db, team)
    with freeze_time(NOW, real_asyncio=True):
        first = await listed(coach, ravi)
        asked = await click(coach, ravi, button(first, john, "followed"))
        assert "One line on the follow-up with John Smith" in asked
        again = await listed(coach, ravi)  # looks at the list again instead of answering
        value = await click(coach, ravi, button(again, john, "opportunity"))
        assert "already answered" not in value  # a new card, not a second click on the old one
        assert "John Smith" in value
        booked = await click(coach, ravi, button(again, bob, "meeting"))
        assert "meeting booked" in booked
        assert f"#{john.id} John Smith" in booked and "dropped" in booked  # told, not silently kept
        await say(coach, ravi, "Called Bob, demo booked for Dec 8")
        # the old card's button, pressed twice, still counts once
        assert "already answered" in await click(coach, ravi, button(again, bob, "meeting"))
    async with db.session() as session:
        john_now = await session.get(Lead, john.id)
        active = (await session.exec(select(Conversation).where(Conversation.status == "active"))).all()
    assert john_now is not None and john_now.status == "new" and not john_now.outcome  # nothing about Bob on John
    assert list(active) == []


async def test_a_lead_tapped_once_can_be_tapped_again_from_a_later_list(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    john, _ = await two_leads(db, team)
    with freeze_time(NOW, real_asyncio=True):
        assert "now due" in await click(coach, ravi, button(await listed(coach, ravi), john, "snooze"))
        assert "meeting booked" in await click(coach, ravi, button(await listed(coach, ravi), john, "meeting"))


async def test_an_old_card_of_a_lead_settled_since_changes_nothing(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]
    john, _ = await two_leads(db, team)
    with freeze_time(NOW, real_asyncio=True):
        old = await listed(coach, ravi)
        assert "meeting booked" in await click(coach, ravi, button(await listed(coach, ravi), john, "meeting"))
        told = await click(coach, ravi, button(old, john, "notfit"))
        assert "already" in told and "meeting booked" in told
    async with db.session() as session:
        assert (await session.get(Lead, john.id)).status == "meeting"  # type: ignore[union-attr]


async def test_a_lead_s_button_works_again_after_its_question_was_cancelled_or_dropped(
        coach: Coach, db: Database, team: dict[str, int]) -> None:
    """"Start again whenever you like" and "tap one of its buttons when you're ready"
    are true of the card the person tapped: its buttons open the question again."""
    ravi = team["ravi"]
    john, bob = await two_leads(db, team)
    with freeze_time(NOW, real_asyncio=True):
        cards = await listed(coach, ravi)
        assert "One line on the follow-up with John Smith" in await click(coach, ravi, button(cards, john, "followed"))
        assert "start again whenever you like" in await say(coach, ravi, "cancel")
        again = await click(coach, ravi, button(cards, john, "followed"))
        assert "already answered" not in again and "One line on the follow-up with John Smith" in again
        dropped = await click(coach, ravi, button(cards, bob, "followed"))  # John's question dropped
        assert "tap one of its buttons" in dropped
        back = await click(coach, ravi, button(cards, john, "followed"))
        assert "already answered" not in back and "One line on the follow-up with John Smith" in back
        await say(coach, ravi, "Called John, sending a quote")
        assert "already" in await click(coach, ravi, button(cards, john, "followed"))  # settled: done
    async with db.session() as session:
        assert (await session.get(Lead, john.id)).status == "followed_up"  # type: ignore[union-attr]
