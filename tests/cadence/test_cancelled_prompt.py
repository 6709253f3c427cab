"""A conversation a prompt opened and the person cancelled ("nothing from it was
saved") does not count as answering the prompt (newcomer F1): the prompt is open again,
the manager's brief counts it open (not "answered on time"), `/okr team` and the brief
agree, the one nudge still comes, and a typed `start` goes through it again. The same
for the WIG session; a prompt put back for later stays put back."""

from __future__ import annotations

from datetime import timedelta

from cadence_helpers import at, joined, occurrences, utc
from conftest import RecordingChannel, say
from test_checkin_loop import TUESDAY_CHECKIN, handle, seed

from bot.cadence.dispatcher import Dispatcher
from bot.cadence.nudges import nudge_unanswered
from bot.cadence.ticks import TickReport
from bot.core.coach import Coach
from storage.db import Database


async def _started_and_cancelled(coach: Coach, outbox: RecordingChannel, ravi: int, kind: str) -> str:
    """Deliver the prompt, press its Start, cancel at the first question."""
    await Dispatcher(coach).tick()
    card = next(m for _, ms in outbox.sent for m in ms if (m.key or "").startswith(f"{kind}:{ravi}:"))
    start = next(c.value for c in card.choices if c.value.startswith("cadence:start:"))
    await handle(coach, ravi, action=start)
    return await say(coach, ravi, "cancel")


async def test_a_cancelled_check_in_leaves_its_prompt_open_and_the_brief_says_so(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    with at(TUESDAY_CHECKIN):
        said = await _started_and_cancelled(coach, outbox, ravi, "okr_checkin")
        assert "nothing from it was saved" in said
        assert "still counts as not done" in said and "`start`" in said
        row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin" and o.delivered_at)
        assert (row.status, row.answered_at) == ("delivered", None)
        brief = await say(coach, maria, "/okr brief @ravi@example.com")
        assert "OKR check-ins: 0 answered on time, 0 late, 0 missed, 0 skipped, 1 still open" in brief
        assert "Last check-in: none yet" in await say(coach, maria, "/okr team")


async def test_the_nudge_still_comes_and_start_goes_through_it_again(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    with at(TUESDAY_CHECKIN):
        await _started_and_cancelled(coach, outbox, ravi, "okr_checkin")
    later = TUESDAY_CHECKIN + timedelta(days=1, hours=6)
    with at(later):
        await nudge_unanswered(coach, later, 24, TickReport())
        assert [k for r, ms in outbox.sent for m in ms if r.person_id == ravi
                and (k := m.key or "").startswith("okr_checkin") and k.endswith(":nudge")]
        assert "Let's go through" in await say(coach, ravi, "start")
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin" and o.delivered_at)
    assert row.status == "answered" and row.answered_at is not None


async def test_a_cancelled_wig_session_leaves_its_prompt_open(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 4, 1)):  # Monday 09:31 in Kolkata: the WIG prompt is out
        said = await _started_and_cancelled(coach, outbox, ravi, "wig")
    assert "Your WIG session still counts as not done" in said
    row = next(o for o in await occurrences(db, ravi) if o.kind == "wig" and o.delivered_at)
    assert (row.status, row.answered_at) == ("delivered", None)


async def test_a_snoozed_prompt_started_early_and_cancelled_stays_snoozed(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()
        await say(coach, ravi, "/okr snooze tomorrow")
        await say(coach, ravi, "/okr checkin")
        said = await say(coach, ravi, "cancel")
    assert "it comes back tomorrow" in said
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin" and o.delivered_at)
    assert (row.status, row.answered_at) == ("pending", None) and row.snoozed_until is not None


async def test_a_check_in_and_wig_session_done_without_a_prompt_show_in_the_brief(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """Newcomer F23: after `/okr checkin` and `/okr wig start` on a day no prompt was due,
    the brief said "No check-in or WIG prompt was due", read as "nothing happened". The
    early check-in answers Tuesday's prompt ahead (`answered early`): counted once."""
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    sunday = utc(2027, 1, 10, 8)  # Sunday in Kolkata: nothing due, nothing delivered
    with at(sunday):
        await say(coach, ravi, "/okr checkin")
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
        await say(coach, ravi, "/okr wig start")
        await say(coach, ravi, "call lapsed customers")
        await say(coach, ravi, "done")  # commitments come one per message until `done`
        brief = await say(coach, maria, "/okr brief @ravi@example.com")
    assert "No check-in or WIG prompt was due" not in brief
    assert "OKR check-ins: 1 done on their own (`/okr checkin`), no prompt was due" in brief
    assert "WIG sessions: 1 done on their own (`/okr wig start`), no prompt was due" in brief
    with at(TUESDAY_CHECKIN + timedelta(days=1)):  # Tuesday's prompt, answered ahead, is now due: still one
        await Dispatcher(coach).tick()
        brief = await say(coach, maria, "/okr brief @ravi@example.com")
    assert "OKR check-ins: 1 done on their own (`/okr checkin`), no prompt was due" in brief


async def _start_clicked_again(coach: Coach, outbox: RecordingChannel, ravi: int, kind: str) -> str:
    """The prompt card's own Start, pressed again after its conversation was cancelled."""
    card = next(m for _, ms in outbox.sent for m in ms if (m.key or "").startswith(f"{kind}:{ravi}:"))
    start = next(c.value for c in card.choices if c.value.startswith("cadence:start:"))
    return "\n".join(m.plain() for m in await handle(coach, ravi, action=start))


async def test_the_cards_start_opens_a_cancelled_check_in_again_and_a_finished_one_is_done(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """The card said "the reminder stays open": its Start button works again (it was
    answered "already answered"), and once the check-in is stored it is done."""
    ravi = team["ravi"]
    await seed(db, team)
    with at(TUESDAY_CHECKIN):
        await _started_and_cancelled(coach, outbox, ravi, "okr_checkin")
        again = await _start_clicked_again(coach, outbox, ravi, "okr_checkin")
        assert "already answered" not in again and "Let's go through" in again
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
        assert "already answered" in await _start_clicked_again(coach, outbox, ravi, "okr_checkin")
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin" and o.delivered_at)
    assert row.status == "answered"


async def test_the_cards_start_opens_a_cancelled_wig_session_again(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await joined(db, utc(2027, 1, 10))
    with at(utc(2027, 1, 11, 4, 1)):
        first = await _started_and_cancelled(coach, outbox, ravi, "wig")
        again = await _start_clicked_again(coach, outbox, ravi, "wig")
    assert "still counts as not done" in first
    assert "already answered" not in again and "This week's WIG session" in again  # afresh
    row = next(o for o in await occurrences(db, ravi) if o.kind == "wig" and o.delivered_at)
    assert row.status == "answered"  # opened again, by the card
