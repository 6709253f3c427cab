"""Who may change an event (review finding, trade shows HIGH): an attendee's targets
are set only by someone who may see the attendee (`access.may_see`: their manager
now, an admin), the no-@ form changes only the asker's own people and says how many
it left alone, the objectives only by the event's creator or an admin; a refused or
partial change re-plans nobody else's preparation prompts.

Maria manages Ravi and Sam and registers "NRF 2027" with Ravi and Sam; Mo manages
Zoe and registered nothing."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select
from test_lead_privacy import second_team

from bot.core.coach import Coach
from storage import event_names
from storage.db import Database
from storage.models import Event, EventAttendee, Lead, Occurrence, Person

NOW = "2026-11-30 15:00:00"


@pytest.fixture
async def ids(db: Database, team: dict[str, int]) -> dict[str, int]:
    return await second_team(db, team, "mo")


async def _state(db: Database, name: str) -> tuple[dict, dict[int, dict], dict[str, dict]]:  # type: ignore[type-arg]
    """The event's objectives, each attendee's targets, and its prompts' payloads and times."""
    async with db.session() as session:
        event = await event_names.event_named(session, (await session.exec(select(Person))).first().org_id, name)  # type: ignore[union-attr]
        assert event is not None
        rows = (await session.exec(select(EventAttendee).where(EventAttendee.event_id == event.id))).all()
        due = (await session.exec(select(Occurrence).where(Occurrence.key.like(f"%:{event.id}:%")))).all()  # type: ignore[attr-defined]
        return (dict(event.objectives), {r.person_id: dict(r.targets) for r in rows},
                {o.key: {"payload": dict(o.payload), "due": o.due_at} for o in due})


