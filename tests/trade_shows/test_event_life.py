"""The whole life of an event, with the clock travelling (freezegun): registered,
the team prepared five working days before, leads captured during it by command and
by DM (a duplicate merged), assigned the day after, followed up with the buttons,
reminded, escalated, reported. Two time zones and a holiday: NRF ends on Friday
15 January 2027; Ravi (Asia/Kolkata) is back Monday, deadline Wednesday, escalated
Thursday; Sam (America/Los_Angeles) has Martin Luther King Day off on Monday, so is
back Tuesday, deadline Thursday, escalated Friday. Maria, their manager, is in New York.
"""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.cadence.dispatcher import Dispatcher, TickReport
from bot.core.coach import Coach
from bot.features.trade_shows import overdue_leads
from bot.features.trade_shows.schedule import (
    assign_ended_events,
    escalate_overdue,
    remind_deadlines,
    send_reports,
)
from storage.db import Database
from storage.models import Event, EventAttendee, Lead, Occurrence


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def deliver(coach: Coach, moment: datetime) -> int:
    """The dispatcher's delivery step alone (no cadence planning, so only the
    trade-show prompts are due)."""
    report = TickReport()
    await Dispatcher(coach).deliver_due(moment, report)
    return report.delivered


async def rows(db: Database, model: type, *where: object) -> list:  # type: ignore[type-arg]
    async with db.session() as session:
        return list((await session.exec(select(model).where(*where).order_by(model.id))).all())  # type: ignore[attr-defined]


async def occurrence(db: Database, key: str) -> Occurrence:
    [found] = await rows(db, Occurrence, Occurrence.key == key)
    return found


