"""A check-in loop that closes (issue #11): an early check-in answers the scheduled
prompt of the same cycle; a card counts one click and only on its own question; the
prompt follows the person's rhythm; last time's change is asked about; values are read
in the key result's unit, a 3x jump is confirmed; "all unchanged" answers the rest;
the manager's copy shows what moved."""

from __future__ import annotations

from cadence_helpers import at, joined, occurrences, utc
from conftest import RecordingChannel, say
from sqlmodel import select

from bot.cadence.dispatcher import Dispatcher
from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from bot.features.goals import review_rule
from storage import okrs
from storage.db import Database
from storage.models import CheckInAnswer, KeyResult

MONDAY = utc(2027, 1, 11, 6)               # 11:30 in Kolkata, the day before the prompt
TUESDAY_CHECKIN = utc(2027, 1, 12, 4, 1)   # Ravi's bi-weekly OKR check-in prompt is out


async def seed(db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:
        await okrs.create_objective(session, team["org"], team["ravi"], "Grow new business", "2027", 1, [
            {"title": "New logos", "target": 12, "unit": "logos", "current": 2},
            {"title": "Win rate", "target": 25, "unit": "%", "start": 20},
            {"title": "First meetings", "target": 6, "unit": "meetings", "kind": "rate", "per": "week"},
        ])
    await joined(db, utc(2027, 1, 10))


async def handle(coach: Coach, person: int, text: str = "", action: str | None = None) -> list[Message]:
    return await coach.handle(Inbound(person_id=person, platform="test", text=text, action=action))


def value_of(message: Message, value: str) -> str:
    """The clicked value of a button, as a channel sends it back (the card's key sealed in)."""
    return next(c.value for c in message.choices if c.value.split("|")[0] == value)


async def test_an_early_check_in_answers_the_scheduled_prompt(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    with at(MONDAY):
        await say(coach, ravi, "/okr checkin")
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
    with at(TUESDAY_CHECKIN):
        await Dispatcher(coach).tick()
    assert not [m for _, ms in outbox.sent for m in ms if (m.key or "").startswith("okr_checkin")]
    row = next(o for o in await occurrences(db, ravi) if o.kind == "okr_checkin")
    assert (row.status, row.reason) == ("answered", "answered early")


async def test_a_check_in_right_after_a_prompt_does_not_eat_the_next_cycle(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    with at(TUESDAY_CHECKIN):        # the prompt arrives and is answered
        await Dispatcher(coach).tick()
        await say(coach, ravi, "/okr checkin")
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
    with at(utc(2027, 1, 13, 6)):   # Wednesday, once more: the next prompt is 13 days away
        await say(coach, ravi, "/okr checkin")
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
    later = [o for o in await occurrences(db, ravi) if o.kind == "okr_checkin" and o.local_date.day > 12]
    assert later and later[0].status == "pending"   # Jan 27 (Republic Day moves it a day)


async def test_a_double_click_or_an_older_card_changes_nothing(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    with at(MONDAY):
        await handle(coach, ravi, "/okr checkin")
        [asked] = [m for m in await handle(coach, ravi, "3") if m.choices]
        off = value_of(asked, "off_track")
        next_question = await handle(coach, ravi, action=off)
        assert "Win rate" in next_question[-1].text
        again = await handle(coach, ravi, action=off)          # the double click
        assert [m.text for m in again] == ["You have already answered that one, so I kept your first answer."]
        await handle(coach, ravi, "22%")                       # Win rate: a card of its own
        [older] = [m for m in await handle(coach, ravi, action=off)]   # the first card again
        assert "already answered" in older.text
        # the click did not become the answer to Win rate's confidence question:
        # that question is still pending, so "on track" answers it
        moved_on = await handle(coach, ravi, "on track")
        assert "First meetings" in "\n".join(m.text for m in moved_on)
    async with db.session() as session:
        assert (await session.exec(select(KeyResult).where(KeyResult.title == "New logos"))).one().confidence \
            == "unrated"                                       # not saved until the check-in ends


async def test_values_are_read_in_the_key_results_unit_and_jumps_are_confirmed(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    with at(MONDAY):
        await say(coach, ravi, "/okr checkin")
        jump = await say(coach, ravi, "8")                       # 2 -> 8 logos
        assert "more than three times the 2 logos" in jump
        again = await say(coach, ravi, "no")
        assert "Where is it now?" in again and "not saved" in again and "like `2 logos`" in again  # the current value
        below = await say(coach, ravi, "(5)")                    # a count below zero: asked again
        assert "is below zero" in below and "like `2 logos`" in below and "Where is it now?" in below
        half = await say(coach, ravi, "0.5")                     # no half logo: asked again
        assert "isn't a whole number" in half and "Where is it now?" in half
        drop = await say(coach, ravi, "0")                       # less than a third of 2
        assert "less than a third of the 2 logos" in drop
        assert "Where is it now?" in await say(coach, ravi, "no")
        assert "make it" in await say(coach, ravi, "4")
        assert "Win rate" in await say(coach, ravi, "at risk")
        wrong = await say(coach, ravi, "$640k")                   # money against a percentage
        assert "isn't in this key result's unit" in wrong and "`20%`" in wrong  # its current value
        await say(coach, ravi, "22%")
        rate = await say(coach, ravi, "on track")
        assert "How many in the latest week?" in rate
        assert "First reading: no check-in has given a figure yet (aim: 6 meetings a week)" in rate
        await say(coach, ravi, "5")
        await say(coach, ravi, "on track")
        await say(coach, ravi, "Legal review on Acme")
        await say(coach, ravi, "Two discovery calls every morning")
    async with db.session() as session:
        krs = {kr.title: kr for kr in (await session.exec(select(KeyResult))).all()}
    assert (krs["New logos"].current_value, krs["Win rate"].current_value) == (4, 22)
    assert krs["First meetings"].progress == 5 / 6
    to_maria = outbox.texts_for(maria)[-1]
    assert "New logos: 2 → 4 of 12 logos, first reading; at risk" in to_maria
    assert "Win rate: 20% → 22% (from 20% toward 25%)" in to_maria  # its way from the start (F3)
    assert "640" not in to_maria


async def test_last_change_is_asked_and_all_unchanged_answers_the_rest(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    with at(MONDAY):
        await say(coach, ravi, "/okr checkin")
        for line in ("3", "on track", "all unchanged", "skip", "Two discovery calls every morning"):
            await say(coach, ravi, line)
    with at(utc(2027, 1, 25, 6)):
        opened = await say(coach, ravi, "/okr checkin")
        assert 'Last time you said you would change this: "Two discovery calls every morning"' in opened
        assert "Win rate" not in opened
        first = await say(coach, ravi, "partly")
        assert "New logos" in first and "Last time: 3 of 12 logos" in first
        unchanged = await say(coach, ravi, "all unchanged")
        assert "stays as it was" in unchanged and "slowing you down" in unchanged
        await say(coach, ravi, "skip")
        await say(coach, ravi, "Ask for referrals")
    to_maria = outbox.texts_for(maria)[-1]
    assert 'Last time they meant to change: "Two discovery calls every morning"; did they? Partly.' in to_maria
    assert "New logos: 3 of 12 logos (unchanged); on track" in to_maria
    async with db.session() as session:
        said = (await session.exec(select(CheckInAnswer).where(CheckInAnswer.question == "did_change"))).one()
    assert said.text == "partly"


async def test_the_prompt_names_the_persons_rhythm(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    ravi = team["ravi"]
    await seed(db, team)
    rrule, local_time, anchor = review_rule("monthly", None)
    async with db.session() as session:
        await okrs.set_person_cadence(session, team["org"], ravi, "okr_checkin", rrule, local_time, anchor)
    with at(utc(2027, 2, 2, 4, 1)):      # the first Tuesday of February
        await Dispatcher(coach).tick()
    [prompt] = [m.text for r, ms in outbox.sent for m in ms
                if r.person_id == ravi and (m.key or "").startswith("okr_checkin")]
    assert "once a month" in prompt and "two weeks" not in prompt


async def test_the_demos_right_now_check_in_stands_for_the_cycles_scheduled_one(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """`coachbot demo` plants a check-in due right now (no rule made it); finished, it
    answers the scheduled prompt of the same cycle, as an early `/okr checkin` does (the
    reviewer saw the scheduled one still due three hours after the demo's)."""
    from storage import occurrences as store

    ravi = team["ravi"]
    await seed(db, team)
    async with db.session() as session:
        await store.add_occurrence(session, f"okr_checkin:{ravi}:demo-1", team["org"], ravi, "okr_checkin",
                                   MONDAY, MONDAY.date(), {"demo": True})
    with at(MONDAY):
        await Dispatcher(coach).tick()  # the demo's prompt out; Tuesday's planned
        card = next(m for _, ms in outbox.sent for m in ms if (m.key or "").endswith("demo-1"))
        await handle(coach, ravi, action=next(c.value for c in card.choices if c.value.startswith("cadence:start:")))
        for line in ("all unchanged", "skip", "skip"):
            await say(coach, ravi, line)
    rows = {o.key: o for o in await occurrences(db, ravi) if o.kind == "okr_checkin"}
    scheduled = next(o for key, o in rows.items() if "demo" not in key)
    assert (scheduled.status, scheduled.reason) == ("answered", "answered early")
    assert rows[f"okr_checkin:{ravi}:demo-1"].status == "answered"


async def test_a_check_in_ended_twice_after_a_kill_is_stored_once(db: Database, team: dict[str, int]) -> None:
    """The conversation is closed after its end action; a kill -9 in between (20–40 ms
    after the last answer, the reviewer's runs) asked the last question again on
    restart, and the second ending stored a second check-in with its answers."""
    from sqlalchemy import func

    from storage import checkins
    from storage.models import CheckIn

    ravi = team["ravi"]
    await seed(db, team)
    async with db.session() as session:
        [(_, kr), *_] = await checkins.key_results(session, ravi)
    began = utc(2027, 1, 12, 4, 3)
    ends = []
    with at(utc(2027, 1, 12, 4, 9)):
        for change in ("Call more", "Call more, again"):  # the restart's answer differs
            async with db.session() as session:
                ends.append(await checkins.record_checkin(
                    session, team["org"], ravi, None, [checkins.KeyResultUpdate(kr.id, 5, "on_track")],  # type: ignore[arg-type]
                    "Legal", change, started_at=began))
    async with db.session() as session:
        rows = (await session.exec(select(func.count()).select_from(CheckIn))).one()
        answers = (await session.exec(select(func.count()).select_from(CheckInAnswer))).one()
    assert rows == 1 and answers == 1 and ends[0].id == ends[1].id
    assert ends[1].change_next == "Call more"  # the first ending stands


async def test_all_unchanged_at_the_confidence_question_keeps_the_rest(
        db: Database, team: dict[str, int], coach: Coach, outbox: RecordingChannel) -> None:
    """"all unchanged" (or "no change") at a confidence question is not refused as "not
    on the card": this key result keeps last time's confidence with the value just
    given, and every later key result keeps its value and confidence, as "all
    unchanged" at the value question does."""
    ravi, maria = team["ravi"], team["maria"]
    await seed(db, team)
    with at(MONDAY):
        await say(coach, ravi, "/okr checkin")
        for line in ("3", "at risk", "22%", "on track", "4", "off track", "skip", "Ask for referrals"):
            await say(coach, ravi, line)
    for when, answer in ((utc(2027, 1, 25, 6), "all unchanged"), (utc(2027, 2, 8, 6), "no change")):
        with at(when):
            await say(coach, ravi, "/okr checkin")
            await say(coach, ravi, "partly")                   # did you ask for referrals?
            await say(coach, ravi, "5" if answer == "all unchanged" else "6")
            kept = await say(coach, ravi, answer)
            assert "Please pick" not in kept and "New logos" in kept and "at risk" in kept
            assert "stays as it was" in kept and "slowing you down" in kept
            await say(coach, ravi, "skip")
            await say(coach, ravi, "Ask for referrals")
        async with db.session() as session:
            krs = {kr.title: kr for kr in (await session.exec(select(KeyResult))).all()}
        assert (krs["New logos"].current_value, krs["New logos"].confidence) == (
            5 if answer == "all unchanged" else 6, "at_risk")
        assert (krs["Win rate"].current_value, krs["Win rate"].confidence) == (22, "on_track")
        assert krs["First meetings"].confidence == "off_track"
    assert "New logos: 5 → 6 of 12 logos; at risk" in outbox.texts_for(maria)[-1]
