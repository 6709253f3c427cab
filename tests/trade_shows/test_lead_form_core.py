"""The lead form in the core, with no platform: what `/okr lead` offers and how a
submission (an `Inbound` with `values`) is checked, merged and placed in its event;
the before-event prompt carries the form with its event chosen."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conftest import RecordingChannel
from freezegun import freeze_time
from sqlmodel import select

from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.features.trade_shows.lead_form import LEAD_FORM
from storage import event_names
from storage.db import Database
from storage.models import Event, Lead


async def nrf(db: Database, team: dict[str, int]) -> Event:
    event = Event(org_id=team["org"], name="NRF 2027", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
                  location="New York", timezone="America/New_York", created_by=team["maria"])
    async with db.session() as session:
        return await event_names.add_event(session, event, [team["ravi"], team["sam"]])


async def submit(coach: Coach, person: int, **values: str) -> list[Message]:
    return await coach.handle(Inbound(person_id=person, platform="test", action=LEAD_FORM, values=values))


async def stored(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())


async def test_okr_lead_offers_the_form_opened_at_once_while_an_event_runs(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    event = await nrf(db, team)
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        during = await coach.handle(Inbound(person_id=team["ravi"], platform="test", text="/okr lead"))
    with freeze_time("2027-02-12 15:00:00", real_asyncio=True):
        later = await coach.handle(Inbound(person_id=team["ravi"], platform="test", text="/okr lead"))
    form = during[-1].form
    assert form is not None and form.open_now and form.opener == "/okr lead form"
    assert [f.name for f in form.fields] == ["name", "company", "temperature", "email", "phone", "note", "event"]
    assert next(f for f in form.fields if f.name == "event").value == str(event.id)
    assert "/okr lead Jane Roe, Acme Corp, hot" in during[-1].plain()  # a text channel shows the one-liner
    assert later[-1].form is not None and not later[-1].form.open_now
    assert "event" not in [f.name for f in later[-1].form.fields]  # a month later NRF is no longer offered


async def test_a_submission_is_held_to_the_line_s_rules_and_merged(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    event = await nrf(db, team)
    ravi = team["ravi"]
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        bad = await submit(coach, ravi, name="", company="Acme", temperature="tepid", email="not-an-address",
                           phone="call me", note="n" * 1001)
        [again] = bad
        assert again.form is not None
        assert set(again.form.errors) == {"name", "temperature", "email", "phone", "note"}
        assert next(f for f in again.form.fields if f.name == "company").value == "Acme"  # kept as typed
        assert await stored(db) == []
        saved = await submit(coach, ravi, name="  Ole\u200b Hansen ", company="Equinor", temperature="❄️",
                             email="ole@equinor.example", event=str(event.id))
        merged = await submit(coach, ravi, name="ole hansen", company="EQUINOR", note="met again at the bar")
    [lead] = await stored(db)
    assert f"Lead #{lead.id} saved for NRF 2027" in saved[0].plain() and saved[-1].form is not None
    assert f"Merged into lead #{lead.id}" in merged[0].plain()
    assert (lead.name, lead.company, lead.temperature, lead.email, lead.notes) == (
        "Ole Hansen", "Equinor", "cold", "ole@equinor.example", "met again at the bar")


async def test_without_an_event_of_theirs_the_rep_is_told_how_to_name_one(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        [answer] = await submit(coach, team["ravi"], name="Jane Roe", company="Acme")
    assert answer.form is None
    # no event of theirs: the example names none that does not exist, and says where names are
    assert "/okr lead in EVENT NAME: Jane Roe, Acme" in answer.plain() and "NRF" not in answer.plain()
    assert "`/okr event` lists them" in answer.plain()
    assert await stored(db) == []


async def test_the_before_event_prompt_carries_the_form_for_its_event(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    with freeze_time("2027-01-01 15:00:00", real_asyncio=True):
        await coach.handle(Inbound(person_id=team["maria"], platform="test",
                                   text='/okr event add "NRF 2027" 2027-01-11..2027-01-15 New York @ravi'))
    [event] = await db_events(db)
    with freeze_time("2027-01-04 04:00:00", real_asyncio=True):
        await Dispatcher(coach).deliver_due(datetime(2027, 1, 4, 4, tzinfo=UTC), TickReport())
    [(_, prompt)] = [(r, ms) for r, ms in outbox.sent if r.person_id == team["ravi"]]
    form = prompt[-1].form
    assert form is not None and next(f for f in form.fields if f.name == "event").value == str(event.id)


async def db_events(db: Database) -> list[Event]:
    async with db.session() as session:
        return list((await session.exec(select(Event))).all())

