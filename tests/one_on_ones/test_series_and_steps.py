"""One-on-one series in chat, and the steps around each meeting: the brief once, a
set time before, in the manager's working hours (across DST), never for a skipped
meeting or on a holiday; the rep's agenda; the manager's notes and action items."""

from __future__ import annotations

from conftest import RecordingChannel, say
from meeting_helpers import at, items, joined, meetings, utc

from bot.cadence.meetings import one_on_one_meetings
from bot.features.one_on_ones import meeting_steps


def briefs_for(outbox: RecordingChannel, person_id: int) -> list[str]:
    """Each brief delivered to the person, all its messages as one text."""
    return ["\n".join(m.plain() for m in ms) for r, ms in outbox.sent
            if r.person_id == person_id and ms and (ms[0].title or "").startswith("Brief:")]


async def test_a_series_is_set_moved_listed_and_bad_input_is_asked_again(coach, team, db) -> None:
    with at(utc(2027, 3, 1, 15)):
        said = await say(coach, team["maria"], "/okr 1on1 @sam every other Tuesday 10:00")
        assert "every other Tuesday at 10:00 (America/New_York), starting Tue 02 Mar" in said
        assert "Your brief arrives 2 hours before each one" in said
        listed = await say(coach, team["maria"], "/okr 1on1")
        assert "Sam Seller: every other Tuesday at 10:00" in listed and "Tue 02 Mar 10:00" in listed
        assert "brief 2 hours before" in listed
        # a lead time that is not whole hours reads in minutes, not "0.2 hours"
        assert "arrive 15 minutes before" in await say(coach, team["maria"], "/okr 1on1 brief 15m")
        assert "brief 15 minutes before" in await say(coach, team["maria"], "/okr 1on1")
        assert "arrive 1 hour 30 minutes before" in await say(coach, team["maria"], "/okr 1on1 brief 90m")
        moved = await say(coach, team["maria"], "/okr 1on1 @sam move to Thursday 11:30")
        assert "Thursday at 11:30" in moved and "Thu 04 Mar" in moved
        bad = await say(coach, team["maria"], "/okr 1on1 @sam every other week")
        assert "Which weekday?" in bad and "/okr 1on1 @ravi every other Tuesday 10:00" in bad
        no_time = await say(coach, team["maria"], "/okr 1on1 @sam every Friday")
        assert "At what time?" in no_time
        not_mine = await say(coach, team["maria"], "/okr 1on1 @ada every Friday 9:00")
        assert "your own direct reports" in not_mine
        refused = await say(coach, team["sam"], "/okr 1on1 @ravi every Friday 9:00")
        assert "1on1" in refused and "Sam Seller" not in refused


async def test_the_brief_arrives_two_hours_before_a_new_york_meeting_across_the_march_dst_change(
        coach, team, db, outbox) -> None:
    # US clocks go forward on Sunday 14 March 2027: 10:00 in New York is 15:00 UTC
    # on the 9th and 14:00 UTC on the 16th; the brief comes at 08:00 local both times.
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")
    for moment, expected in [(utc(2027, 3, 9, 12, 55), 0), (utc(2027, 3, 9, 13, 0), 1),
                             (utc(2027, 3, 9, 13, 5), 1), (utc(2027, 3, 9, 14, 59), 1),
                             (utc(2027, 3, 16, 11, 55), 1), (utc(2027, 3, 16, 12, 0), 2),
                             (utc(2027, 3, 16, 12, 10), 2)]:
        with at(moment):
            await meeting_steps(coach)
        assert len(briefs_for(outbox, team["maria"])) == expected, moment
    first = briefs_for(outbox, team["maria"])[0]
    assert "Tue 09 Mar, 10:00" in first and "Sam Seller" in first
    stored = await meetings(db)
    assert [m.brief_at for m in stored[:2]] == [utc(2027, 3, 9, 13, 0), utc(2027, 3, 16, 12, 0)]


async def test_a_meeting_on_a_holiday_is_not_briefed_that_day(coach, team, db, outbox) -> None:
    # Monday 18 January 2027 is Martin Luther King Jr. Day in the US (Sam, Los Angeles):
    # the 1:1 moves to Tuesday, and so does its brief.
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 1, 11, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Monday 10:00")
    with at(utc(2027, 1, 18, 13, 0)):
        await meeting_steps(coach)
    assert briefs_for(outbox, team["maria"]) == []
    with at(utc(2027, 1, 19, 13, 0)):
        await meeting_steps(coach)
    assert len(briefs_for(outbox, team["maria"])) == 1
    assert "Tue 19 Jan, 10:00" in briefs_for(outbox, team["maria"])[0]


