"""One name, one event; another team's event out of sight (review of trade shows).

- `/okr event add` refuses a name another event of the organisation has (over, or of
  another team, too), offering a free one ("NRF 2026 Oslo"); a one-day event is told
  as its day, not "2026-12-20 to 2026-12-20".
- Where old data has two events of one name, `/okr lead in NAME` takes the one the
  person may log into and is running for them, else lists them with their days and
  places and takes "NAME FIRST-DAY"; `rename` gives one its own name; the command
  line takes "NAME FIRST-DAY" too, and says so.
- A rep sees and logs into only events they attend, a manager those of their team
  and the ones they registered, an admin any (`access.may_see_event`).
- The manager who registered an event logs leads into it, while it runs, unnamed.
- `coachbot event import-leads` and `export-leads` both take `--event NAME` or the
  name first.

Maria manages Ravi and Sam (sample team); Omar manages Zoe (Berlin)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import say
from freezegun import freeze_time
from sqlmodel import select
from test_lead_privacy import second_team
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.coach import Coach
from storage import event_names
from storage.db import AsyncSession, Database
from storage.models import Event, EventAttendee, Lead

NOW = "2026-12-01 15:00:00"  # New York 10:00 on day two of NRF; Oslo and Berlin 16:00


@pytest.fixture
async def ids(db: Database, team: dict[str, int]) -> dict[str, int]:
    return await second_team(db, team, "omar")


async def _as_before(session: AsyncSession, event: Event, attendee_ids: list[int]) -> Event:
    """An event written as data from before names were kept distinct (straight to the
    table: `event_names.add_event` refuses a name in use)."""
    session.add(event)
    await session.flush()
    for person_id in attendee_ids:
        session.add(EventAttendee(event_id=event.id, person_id=person_id))  # type: ignore[arg-type]
    await session.flush()
    return event


async def _old_pair(db: Database, ids: dict[str, int]) -> tuple[Event, Event]:
    """Two events Maria registered under one name before names were kept distinct:
    New York with Ravi and Sam, and a later Oslo one with Sam only."""
    async with db.session() as session:
        ny = await _as_before(session, Event(
            org_id=ids["org"], name="NRF 2026", starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 3),
            location="New York", timezone="America/New_York", created_by=ids["maria"]), [ids["ravi"], ids["sam"]])
        oslo = await _as_before(session, Event(
            org_id=ids["org"], name="NRF 2026", starts_on=date(2026, 12, 20), ends_on=date(2026, 12, 20),
            location="Oslo", timezone="Europe/Oslo", created_by=ids["maria"]), [ids["sam"]])
        return ny, oslo


async def _leads(db: Database) -> list[Lead]:
    async with db.session() as session:
        return list((await session.exec(select(Lead).order_by(Lead.id))).all())  # type: ignore[arg-type]


async def _events(db: Database) -> list[Event]:
    async with db.session() as session:
        return list((await session.exec(select(Event).order_by(Event.id))).all())  # type: ignore[arg-type]


async def test_a_name_in_use_is_refused_with_a_free_one_offered(coach: Coach, ids: dict[str, int],
                                                               db: Database) -> None:
    maria, omar = ids["maria"], ids["omar"]
    async with db.session() as session:  # last year's, long over
        await event_names.add_event(session, Event(
            org_id=ids["org"], name="Web Summit", starts_on=date(2025, 11, 10), ends_on=date(2025, 11, 13),
            location="Lisbon", timezone="Europe/Lisbon", created_by=maria), [ids["ravi"]])
    with freeze_time(NOW, real_asyncio=True):
        first = await say(coach, maria, '/okr event add "NRF 2026" 2026-11-30..2026-12-03 New York @ravi @sam')
        again = await say(coach, maria, '/okr event add "NRF 2026" 2026-12-20 Oslo @sam')
        cased = await say(coach, maria, '/okr event add "nrf 2026" 2026-12-20 Oslo @sam')
        over = await say(coach, maria, '/okr event add "Web Summit" 2026-12-14..2026-12-16 Lisbon @ravi')
        assert "Secret Expo registered" in await say(coach, omar, '/okr event add "Secret Expo" 2026-12-09 Berlin @zoe')
        theirs = await say(coach, maria, '/okr event add "Secret Expo" 2026-12-10 Oslo @ravi')
        distinct = await say(coach, maria, '/okr event add "NRF 2026 Oslo" 2026-12-20 Oslo @sam')
    assert "NRF 2026 registered: 2026-11-30 to 2026-12-03, New York" in first
    for refused, typed in ((again, "NRF 2026"), (cased, "nrf 2026")):
        assert f'Another event is already called "{typed}"' in refused and "registered" not in refused
        assert f'`/okr event add "{typed} Oslo" …`' in refused, refused
    assert 'Another event is already called "Web Summit"' in over and '"Web Summit Lisbon"' in over
    assert 'Another event is already called "Secret Expo"' in theirs
    assert "Zoe" not in theirs and "Omar" not in theirs
    assert "NRF 2026 Oslo registered: 2026-12-20, Oslo (Europe/Oslo)" in distinct  # one day: said once
    assert [e.name for e in await _events(db)] == ["Web Summit", "NRF 2026", "Secret Expo", "NRF 2026 Oslo"]


async def test_same_named_old_events_a_lead_goes_to_the_one_running_for_the_person(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    ravi, sam, maria = ids["ravi"], ids["sam"], ids["maria"]
    ny, oslo = await _old_pair(db, ids)
    with freeze_time(NOW, real_asyncio=True):
        by_ravi = await say(coach, ravi, "/okr lead in NRF 2026: Jane Roe, Acme Corp, hot, wants a demo")
        by_sam = await say(coach, sam, "/okr lead in nrf 2026: Ann Lee, Beta, warm")
        by_maria = await say(coach, maria, "/okr lead in NRF 2026: Bo Ek, Gamma, cold")
        ravi_sees = await say(coach, ravi, "/okr event NRF 2026")
        maria_sees = await say(coach, maria, "/okr event NRF 2026")
    assert "saved for NRF 2026" in by_ravi and "saved for NRF 2026" in by_sam and "saved for NRF 2026" in by_maria
    assert [lead.event_id for lead in await _leads(db)] == [ny.id, ny.id, ny.id]
    assert "2026-11-30 to 2026-12-03, New York" in ravi_sees and "Oslo" not in ravi_sees
    assert '2 events are called "NRF 2026"' in maria_sees
    assert "2026-11-30 to 2026-12-03, New York" in maria_sees and "NRF 2026: 2026-12-20, Oslo" in maria_sees
    assert "`/okr event NRF 2026 2026-12-20`" in maria_sees


async def test_same_named_old_events_none_running_asks_which_and_a_first_day_or_rename_picks(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    ravi, sam, maria = ids["ravi"], ids["sam"], ids["maria"]
    ny, oslo = await _old_pair(db, ids)
    with freeze_time("2026-12-10 12:00:00", real_asyncio=True):  # between the two
        asked = await say(coach, sam, "/okr lead in NRF 2026: Bob Berg, Beta, warm")
        assert await _leads(db) == []
        picked = await say(coach, sam, "/okr lead in NRF 2026 2026-12-20: Bob Berg, Beta, warm")
        not_his = await say(coach, ravi, "/okr event NRF 2026 rename NRF 2026 New York")
        assert "registered" in await say(coach, ids["ada"], '/okr event add "Ada show" 2026-12-15 Oslo @ravi')
        not_hers = await say(coach, maria, "/okr event Ada show rename Maria show")  # she sees it, Ada registered it
        taken = await say(coach, maria, "/okr event NRF 2026 2026-12-20 rename Ada show")
        renamed = await say(coach, maria, "/okr event NRF 2026 2026-12-20 rename NRF 2026 Oslo")
        after = await say(coach, sam, "/okr lead in NRF 2026: Cleo Cruz, Delta")
        listed = await say(coach, sam, "/okr event")
    assert '2 events are called "NRF 2026"' in asked and "saved" not in asked
    assert "NRF 2026: 2026-11-30 to 2026-12-03, New York" in asked and "NRF 2026: 2026-12-20, Oslo" in asked
    assert "`/okr lead in NRF 2026 2026-12-20: Bob Berg, Beta, warm`" in asked
    assert "rename" in asked
    assert "saved for NRF 2026" in picked and "Bob Berg" in picked
    assert "Only a manager or an admin" in not_his
    assert 'Only whoever registered "Ada show" (or an admin) renames it' in not_hers
    assert 'Another event is already called "Ada show"' in taken
    assert "`/okr event NRF 2026 2026-12-20 rename NRF 2026 Oslo`" in taken
    assert '"NRF 2026" (2026-12-20, Oslo) is now called "NRF 2026 Oslo"' in renamed
    assert "saved for NRF 2026" in after
    assert [(lead.name, lead.event_id) for lead in await _leads(db)] == [("Bob Berg", oslo.id), ("Cleo Cruz", ny.id)]
    assert "NRF 2026 Oslo: 2026-12-20, Oslo" in listed and "NRF 2026: 2026-11-30 to 2026-12-03" in listed


@freeze_time("2026-12-21 12:00:00", real_asyncio=True)  # leads import once the event has begun
def test_the_command_line_names_one_of_two_by_its_first_day_both_ways(
        db: Database, ids: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("DATABASE_URL", db.url)
    ny, oslo = asyncio.run(_old_pair(Database(db.url), ids))
    badges = tmp_path / "badges.csv"
    badges.write_text("Name,Company,Email\nAna Silva,Farfetch,ana@farfetch.com\n", encoding="utf-8")
    runner = CliRunner()
    both = runner.invoke(app, ["event", "import-leads", "NRF 2026", str(badges)])
    assert both.exit_code == 1 and '2 events are called "NRF 2026"' in both.output
    assert "NRF 2026 2026-11-30: 2026-11-30 to 2026-12-03, New York" in both.output
    assert '--event "NRF 2026 2026-12-20"' in both.output and "rename" in both.output
    assert "rename one in chat first" not in both.output
    done = runner.invoke(app, ["event", "import-leads", "NRF 2026 2026-12-20", str(badges)])
    assert done.exit_code == 0 and "1 lead imported into NRF 2026" in done.output, done.output
    out = runner.invoke(app, ["event", "export-leads", "--event", "NRF 2026 2026-12-20"])
    assert out.exit_code == 0 and "Ana Silva" in out.stdout
    empty = runner.invoke(app, ["event", "export-leads", "--event", "NRF 2026 2026-11-30"])
    assert empty.exit_code == 0 and "Ana Silva" not in empty.stdout
    assert [lead.event_id for lead in asyncio.run(_leads(Database(db.url)))] == [oslo.id]


@freeze_time("2026-12-21 12:00:00", real_asyncio=True)  # leads import once the event has begun
def test_import_and_export_both_take_the_event_as_option_or_first_argument(
        db: Database, ids: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    monkeypatch.setenv("DATABASE_URL", db.url)
    asyncio.run(_old_pair(Database(db.url), ids))
    badges = tmp_path / "badges.csv"
    badges.write_text("Name,Company,Email\nAna Silva,Farfetch,ana@farfetch.com\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["event", "import-leads", "--event", "NRF 2026 2026-12-20", str(badges)])
    assert done.exit_code == 0 and "1 lead imported into NRF 2026" in done.output, done.output
    out = runner.invoke(app, ["event", "export-leads", "NRF 2026 2026-12-20"])  # the name first, as import takes it
    assert out.exit_code == 0 and "Ana Silva" in out.stdout, out.output
    none = runner.invoke(app, ["event", "export-leads"])
    assert none.exit_code == 1 and "which event?" in none.output and '--event "NRF 2027"' in none.output
    twice = runner.invoke(app, ["event", "import-leads", "--event", "NRF 2026", "NRF 2026", str(badges)])
    assert twice.exit_code == 1 and "named twice" in twice.output
    missing = runner.invoke(app, ["event", "import-leads", "--event", "NRF 2026 2026-12-20", "nope.csv"])
    assert missing.exit_code == 1 and 'no file "nope.csv"' in missing.output


async def test_another_teams_event_is_out_of_sight_and_takes_no_lead_of_ours(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    ravi, maria, omar, zoe, ada = ids["ravi"], ids["maria"], ids["omar"], ids["zoe"], ids["ada"]
    with freeze_time(NOW, real_asyncio=True):
        added = await say(coach, maria, '/okr event add "NRF 2026" 2026-11-30..2026-12-03 New York @ravi')
        assert "registered" in added
        assert "registered" in await say(coach, omar, '/okr event add "Secret Expo" 2026-12-01 Berlin @zoe')
        logged = await say(coach, ravi, "/okr lead in Secret Expo: Jane Roe, Acme Corp, hot, wants a demo")
        listed = {who: await say(coach, ids[who], "/okr event") for who in ("ravi", "maria", "omar", "zoe", "ada")}
        shown = {who: await say(coach, ids[who], "/okr event Secret Expo") for who in ("ravi", "maria", "zoe")}
        by_admin = await say(coach, ada, "/okr lead in Secret Expo: Ann Lee, Beta, warm")
        by_zoe = await say(coach, zoe, "/okr lead Bo Ek, Gamma, cold")
    assert 'I know no event of yours called "Secret Expo", so I saved nothing' in logged
    assert "`/okr lead in NRF 2026: Jane Roe, Acme Corp, hot, wants a demo`" in logged  # his running one offered
    assert "Zoe" not in logged and "Omar" not in logged
    for who in ("ravi", "maria"):
        assert "Secret Expo" not in listed[who] and "NRF 2026" in listed[who]
        assert 'I know no event called "Secret Expo"' in shown[who] and "Zoe" not in shown[who]
    assert "Secret Expo" in listed["omar"] and "NRF 2026" not in listed["omar"]
    assert "Secret Expo" in listed["zoe"] and "Zoe Zed" in shown["zoe"]
    assert "Secret Expo" in listed["ada"] and "NRF 2026" in listed["ada"]
    assert "saved for Secret Expo" in by_admin and "saved for Secret Expo" in by_zoe
    events = {e.id: e.name for e in await _events(db)}
    assert [(lead.name, events[lead.event_id]) for lead in await _leads(db)] == [  # type: ignore[index]
        ("Ann Lee", "Secret Expo"), ("Bo Ek", "Secret Expo")]


async def test_the_manager_who_registered_a_running_event_logs_into_it_unnamed(
        coach: Coach, ids: dict[str, int], db: Database) -> None:
    maria, omar = ids["maria"], ids["omar"]
    with freeze_time(NOW, real_asyncio=True):
        assert "registered" in await say(coach, maria, '/okr event add "Sales kick-off" 2026-12-01 Oslo @ravi')
        mine = await say(coach, maria, "/okr lead Jane Roe, Acme Corp, hot")
        other = await say(coach, omar, "/okr lead Ann Lee, Beta, warm")
    assert "saved for Sales kick-off" in mine
    assert "No event of yours is running today" in other
    [lead] = await _leads(db)
    assert (lead.name, lead.owner_id, lead.captured_by) == ("Jane Roe", maria, maria)


async def test_two_managers_adding_one_name_at_once_get_one_event(db: Database, ids: dict[str, int]) -> None:
    """The name is checked again under a lock on the organisation's event names when it
    is written: two adds racing (both found the name free) store one event, and the
    other is told no (None), on PostgreSQL where the two really run at once."""
    import asyncio

    if not db.url.startswith("postgresql"):
        pytest.skip("SQLite runs one writing transaction at a time: the race is PostgreSQL's")
    checked = asyncio.Event()
    arrived = 0

    async def add(by: str) -> Event | None:
        nonlocal arrived
        async with db.session() as session:
            assert not await event_names.events_named(session, ids["org"], "NRF 2028")  # both see it free
            arrived += 1
            if arrived == 2:
                checked.set()
            await checked.wait()
            return await event_names.add_event(session, Event(
                org_id=ids["org"], name="NRF 2028", starts_on=date(2028, 1, 10), ends_on=date(2028, 1, 12),
                location="New York", timezone="America/New_York", created_by=ids[by]), [ids["ravi"]])

    results = await asyncio.gather(add("maria"), add("omar"))
    assert sorted(r is None for r in results) == [False, True]
    assert [e.name for e in await _events(db) if e.name == "NRF 2028"] == ["NRF 2028"]


async def test_a_rename_to_a_name_taken_meanwhile_is_refused(db: Database, ids: dict[str, int]) -> None:
    async with db.session() as session:
        first = await event_names.add_event(session, Event(
            org_id=ids["org"], name="Expo A", starts_on=date(2028, 1, 10), ends_on=date(2028, 1, 10),
            location="Oslo", timezone="Europe/Oslo", created_by=ids["maria"]), [ids["ravi"]])
        second = await event_names.add_event(session, Event(
            org_id=ids["org"], name="Expo B", starts_on=date(2028, 2, 10), ends_on=date(2028, 2, 10),
            location="Oslo", timezone="Europe/Oslo", created_by=ids["maria"]), [ids["ravi"]])
        assert first is not None and second is not None
        assert await event_names.add_event(session, Event(
            org_id=ids["org"], name="expo a", starts_on=date(2028, 3, 10), ends_on=date(2028, 3, 10),
            location="Oslo", timezone="Europe/Oslo", created_by=ids["maria"]), []) is None  # any case
        assert not await event_names.rename_event(session, second, "EXPO A")
        assert second.name == "Expo B"
        assert await event_names.rename_event(session, second, "Expo C") and second.name == "Expo C"