async def test_another_manager_may_not_change_targets_or_objectives_of_people_they_do_not_lead(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    maria, mo, sam = ids["maria"], ids["mo"], ids["sam"]
    with freeze_time(NOW, real_asyncio=True):
        added = await say(coach, maria, '/okr event add "NRF 2027" 2027-01-12..2027-01-14 New York @ravi @sam')
        assert "NRF 2027 registered" in added
        assert "Sam Seller" in await say(coach, maria, "/okr event NRF 2027 targets @sam meetings 3 leads 20")
        assert "Sam Seller" in await say(coach, maria, "/okr event NRF 2027 objectives new 10 existing 5")
        before = await _state(db, "NRF 2027")
        assert before[2]  # the preparation prompts are planned
        one = await say(coach, mo, "/okr event NRF 2027 targets @sam meetings 4 leads 25")
        everyone = await say(coach, mo, "/okr event NRF 2027 targets meetings 9 leads 99")
        aims = await say(coach, mo, "/okr event NRF 2027 objectives new 1 existing 1 customers 1 partners 1")
        report = await say(coach, mo, "/okr event NRF 2027 report")
        assert await _state(db, "NRF 2027") == before  # no target, aim or prompt changed
    # none of Mo's people attends and he did not register it: to him it does not exist
    # (access.may_see_event), so nothing of it is changed or told
    for reply in (one, everyone, aims, report):
        assert 'I know no event called "NRF 2027' in reply
        assert "Sam Seller" not in reply and "Ravi Rep" not in reply and "Maria" not in reply
    assert before[1][sam] == {"meetings": 3, "leads": 20}
    assert before[0] == {"new_prospects": 10, "existing_prospects": 5}


async def test_the_creator_and_an_admin_may_and_mo_sets_only_his_own_people(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    maria, mo, ada, ravi, zoe = ids["maria"], ids["mo"], ids["ada"], ids["ravi"], ids["zoe"]
    with freeze_time(NOW, real_asyncio=True):
        assert "Mixed show registered" in await say(
            coach, ada, '/okr event add "Mixed show" 2027-01-12..2027-01-14 Berlin @ravi @zoe')
        before = await _state(db, "Mixed show")
        mixed = await say(coach, mo, "/okr event Mixed show targets meetings 9 leads 99")
        after = await _state(db, "Mixed show")
        one = await say(coach, mo, "/okr event Mixed show targets @ravi meetings 4 leads 25")
        assert await _state(db, "Mixed show") == after
        by_mo = await say(coach, mo, "/okr event Mixed show objectives new 4")  # Ada registered it
        by_ada = await say(coach, ada, "/okr event Mixed show objectives new 4")
        by_maria = await say(coach, maria, "/okr event Mixed show targets @ravi meetings 2")
        final = await _state(db, "Mixed show")
    assert "Targets set for 1 attendee on your team; 1 other was left alone" in mixed
    assert "Ravi Rep is not on your team" in one and "changed nothing" in one and "For example" in one
    assert after[1][zoe] == {"meetings": 9, "leads": 99} and after[1][ravi] == {}
    ravi_key = next(k for k in before[2] if k.startswith("event_prep") and k.endswith(f":{ravi}"))
    zoe_key = next(k for k in before[2] if k.startswith("event_prep") and k.endswith(f":{zoe}"))
    assert after[2][ravi_key] == before[2][ravi_key]  # Ravi's preparation prompt untouched
    assert after[2][zoe_key]["payload"]["targets"] == {"meetings": 9, "leads": 99}
    plan_key = next(k for k in before[2] if k.startswith("event_plan"))
    assert after[2][plan_key] == before[2][plan_key]
    assert "Ada Admin's plan" in by_mo
    assert "only they or an admin" not in by_ada and "Mixed show" in by_ada  # shown, not refused
    assert final[0] == {"new_prospects": 4}
    assert final[1][ravi] == {"meetings": 2} and "Ravi Rep" in by_maria


async def test_the_event_view_counts_one_lead_in_the_singular(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    ravi, maria = ids["ravi"], ids["maria"]
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        async with db.session() as session:
            await event_names.add_event(session, Event(
                org_id=ids["org"], name="Sales kick-off", starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12),
                location="Oslo", timezone="Europe/Oslo", created_by=maria), [ravi, ids["sam"]])
        assert "saved for Sales kick-off" in await say(coach, ravi, "/okr lead Jane Roe, Acme, hot")
        shown = await say(coach, maria, "/okr event Sales kick-off")
    assert "· 1 lead\n" in shown + "\n" and "1 leads" not in shown
    assert "· 0 leads" in shown  # Sam


async def test_one_letter_h_w_c_never_beats_a_typed_temperature_or_takes_the_company(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    """`Jane, C, hot, n` is Jane of company C, hot (was: no company, cold); `Jane, W,
    cold` is another Jane (of W), not merged into her; a company "H&M" or "W" and a
    person "C" stay what they are; `h` after the company is still hot."""
    ravi, maria = ids["ravi"], ids["maria"]
    with freeze_time("2027-01-12 15:00:00", real_asyncio=True):
        async with db.session() as session:
            await event_names.add_event(session, Event(
                org_id=ids["org"], name="Sales kick-off", starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12),
                location="Oslo", timezone="Europe/Oslo", created_by=maria), [ravi])
        lines = ["Jane, C, hot, n", "Jane, W, cold", "Ann, H&M, warm", "Bob, W", "C, Acme, h", "Dee, Acme, w, call"]
        replies = [await say(coach, ravi, f"/okr lead in Sales kick-off: {line}") for line in lines]
        async with db.session() as session:
            leads = (await session.exec(select(Lead).order_by(Lead.id))).all()  # type: ignore[arg-type]
    assert all("Merged" not in r for r in replies), replies
    assert [(lead.name, lead.company, lead.temperature, lead.notes) for lead in leads] == [
        ("Jane", "C", "hot", "n"), ("Jane", "W", "cold", None), ("Ann", "H&M", "warm", None),
        ("Bob", "W", None, None), ("C", "Acme", "hot", None), ("Dee", "Acme", "warm", "call")]
    assert "Jane, C, hot" in replies[0] and "no temperature given" in replies[3]


def test_the_siblings_of_the_lead_count_say_one_in_the_singular() -> None:
    import prompts

    prep = prompts.render("trade_shows/prep_prompt", name="Ravi", repeat=False,
                          p={"event": "X", "starts_on": "2027-01-12", "location": None,
                             "targets": {"meetings": 1, "leads": 1}})
    added = prompts.render("trade_shows/event_added", names=["Ravi"], event=Event(
        org_id=1, name="X", starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 12), timezone="UTC",
        created_by=1, prep_days=1, follow_up_days=1))
    assert "1 meeting booked" in prep and "aim for 1 lead." in prep
    assert "1 working day before" in added and "1 working day to follow up" in added