async def test_a_skipped_meeting_sends_no_brief_and_shows_as_skipped(coach, team, db, outbox) -> None:
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")
        said = await say(coach, team["maria"], "/okr 1on1 @sam skip next")
        assert "Tue 02 Mar 10:00" in said
        planned = await one_on_one_meetings(db, utc(2027, 3, 1), utc(2027, 3, 10))
    assert [(m.slot.status, m.slot.reason) for m in planned] == [("skipped", "skipped_by_manager"), ("due", None)]
    with at(utc(2027, 3, 2, 13, 30)):
        await meeting_steps(coach)
    assert briefs_for(outbox, team["maria"]) == []
    with at(utc(2027, 3, 9, 13, 30)):
        await meeting_steps(coach)
    assert len(briefs_for(outbox, team["maria"])) == 1


async def test_agenda_before_notes_and_action_items_after_carried_into_the_next_brief(
        coach, team, db, outbox) -> None:
    await joined(db, utc(2027, 1, 1))
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every Tuesday 10:00")
    with at(utc(2027, 3, 8, 17, 30)):  # Monday 09:30 in Los Angeles, the day before
        await meeting_steps(coach)
    agenda = [m for r, ms in outbox.sent if r.person_id == team["sam"] for m in ms]
    assert len(agenda) == 1 and "Anything you want to discuss?" in agenda[0].plain()
    with at(utc(2027, 3, 8, 17, 31)):
        asked = await say(coach, team["sam"], action=agenda[0].choices[0].value)
        assert "Anything you want to discuss with Maria" in asked
        await say(coach, team["sam"], "Pricing for the ACME renewal")
    with at(utc(2027, 3, 9, 13, 0)):
        await meeting_steps(coach)
    assert "Pricing for the ACME renewal" in briefs_for(outbox, team["maria"])[0]
    with at(utc(2027, 3, 9, 15, 35)):  # the 30-minute meeting ended at 15:30 UTC
        await meeting_steps(coach)
    card = [m for r, ms in outbox.sent if r.person_id == team["maria"] for m in ms if m.choices][-1]
    assert "How did the one-on-one with Sam go?" in card.plain()
    with at(utc(2027, 3, 9, 15, 40)):
        assert "What did you and Sam agree?" in await say(coach, team["maria"], action=card.choices[0].value)
        assert "Should Sam see these notes?" in await say(coach, team["maria"], "Good quarter so far; focus on ACME")
        assert "Any action items?" in await say(coach, team["maria"], "1")
        retry = await say(coach, team["maria"], "Bob: call the CFO by Friday")
        assert 'couldn\'t find exactly one person called "Bob"' in retry
        done = await say(coach, team["maria"],
                         "Sam: send ACME the proposal by Friday\nme: pricing approval by 2027-03-17")
        assert "2 action items" in done
    stored = await items(db)
    assert [(i.owner_id, i.text, i.due_on.isoformat()) for i in stored] == [  # type: ignore[union-attr]
        (team["sam"], "send ACME the proposal", "2027-03-12"), (team["maria"], "pricing approval", "2027-03-17")]
    to_sam = [m.plain() for r, ms in outbox.sent if r.person_id == team["sam"] for m in ms][-1]
    assert "focus on ACME" in to_sam and "send ACME the proposal" in to_sam and "pricing approval" not in to_sam
    with at(utc(2027, 3, 10, 16)):
        assert "send ACME the proposal" in await say(coach, team["sam"], "/okr actions")
        assert "pricing approval" not in await say(coach, team["sam"], "/okr actions")
        assert "There is no open action item" in await say(coach, team["ravi"], f"/okr done {stored[0].id}")
        assert "Done:" in await say(coach, team["sam"], f"/okr done {stored[0].id}")
        assert "already closed" in await say(coach, team["sam"], f"/okr done {stored[0].id}")
    with at(utc(2027, 3, 16, 12, 0)):
        await meeting_steps(coach)
    second = briefs_for(outbox, team["maria"])[1]
    assert "pricing approval" in second and "send ACME the proposal" not in second
    assert "since your last one-on-one on 09 Mar" in second


async def test_a_date_given_to_move_is_never_read_as_a_time(coach, team, db) -> None:  # type: ignore[no-untyped-def]
    """`move to 03/04` was read as 03:00 and moved every one-on-one of the series (the
    last reviewer): a date's numbers are no time, and a move that names neither a
    weekday nor a time says what it takes; the series stays as it was."""
    with at(utc(2027, 3, 1, 15)):
        await say(coach, team["maria"], "/okr 1on1 @sam every other Tuesday 10:00")
        for typed in ("move to 03/04", "move to 2027-03-04", "move to 12/25", "move to 3.4."):
            said = await say(coach, team["maria"], f"/okr 1on1 @sam {typed}")
            assert "couldn't find a weekday or a time" in said and "skip next" in said, said
        listed = await say(coach, team["maria"], "/okr 1on1")
        assert "Sam Seller: every other Tuesday at 10:00" in listed, listed
        moved = await say(coach, team["maria"], "/okr 1on1 @sam move to Thu 11:30")
    assert "Thursday at 11:30" in moved
