"""Who may see and act on trade-show leads (review finding H2): a manager names as
attendees only people on their team (an admin anyone), and sees, settles, reassigns,
is chased about and reads per-person figures of leads of their own reports and their
own only — even at an event they registered, and checked at every read and action,
so a rep moved to another manager leaves the old one's sight at once.

Maria manages Ravi and Sam; Max manages Zoe (Europe/Berlin). Zoe logs a lead with a
private pricing note at an event Maria registered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.features.trade_shows.schedule import escalate_overdue, send_reports
from storage import event_names
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Lead, Person

SECRET = "secret pricing note: 40% off"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def second_team(db: Database, team: dict[str, int], manager: str) -> dict[str, int]:
    """The sample team plus a second manager (`manager`: "max" is Max Manager,
    max@example.com) and Zoe, their rep, in Berlin."""
    async with db.session() as session:
        boss = Person(org_id=team["org"], email=f"{manager}@example.com", name=f"{manager.title()} Manager",
                      role="manager", timezone="Europe/Berlin", country="DE")
        session.add(boss)
        await session.flush()
        zoe = Person(org_id=team["org"], email="zoe@example.com", name="Zoe Zed", role="rep",
                     manager_id=boss.id, timezone="Europe/Berlin", country="DE")
        session.add(zoe)
        await session.flush()
        return {**team, manager: boss.id, "zoe": zoe.id}  # type: ignore[dict-item]


@pytest.fixture
async def two_teams(db: Database, team: dict[str, int]) -> dict[str, int]:
    """The sample team plus Max, a second manager, and Zoe, his rep."""
    return await second_team(db, team, "max")


async def _zoe_show(db: Database, ids: dict[str, int]) -> tuple[Event, Lead, Lead]:
    """Maria's event (as registered before the fix) with Ravi and Zoe; one lead each,
    both past a deadline of Wednesday 20 January 2027."""
    event = Event(org_id=ids["org"], name="Zoe show", starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 15),
                  location="Berlin", timezone="Europe/Berlin", created_by=ids["maria"],
                  assigned_at=utc(2027, 1, 16, 6))
    async with db.session() as session:
        event = await event_names.add_event(session, event, [ids["ravi"], ids["zoe"]])
        zoes = Lead(org_id=ids["org"], event_id=event.id, owner_id=ids["zoe"], captured_by=ids["zoe"],
                    name="Zora Quist", company="Vandelay Ltd", temperature="hot", notes=SECRET,
                    captured_at=utc(2027, 1, 12, 10), due_at=utc(2027, 1, 20, 17))
        ravis = Lead(org_id=ids["org"], event_id=event.id, owner_id=ids["ravi"], captured_by=ids["ravi"],
                     name="Ann Lee", company="Initech", temperature="warm", notes="wants a demo",
                     captured_at=utc(2027, 1, 12, 11), due_at=utc(2027, 1, 20, 12))
        session.add_all([zoes, ravis])
        await session.flush()
    return event, zoes, ravis


async def _lead(db: Database, lead_id: int) -> Lead:
    async with db.session() as session:
        found = await store.get_lead(session, lead_id)
    assert found is not None
    return found


async def _events(db: Database) -> list[str]:
    async with db.session() as session:
        return [e.name for e in (await session.exec(select(Event))).all()]


async def test_a_manager_may_not_bring_another_manager_s_rep_to_an_event(
        coach: Coach, two_teams: dict[str, int], db: Database) -> None:
    with freeze_time("2026-11-30 15:00:00", real_asyncio=True):
        alone = await say(coach, two_teams["maria"], '/okr event add "Zoe show" 2026-12-07 Berlin @zoe')
        mixed = await say(coach, two_teams["maria"], '/okr event add "Mixed" 2026-12-07 Berlin @ravi @zoe @max')
        assert await _events(db) == []  # nothing half-registered
        own = await say(coach, two_teams["maria"], '/okr event add "Own" 2026-12-07 Berlin @ravi @maria')
        by_admin = await say(coach, two_teams["ada"], '/okr event add "Org wide" 2026-12-08 Berlin @zoe @ravi')
        by_max = await say(coach, two_teams["max"], '/okr event add "Max show" 2026-12-09 Berlin @zoe')
    assert "Zoe Zed is not on your team, so I registered nothing" in alone
    assert "your direct reports and yourself" in alone and "For example" in alone
    assert "Zoe Zed, Max Manager are not on your team" in mixed and "Ravi Rep" not in mixed
    assert "Own registered" in own
    assert "Org wide registered" in by_admin and "Max show registered" in by_max
    assert sorted(await _events(db)) == ["Max show", "Org wide", "Own"]


async def test_a_manager_sees_and_acts_on_their_own_reports_leads_only(
        coach: Coach, two_teams: dict[str, int], db: Database) -> None:
    maria, max_, ravi = two_teams["maria"], two_teams["max"], two_teams["ravi"]
    _, zoes, ravis = await _zoe_show(db, two_teams)
    with freeze_time("2027-01-19 15:00:00", real_asyncio=True):
        listed = await say(coach, maria, "/okr lead")
        assert "Ann Lee" in listed and "Zora Quist" not in listed and SECRET not in listed
        # every button of Zoe's lead, and reassigning it, refused to Maria
        for verb in ("notfit", "meeting", "followed", "opportunity", "snooze"):
            assert "not yours to change" in await say(coach, maria, action=f"lead:{verb}:{zoes.id}")
        assert "Only the manager of the lead's owner" in await say(coach, maria, f"/okr lead {zoes.id} owner @ravi")
        # nor may she give her own rep's lead to Max's rep
        refused = await say(coach, maria, f"/okr lead {ravis.id} owner @zoe")
        assert "Zoe Zed is not on your team" in refused
        assert "not yours" in await say(coach, ravi, action=f"lead:notfit:{zoes.id}")  # a peer neither
        # Max, Zoe's manager, and Maria on her own report's lead may
        assert "Zora Quist" in await say(coach, max_, "/okr lead")
        assert "meeting booked" in await say(coach, max_, action=f"lead:meeting:{zoes.id}")
        assert "Why is Ann Lee not a fit?" in await say(coach, maria, action=f"lead:notfit:{ravis.id}")
    assert (await _lead(db, zoes.id)).status == "meeting"
    assert (await _lead(db, zoes.id)).owner_id == two_teams["zoe"]
    assert (await _lead(db, ravis.id)).owner_id == ravi


async def test_a_rep_moved_to_another_manager_leaves_the_old_one_s_sight(
        coach: Coach, two_teams: dict[str, int], db: Database) -> None:
    maria, max_ = two_teams["maria"], two_teams["max"]
    _, _, ravis = await _zoe_show(db, two_teams)
    async with db.session() as session:
        ravi = await session.get(Person, two_teams["ravi"])
        assert ravi is not None
        ravi.manager_id = max_
        session.add(ravi)
    with freeze_time("2027-01-19 15:00:00", real_asyncio=True):
        assert "Ann Lee" not in await say(coach, maria, "/okr lead")
        assert "not yours" in await say(coach, maria, action=f"lead:notfit:{ravis.id}")
        assert "Only the manager" in await say(coach, maria, f"/okr lead {ravis.id} owner @sam")
        assert "Ann Lee" in await say(coach, max_, "/okr lead")
    assert (await _lead(db, ravis.id)).status == "new"


async def test_the_event_view_and_report_show_per_person_figures_only_of_the_viewer_s_team(
        coach: Coach, two_teams: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria = two_teams["maria"]
    await _zoe_show(db, two_teams)
    with freeze_time("2027-01-19 15:00:00", real_asyncio=True):
        report = await say(coach, maria, "/okr event Zoe show report")
        shown = await say(coach, maria, "/okr event Zoe show")
        by_admin = await say(coach, two_teams["ada"], "/okr event Zoe show report")
    assert "2 leads captured (1 hot, 1 warm)" in report  # the event's totals stay whole
    assert "• Ravi Rep: 1 captured" in report
    assert "Zoe Zed" not in report and "• 1 person outside your team, together: 1 captured" in report
    assert "• Zoe Zed: 1 captured" in by_admin and "outside your team" not in by_admin
    assert "Ravi Rep" in shown and "· 1 lead\n" in shown  # one lead, in the singular
    zoe_line = next(line for line in shown.splitlines() if "Zoe Zed" in line)
    assert "leads" not in zoe_line and "rehearsed" not in zoe_line
    assert "Your team's leads: 1" in shown and "outside your team are not shown" in shown

    with freeze_time("2027-02-01 15:00:00", real_asyncio=True):  # the scheduled report to Maria
        assert await send_reports(coach) == 1
    [sent] = [m for r, ms in outbox.sent if r.person_id == maria for m in ms if m.title == "Result of Zoe show"]
    assert "Ravi Rep: 1 captured" in sent.text and "Zoe Zed" not in sent.text


async def test_an_overdue_lead_is_chased_with_its_owner_s_manager_not_the_event_s(
        coach: Coach, two_teams: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria, max_ = two_teams["maria"], two_teams["max"]
    _, zoes, ravis = await _zoe_show(db, two_teams)
    with freeze_time("2027-01-21 08:30:00", real_asyncio=True):  # Thursday 09:30 in Berlin, night in New York
        assert await escalate_overdue(coach) == 1
    [to_max] = [t for t in outbox.texts_for(max_) if "passed the follow-up deadline" in t]
    assert f"#{zoes.id} Zora Quist, Vandelay Ltd (hot) — Zoe Zed, Zoe show" in to_max and "Ann Lee" not in to_max
    with freeze_time("2027-01-21 13:30:00", real_asyncio=True):  # Thursday 08:30 in New York
        assert await escalate_overdue(coach) == 1
    [to_maria] = [t for t in outbox.texts_for(maria) if "passed the follow-up deadline" in t]
    assert f"#{ravis.id} Ann Lee" in to_maria and "Zora Quist" not in to_maria
