"""Prompts before an event follow each person's calendar as the cadences do: an event
registered while it is already running sends no "getting ready" prompt; a prompt
whose morning has passed waits for the person's next available moment in their
working day (not 23:15 their time, not while they are away); the kick-off day in the
manager's follow-up plan skips an absence saved after the event was registered."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime

from conftest import RecordingChannel, say
from freezegun import freeze_time
from test_event_life import deliver, rows

from bot.core import logs
from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.features.trade_shows.schedule import replan_events
from storage.db import Database
from storage.models import Event, Occurrence


def local(moment: datetime, tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz))


async def away(coach: Coach, person: int, line: str) -> None:
    """`/okr out …` and its Save button pressed."""
    replies = await coach.handle(Inbound(person_id=person, platform="test", text=line))
    [save] = [c.value for m in replies for c in m.choices if "save" in c.value]
    assert "saved" in (await say(coach, person, action=save)).lower()


async def prompts_of(db: Database) -> dict[str, Occurrence]:
    found = await rows(db, Occurrence, Occurrence.kind.in_(["event_prep", "event_plan"]))  # type: ignore[attr-defined]
    return {o.key.split(":")[0] + ":" + str(o.person_id): o for o in found}


async def test_an_event_already_running_gets_no_preparation_and_the_plan_waits_for_the_morning(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria, ravi, sam = team["maria"], team["ravi"], team["sam"]
    with freeze_time("2026-12-01 04:05:00", real_asyncio=True):  # Mon 23:05 in New York, 20:05 in Los Angeles
        added = await say(coach, maria, '/okr event add "Demo Expo" 2026-11-30..2026-12-02 New York @ravi @sam')
        assert "Demo Expo registered" in added
        await say(coach, maria, "/okr event Demo Expo targets @sam meetings 4")
        found = await prompts_of(db)
        assert f"event_prep:{ravi}" not in found and f"event_prep:{sam}" not in found
        plan = found[f"event_plan:{maria}"]
        at = local(plan.due_at, "America/New_York")
        assert at.date() == date(2026, 12, 1) and 8 <= at.hour < 18, at
        assert await deliver(coach, datetime(2026, 12, 1, 4, 6, tzinfo=UTC)) == 0
    assert outbox.sent == []


async def test_a_late_preparation_prompt_waits_for_the_working_day_and_skips_someone_away(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria, ravi, sam = team["maria"], team["ravi"], team["sam"]
    with freeze_time("2026-12-01 04:05:00", real_asyncio=True):  # Tue 09:35 in Kolkata
        await say(coach, maria, '/okr event add "Demo Expo" 2026-12-07..2026-12-08 New York @ravi @sam')
        found = await prompts_of(db)
        sams = local(found[f"event_prep:{sam}"].due_at, "America/Los_Angeles")  # 20:05 there: tomorrow's day
        assert sams.date() == date(2026, 12, 1) and 8 <= sams.hour < 18, sams
        assert found[f"event_prep:{ravi}"].due_at == datetime(2026, 12, 1, 4, 5, tzinfo=UTC)  # awake: now
        # Ravi is away Tue 1 - Fri 4 Dec, saved after the event was registered
        await away(coach, ravi, "/okr out until next Friday")
    with freeze_time("2026-12-01 04:20:00", real_asyncio=True):
        await replan_events(coach)
        found = await prompts_of(db)
        # back on Mon 7 Dec, the show's first day: no "getting ready" for him any more
        assert (found[f"event_prep:{ravi}"].status, found[f"event_prep:{ravi}"].reason) == ("skipped", "away")
        kickoffs = {k["name"]: k["day"] for k in found[f"event_plan:{maria}"].payload["kickoffs"]}
        assert kickoffs == {"Ravi Rep": "2026-12-09", "Sam Seller": "2026-12-09"}


async def test_the_kick_off_day_skips_an_absence_saved_after_the_event_was_registered(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria, ravi = team["maria"], team["ravi"]
    with freeze_time("2026-11-20 15:00:00", real_asyncio=True):  # Friday, before the show
        await say(coach, maria, '/okr event add "Demo Expo" 2026-11-30..2026-12-02 New York @ravi @sam')
        [event] = await rows(db, Event)
        plan = (await prompts_of(db))[f"event_plan:{maria}"]
        assert {k["name"]: k["day"] for k in plan.payload["kickoffs"]}["Ravi Rep"] == "2026-12-03"
        await away(coach, ravi, "/okr out from 2026-12-01 until 2026-12-04")
        await replan_events(coach)
        plan = (await prompts_of(db))[f"event_plan:{maria}"]
        assert {k["name"]: k["day"] for k in plan.payload["kickoffs"]}["Ravi Rep"] == "2026-12-07", event


def test_the_terminal_chat_shows_no_info_log_lines() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    written = io.StringIO()
    try:
        logs.setup("INFO", "text", stream=written)
        logs.quiet_for_terminal()
        logging.getLogger("bot.cadence.timer").info("cadence tick: TickReport(planned=1)")
        logging.getLogger("bot.cadence.timer").warning("cadence tick failed")
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in handlers:
            root.addHandler(h)
        root.setLevel(level)
    assert "cadence tick: TickReport" not in written.getvalue() and "cadence tick failed" in written.getvalue()
