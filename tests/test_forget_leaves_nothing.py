"""`coachbot person forget`: after a realistic history (a salary talk prepared and
followed up, a one-on-one with agenda, notes and action items, a trade show, goals in
progress, a held read-back, a terminal card, a delivered prompt), nothing in any table
of the database still names the forgotten person, gives their e-mail or chat ids, or
points at them, except the columns that only count (`POLICY` KEEP)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlalchemy import JSON, select
from sqlmodel import SQLModel

from bot.core.coach import Coach
from bot.features.one_on_ones import meeting_steps
from bot.features.trade_shows.schedule import plan_before
from storage import console_cards, export, okrs, privacy, readbacks
from storage.db import Database, utcnow
from storage.models import ChatIdentity, Delivery, Event, EventAttendee, Lead, Occurrence, Person

SALARY = ["Agree a fair raise", "He hopes for 15%", "$8,000", "market median is 95k", "Closed 3 logos",
          "great with referrals", "quiet room, office", "next Tuesday", "Open with thanks", "training budget"]
FOLLOW_UP = ["yes", "6% raise from January", "$101,760", "review in June", "partly", "wanted 10%",
             "We agreed a 6% raise from January and a review in June.", "keep", "in 3 months"]


async def history(coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel) -> None:
    """Maria manages Sam and Ravi; everything below touches Sam and Maria."""
    maria, sam, ravi, org = team["maria"], team["sam"], team["ravi"], team["org"]
    async with db.session() as session:
        await okrs.create_objective(session, org, sam, "Win mid-market", "2027", 1,
                                    [{"title": "Close 12 logos", "target": 12}])
    with freeze_time("2027-03-01 15:00:00", real_asyncio=True):
        await say(coach, maria, "/okr salary-prep @sam")
        for line in SALARY:
            await say(coach, maria, line)
        await say(coach, maria, "/okr salary-prep @sam")
        for line in FOLLOW_UP:
            await say(coach, maria, line)
        await say(coach, maria, "/okr 1on1 @sam every Tuesday 10:00")
        await say(coach, ravi, "/okr goals 2028")  # in progress, naming Maria as the manager
    with freeze_time("2027-03-08 17:30:00", real_asyncio=True):  # Monday 09:30 in Los Angeles
        await meeting_steps(coach)
        agenda = [m for r, ms in outbox.sent if r.person_id == sam for m in ms]
        await say(coach, sam, action=agenda[-1].choices[0].value)
        await say(coach, sam, "Pricing for the ACME renewal")
    with freeze_time("2027-03-09 15:35:00", real_asyncio=True):
        await meeting_steps(coach)
        card = [m for r, ms in outbox.sent
                if r.person_id == maria for m in ms if m.choices][-1]
        await say(coach, maria, action=card.choices[0].value)
        await say(coach, maria, "Sam Seller had a good quarter; focus on ACME")
        await say(coach, maria, "1")
        await say(coach, maria, "Sam: send ACME the proposal by Friday\nme: pricing approval by 2027-03-17")
        async with db.session() as session:
            event = Event(org_id=org, name="Expo", starts_on=date(2027, 4, 20), ends_on=date(2027, 4, 21),
                          created_by=maria)
            session.add(event)
            await session.flush()
            for who in (sam, ravi):
                session.add(EventAttendee(event_id=event.id, person_id=who, targets={"leads": 10}))
            session.add(Lead(org_id=org, owner_id=ravi, captured_by=sam, name="Jo",
                             notes="met with Sam Seller (sam@example.com)"))
            session.add(ChatIdentity(org_id=org, person_id=sam, platform="slack", user_id="U0SAMSELL",
                                     dm_channel="D0SAMSELL"))
            await readbacks.hold(session, sam, "wig:1:120")
            await console_cards.keep(session, maria, [("Sam Seller", "1", "")], "/okr salary-prep @sam",
                                     utcnow(), utcnow() + timedelta(hours=1))
            occurrence = Occurrence(key=f"okr_checkin:{sam}:x", org_id=org, person_id=sam, kind="okr_checkin",
                                    due_at=utcnow(), local_date=utcnow().date(), status="delivered")
            session.add(occurrence)
            await session.flush()
            session.add(Delivery(occurrence_id=occurrence.id, platform="slack", channel_id="D0SAMSELL",
                                 message_id="1700000000.0001"))
        await plan_before(db, event, utcnow())


async def dump(db: Database) -> list[tuple[str, str, Any, str]]:
    """Every cell of every table: (table, column, value, value as text)."""
    cells = []
    async with db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await session.exec(select(table))).mappings().all():  # type: ignore[call-overload]
                for column in table.columns:
                    value = row[column.name]
                    text = json.dumps(value, ensure_ascii=False) if isinstance(column.type, JSON) else str(value)
                    cells.append((table.name, column.name, value, text))
    return cells


@pytest.mark.parametrize("who", ["sam", "maria"])
async def test_a_forgotten_person_is_named_nowhere_in_the_database(
        coach: Coach, db: Database, team: dict[str, int], outbox: RecordingChannel, who: str) -> None:
    await history(coach, db, team, outbox)
    pid = team[who]
    async with db.session() as session:
        person = await session.get(Person, pid)
        assert person is not None
        name, email = person.name, person.email
        handles = [h for i in (await session.exec(select(ChatIdentity).where(ChatIdentity.person_id == pid))).scalars()
                   for h in (i.user_id, i.dm_channel) if h]
    before = await dump(db)
    words = [name, name.split()[0], email, *handles]
    elsewhere = [text.lower() for table, _, _, text in before if table not in ("person", "chatidentity")]
    assert any(name.split()[0].lower() in text for text in elsewhere)  # the history names them
    async with db.session() as session:
        await privacy.forget(session, pid)
    cells = await dump(db)
    for word in words:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        found = [(table, column, text[:120]) for table, column, _, text in cells if pattern.search(text)]
        assert found == [], word
    references = re.compile(rf'"(rep|person|manager|owner|author)_id": {pid}\b')
    assert [(t, c) for t, c, _, text in cells if references.search(text)] == []
    pointing = {(t, c) for t, c, value, _ in cells if (t, c) in privacy.POLICY and value == pid}
    assert pointing <= {key for key, action in privacy.POLICY.items() if action == privacy.KEEP}
    held = [text for t, c, _, text in cells if t == "processedevent" and text.startswith(f"{pid}:")]
    assert held == []  # read-backs waiting for them
    private = ["He hopes for 15%", "wanted 10%", "good quarter", "Pricing for the ACME renewal"]
    assert [(t, c) for t, c, _, text in cells for words_ in private if words_ in text] == []


async def test_the_anonymous_remainder_keeps_no_zone_or_country_and_is_not_exported(
        db: Database, team: dict[str, int]) -> None:
    ravi = team["ravi"]  # the only rep in Kolkata: the zone alone would say who it was
    async with db.session() as session:
        person = await session.get(Person, ravi)
        assert person is not None
        person.country, person.selling_role, person.working_days = "IN", "hunter", "1,2,3,4,6"
        person.quiet_start, person.quiet_end = "21:00", "07:00"
        session.add(person)
    async with db.session() as session:
        await privacy.forget(session, ravi)
    async with db.session() as session:
        person = await session.get(Person, ravi)
        assert person is not None
        kept = (person.name, person.email, person.timezone, person.country, person.working_days,
                person.selling_role, person.quiet_start, person.active, person.manager_id)
        assert kept == ("Forgotten person", f"forgotten-{ravi}@invalid", "UTC", None, "1,2,3,4,5",
                        None, None, False, None)
        assert (person.role, person.org_id) == ("rep", team["org"])  # what the counts need
        listed = [row["email"] async for row in export.rows(session, "people", export.Scope(team["org"]))]
    assert listed == ["ada@example.com", "maria@example.com", "sam@example.com"]


async def test_a_name_beyond_ascii_is_found_in_json_and_in_text(db: Database, team: dict[str, int]) -> None:
    sam, maria, org = team["sam"], team["maria"], team["org"]
    async with db.session() as session:
        person = await session.get(Person, sam)
        assert person is not None
        person.name = "Zoë Ñandú"  # stored in JSON as \\u escapes, in text as typed
        session.add(person)
        session.add(Occurrence(key="event_plan:1:x", org_id=org, person_id=maria, kind="event_plan", due_at=utcnow(),
                               local_date=utcnow().date(), payload={"kickoffs": [{"name": "Zoë Ñandú"}]}))
        session.add(Lead(org_id=org, owner_id=maria, name="Jo", notes="ask ZOË ÑANDÚ for the intro"))
    async with db.session() as session:
        await privacy.forget(session, sam)
    cells = await dump(db)
    assert [text for *_, text in cells if "Zoë" in text or "ZOË" in text] == []
    assert any("ask Forgotten person for the intro" in text for *_, text in cells)