async def test_the_life_of_an_event(coach: Coach, team: dict[str, int], db: Database,
                                    outbox: RecordingChannel) -> None:
    maria, ravi, sam = team["maria"], team["ravi"], team["sam"]

    with freeze_time("2027-01-01 15:00:00", real_asyncio=True):
        denied = await say(coach, ravi, '/okr event add "NRF 2027" 2027-01-11..2027-01-15 New York @ravi')
        assert "Only a manager" in denied
        bad = await say(coach, maria, '/okr event add "NRF 2027" 2027-01-11 2027-01-15 New York @ravi')
        assert "For example" in bad
        added = await say(coach, maria,
                          '/okr event add "NRF 2027" 2027-01-11..2027-01-15 New York @ravi@example.com @sam')
        assert "NRF 2027 registered" in added and "America/New_York" in added
        assert "Ravi Rep, Sam Seller" in added
        shown = await say(coach, maria, "/okr event NRF 2027 targets @ravi meetings 4 leads 25")
        assert "meetings target 4" in shown and "leads target 25" in shown
        await say(coach, maria, "/okr event NRF 2027 objectives new 10 existing 5 customers 8 partners 2")
        listed = await say(coach, sam, "/okr event")
        assert "NRF 2027: 2027-01-11 to 2027-01-15, New York" in listed

    # five working days before Monday 11th is Monday 4th, 09:00 in each person's zone
    [event] = await rows(db, Event)
    e = event.id
    prep_ravi = await occurrence(db, f"event_prep:{e}:{ravi}")
    assert prep_ravi.due_at == utc(2027, 1, 4, 3, 30)  # 09:00 Asia/Kolkata
    assert (await occurrence(db, f"event_prep:{e}:{sam}")).due_at == utc(2027, 1, 4, 17, 0)  # 09:00 PST
    plan = await occurrence(db, f"event_plan:{e}:{maria}")
    assert plan.due_at == utc(2027, 1, 4, 14, 0)  # 09:00 EST
    assert prep_ravi.payload["targets"] == {"meetings": 4, "leads": 25}
    assert {k["name"]: k["day"] for k in plan.payload["kickoffs"]} == {
        "Ravi Rep": "2027-01-18", "Sam Seller": "2027-01-19"}  # MLK day off for Sam

    with freeze_time("2027-01-04 04:00:00", real_asyncio=True):
        assert await deliver(coach, utc(2027, 1, 4, 4, 0)) == 1  # only Ravi's morning yet
        assert await deliver(coach, utc(2027, 1, 4, 4, 0)) == 0  # exactly once
        [card] = [t for t in outbox.texts_for(ravi) if "NRF 2027 starts" in t]
        assert "Your target is 4 meetings booked" in card
        asked = await say(coach, ravi, action=f"cadence:start:{prep_ravi.id}")
        assert "How many meetings have you booked" in asked and "Your target is 4" in asked
        await say(coach, ravi, "3")
        await say(coach, ravi, "Hi! Are retail returns eating your margin?")
        await say(coach, ravi, "We help retailers cut returns by 20% with fit advice at checkout.")
        await say(coach, ravi, "Too expensive: pays back in 6 months\nWe have a tool: we plug into it")
        done = await say(coach, ravi, "skip")
        assert "Objection: Too expensive: pays back in 6 months" in done
    with freeze_time("2027-01-04 17:30:00", real_asyncio=True):
        assert await deliver(coach, utc(2027, 1, 4, 17, 30)) == 2  # Sam's morning, Maria's since 09:00
        [planned] = [t for t in outbox.texts_for(maria) if "kick-off meeting" in t]
        assert "Ravi Rep: 2027-01-18 (Asia/Kolkata)" in planned
        assert "Sam Seller: 2027-01-19 (America/Los_Angeles)" in planned
    [ravi_at] = await rows(db, EventAttendee, EventAttendee.person_id == ravi)
    assert ravi_at.prep["meetings_booked"] == 3 and len(ravi_at.prep["objections"]) == 2
    assert (await occurrence(db, f"event_prep:{e}:{ravi}")).status == "answered"

    with freeze_time("2027-01-05 10:00:00", real_asyncio=True):
        early = await say(coach, ravi, "/okr lead Early Bird, Acme, warm")
        assert "No event of yours is running today" in early
        assert "\n`/okr lead in NRF 2027: Early Bird, Acme, warm`" in early  # the line, ready to resend
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        saved = await say(coach, ravi, "/okr lead Jane Roe, Acme Corp, hot, wants a demo in March, jane@acme.com")
        [jane] = await rows(db, Lead)
        assert f"Lead #{jane.id} saved for NRF 2027" in saved
        merged = await say(coach, sam, "lead: jane roe, ACME Corp, warm, met again at the party")
        assert f"Merged into lead #{jane.id}" in merged
        assert "saved for NRF 2027" in await say(coach, ravi, "lead: Bob Stone, Initech, warm")
        assert "no company given" in await say(coach, sam, "/okr lead 山田 太郎, 🔥, wants Japanese docs")
        assert "saved for NRF 2027" in await say(coach, sam, "/okr lead Li Wei, 微信支付, cold")
        assert "I need at least the person's name" in await say(coach, sam, "/okr lead hot, Acme")
    jane, bob, yamada, li = await rows(db, Lead)
    # the hottest temperature is kept: Sam's later "warm" does not cool Ravi's "hot"
    assert (jane.owner_id, jane.temperature, jane.email) == (ravi, "hot", "jane@acme.com")
    assert jane.notes == "wants a demo in March\nmet again at the party"

    # Friday's event is over in New York: the leads are assigned, once
    with freeze_time("2027-01-16 06:00:00", real_asyncio=True):
        assert await assign_ended_events(coach) == 4
        assert await assign_ended_events(coach) == 0
    due = [lead.due_at for lead in await rows(db, Lead)]
    assert due[0] == due[1] == utc(2027, 1, 20, 12, 30)  # Wednesday 18:00 in Kolkata
    assert due[2] == due[3] == utc(2027, 1, 22, 2, 0)  # Thursday 18:00 in Los Angeles

    with freeze_time("2027-01-18 04:00:00", real_asyncio=True):
        assert await deliver(coach, utc(2027, 1, 18, 4, 0)) == 1  # Ravi's Monday; Sam is off
        after = [t for t in outbox.texts_for(ravi) if "welcome back" in t]
        assert len(after) == 1 and "You own 2 leads" in after[0]
        assert any(f"#{bob.id} Bob Stone, Initech" in t for t in outbox.texts_for(ravi))
        assert "meeting booked" in await say(coach, ravi, action=f"lead:meeting:{bob.id}")
        assert (await occurrence(db, f"event_after:{e}:{ravi}")).status == "answered"  # no nudge then
        assert "not yours" in await say(coach, sam, action=f"lead:meeting:{jane.id}")
    with freeze_time("2027-01-19 17:30:00", real_asyncio=True):
        assert await deliver(coach, utc(2027, 1, 19, 17, 30)) == 2  # Sam, and Maria (MLK for her too)
        assert any("welcome back" in t and "You own 2 leads" in t for t in outbox.texts_for(sam))
        asked = await say(coach, sam, action=f"lead:followed:{li.id}")
        assert "One line on the follow-up with Li Wei" in asked
        assert "followed up" in await say(coach, sam, "Called him, sending the deck")

    with freeze_time("2027-01-20 05:00:00", real_asyncio=True):  # Wednesday 10:30 in Kolkata
        assert await remind_deadlines(coach) == 1
        assert await remind_deadlines(coach) == 0
        assert any("Today is the follow-up deadline for 1 lead" in t for t in outbox.texts_for(ravi))
    with freeze_time("2027-01-20 14:00:00", real_asyncio=True):  # Wed 09:00 NY: not the day after yet
        assert await escalate_overdue(coach) == 0
        assert [lead["name"] for lead in await overdue_leads(db, ravi, utc(2027, 1, 20, 14))] == ["Jane Roe"]
        brief = await say(coach, maria, "/okr brief @ravi@example.com")  # the manager's one-on-one brief
        assert "Trade-show leads past their follow-up deadline" in brief and "Jane Roe, Acme Corp" in brief
        assert "past their follow-up deadline" not in await say(coach, maria, "/okr brief @sam@example.com")
    with freeze_time("2027-01-21 13:30:00", real_asyncio=True):  # Thursday 08:30 in New York
        assert await escalate_overdue(coach) == 1
        assert await escalate_overdue(coach) == 0  # once
        [note] = [t for t in outbox.texts_for(maria) if "passed the follow-up deadline" in t]
        assert f"#{jane.id} Jane Roe, Acme Corp (hot) — Ravi Rep, NRF 2027" in note and "山田" not in note
    with freeze_time("2027-01-22 13:30:00", real_asyncio=True):  # Friday 08:30 in New York
        assert await escalate_overdue(coach) == 1
        [note] = [t for t in outbox.texts_for(maria) if "passed the follow-up deadline" in t][1:]
        assert "山田 太郎 (hot) — Sam Seller" in note and "Jane" not in note

    with freeze_time("2027-01-27 15:00:00", real_asyncio=True):
        assert await send_reports(coach) == 0  # 7 working days after Maria's return: the 28th
    with freeze_time("2027-01-28 15:00:00", real_asyncio=True):
        assert await send_reports(coach) == 1
        assert await send_reports(coach) == 0
    [report] = [m for r, ms in outbox.sent if r.person_id == maria for m in ms if m.title == "Result of NRF 2027"]
    assert "4 leads captured (2 hot, 1 warm, 1 cold)" in report.text
    assert "Followed up by the deadline: 2 of 4 (50.0%)" in report.text
    assert "Meetings booked: 1" in report.text
    assert report.image is not None and report.image.png.startswith(b"\x89PNG")
    assert "own report" not in await say(coach, ravi, "/okr event NRF 2027 report")
    assert "Only a manager" in await say(coach, ravi, "/okr event NRF 2027 report")
