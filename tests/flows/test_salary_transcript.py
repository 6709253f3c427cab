"""Salary-talk preparation and follow-up through the coach: private to the manager,
figures from what coachbot holds, and only a chosen summary reaching the rep."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage import okrs
from storage.db import Database, utcnow
from storage.models import CheckIn, Commitment, KeyResult, SalaryTalk

PREP = ["Agree a fair raise within budget and a path to team lead",
        "A 10% raise",
        "$4,000",
        "Survey says $85-95k for this role in our region",
        "Two customers praised his onboarding work",
        "The Initech renewal he rescued in October",
        "The small room on the 3rd floor, not our usual one",
        "Tuesday",  # typed on a Monday: "next Tuesday" would be read back (tomorrow, or in 8 days?)
        "Ask for his view first, share figures, explain, agree",
        "Lead the new-hire training, conference budget"]


async def seed_performance(db: Database, rep: int, org: int, numbers: bool = False) -> None:
    async with db.session() as session:
        item = await okrs.create_objective(session, org, rep, "Win mid-market", "2027", 1,
                                           [{"title": "Close 12 logos", "target": 12}])
        kr = item.key_results[0]
        kr.current_value = 6
        kr.confidence = "at_risk"
        session.add(kr)
        session.add(CheckIn(org_id=org, person_id=rep, kind="okr_checkin", completed_at=utcnow()))
        session.add(CheckIn(org_id=org, person_id=rep, kind="wig", completed_at=utcnow()))
        session.add(CheckIn(org_id=org, person_id=rep, kind="wig", completed_at=utcnow() - timedelta(days=7)))
        session.add(Commitment(person_id=rep, text="Call 10 prospects", week_start=date(2027, 1, 4),
                               kept=True))
        session.add(Commitment(person_id=rep, text="Book 3 demos", week_start=date(2027, 1, 11),
                               kept=False))
        if not numbers:
            return
        await okrs.create_objective(session, org, rep, "Hit my 2027 number", "2027", None, [
            {"title": "Close $1,200,000", "target": 1_200_000, "start": 0, "current": 420_000,
             "kind": "quota", "unit": "USD"},
            {"title": "Win rate at 25%", "target": 25, "start": 20, "current": 22, "unit": "%"}])


async def talks(db: Database) -> list[SalaryTalk]:
    async with db.session() as session:
        return list((await session.exec(select(SalaryTalk).order_by(SalaryTalk.id))).all())


async def prepare(coach: Coach, maria: int) -> str:
    out = []
    for line in PREP:
        out.append(await say(coach, maria, line))
    return "\n".join(out)


async def prepare_and_hold_talk(coach: Coach, maria: int) -> None:
    """Prepare a talk with Sam booked for the next day, then record it as held early (today),
    agreed, with a follow-up on May 3."""
    await say(coach, maria, "/okr salary-prep @sam")
    await prepare(coach, maria)
    await say(coach, maria, "/okr salary-prep @sam")
    for line in ["yes", "today", "A 5% raise from April", "skip", "Letter from HR", "satisfied",
                 "We agreed a 5% raise from April; HR sends the letter this week.", "keep", "May 3"]:
        await say(coach, maria, line)


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_prepare_then_follow_up_and_send_the_summary(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria, ravi = team["maria"], team["ravi"]
    await seed_performance(db, ravi, team["org"], numbers=True)
    replies = await coach.handle(Inbound(person_id=maria, platform="test", text="/okr salary-prep @ravi"))
    assert all(m.private for m in replies)
    assert "stays between you and me" in replies[0].text
    for line in PREP[:4]:
        figures = await say(coach, maria, line)
    assert "Quota attainment in 2027: $420,000 of $1,200,000 (35%), business already booked included" in figures
    assert "Win rate: 22% at the last check-in" in figures
    assert "1 at risk" in figures
    assert "OKR check-ins completed: 1" in figures and "WIG sessions completed: 2" in figures
    assert "Weekly commitments kept: 1 of 2" in figures
    for line in PREP[4:-1]:
        await say(coach, maria, line)
    checklist = await say(coach, maria, PREP[-1])
    assert "Keep this checklist on screen" in checklist
    assert "☐ Recognise specifics: The Initech renewal he rescued in October" in checklist
    # the manager's private aim and room are never lines to say (issue #11)
    assert "Open with the purpose: to look at Ravi's pay" in checklist
    facts = next(line for line in checklist.splitlines() if line.startswith("☐ Share the facts"))
    assert "$4,000" not in facts and PREP[0] not in facts
    assert f'For you only, not to be said: your aim, "{PREP[0]}"; your limit, $4,000.' in checklist
    assert "compares with a colleague" in checklist and "emotions run high" in checklist
    assert "Talk on Tue 2 Feb 2027" in checklist
    [talk] = await talks(db)
    assert (talk.manager_id, talk.rep_id, talk.status) == (maria, ravi, "prepared")
    assert talk.preparation["market"] == PREP[3]
    assert outbox.texts_for(ravi) == []

    with freeze_time("2027-02-03 16:00:00", real_asyncio=True):
        asked = await say(coach, maria, "/okr salary-prep ravi@example.com")
        assert "Has your salary talk with Ravi taken place?" in asked
        await say(coach, maria, "yes")
        await say(coach, maria, "A 6% raise from March and the training lead role")
        await say(coach, maria, "$92k")
        await say(coach, maria, "HR letter by Feb 10; training plan by March 1")
        assert "still bothering Ravi" in await say(coach, maria, "partly")
        await say(coach, maria, "He hoped for more; we revisit in the autumn")
        assert "a little short" in await say(coach, maria, "Too short")  # below 20 characters
        summary = ("On Feb 3 we met to discuss your salary. We agreed a 6% raise from March "
                   "and that you lead new-hire training. We will talk again in the autumn.")
        await say(coach, maria, summary)
        await say(coach, maria, "send")
        done = await say(coach, maria, "in 3 months")
        assert "Mon 3 May 2027" in done and "private to you" in done
        assert "on its way to Ravi" in done
    [talk] = await talks(db)
    assert talk.status == "done"
    assert talk.follow_up_on == date(2027, 5, 3)
    assert talk.outcome["satisfied"] == "partly"
    assert talk.summary_for_rep == summary
    assert talk.summary_sent_at is not None
    to_ravi = outbox.texts_for(ravi)
    assert len(to_ravi) == 1 and summary in to_ravi[0]
    assert "Initech" not in to_ravi[0] and "$4,000" not in to_ravi[0]  # preparation stays private


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_who_may_prepare_and_keeping_the_summary(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria, ravi, sam = team["maria"], team["ravi"], team["sam"]
    assert "for managers, about their own direct reports" in await say(coach, ravi, "/okr salary-prep @sam")
    assert "among the people you lead" in await say(coach, maria, "/okr salary-prep @ada")
    assert "Name one of your reps" in await say(coach, maria, "/okr salary-prep")
    await say(coach, maria, "/okr salary-prep @sam")
    assert "No key results recorded for 2027." in await prepare(coach, maria)
    await say(coach, maria, "/okr salary-prep @sam")
    assert "Then here's your preparation" in await say(coach, maria, "no")
    await say(coach, maria, "/okr salary-prep @sam")
    for line in ["yes", "today", "No change this year, a bonus instead", "skip", "Bonus paid in March",
                 "satisfied"]:
        await say(coach, maria, line)
    await say(coach, maria, "We agreed on a one-off bonus paid in March; salary unchanged.")
    await say(coach, maria, "keep")
    await say(coach, maria, "June 1")
    [talk] = await talks(db)
    assert talk.status == "done" and talk.summary_sent_at is None and talk.rep_id == sam
    assert outbox.texts_for(sam) == []


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_restart_during_preparation(coach: Coach, team: dict[str, int], db: Database) -> None:
    maria = team["maria"]
    await say(coach, maria, "/okr salary-prep @ravi")
    for line in PREP[:3]:
        await say(coach, maria, line)
    restarted = Database(db.url)
    try:
        fresh = build_coach(restarted, Settings(database_url=db.url), coach.channels)
        resumed = await say(fresh, maria, "/okr salary-prep @ravi")
        assert "Welcome back" in resumed and "What does the market pay" in resumed
        assert "Welcome back" not in await say(fresh, maria, "back")
        for line in PREP[2:]:
            out = await say(fresh, maria, line)
        assert "Keep this checklist on screen" in out
    finally:
        await restarted.dispose()
    assert [t.status for t in await talks(db)] == ["prepared"]


async def test_figures_count_only_active_key_results(db: Database, team: dict[str, int]) -> None:
    from storage import salary

    await seed_performance(db, team["ravi"], team["org"])
    async with db.session() as session:
        kr = (await session.exec(select(KeyResult))).one()
        figures = await salary.performance(session, team["ravi"], utcnow().replace(year=2000), "2027")
    assert figures["key_results"] == 1 and figures["average_progress"] == 0.5 and kr.id


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_bad_answers_skip_and_cancel(coach: Coach, team: dict[str, int], db: Database) -> None:
    maria = team["maria"]
    await say(coach, maria, "/okr salary-prep @ravi")
    assert "I need this one" in await say(coach, maria, "skip")        # the manager's goal is required
    await say(coach, maria, PREP[0])
    assert "What do you think Ravi hopes for" not in await say(coach, maria, "skip")  # optional
    assert "`$250k`" in await say(coach, maria, "some money")        # room: money, with an example
    await say(coach, maria, "skip")
    await say(coach, maria, PREP[3])
    await say(coach, maria, "skip")
    await say(coach, maria, PREP[5])
    await say(coach, maria, PREP[6])
    assert "has already passed" in await say(coach, maria, "2027-01-15")
    assert "nothing from it was saved" in await say(coach, maria, "cancel")
    assert await talks(db) == []


@freeze_time("2027-01-06 09:00:00", real_asyncio=True)
async def test_goal_setting_without_a_manager_keeps_the_plan_with_the_person(
        coach: Coach, team: dict[str, int], outbox: RecordingChannel) -> None:
    ada = team["ada"]
    first = await say(coach, ada, "/okr goals")
    assert "Hi Ada" in first
    lines = ["skip"] * 5 + ["Grow the partner channel", "done", "skip", "Sign 5 partners by end of Q2", "yes", "no"] \
        + ["skip"] * 4 + ["skip"] * 6 + ["skip"] * 4 + ["monthly"]
    for line in lines:
        preview = await say(coach, ada, line)
    assert "with your manager" in preview and "send a copy" not in preview
    done = await say(coach, ada, "yes")
    assert "don't have a manager on my team list" in done and "once a month" in done
    assert outbox.sent == []


async def test_the_manager_is_reminded_once_when_the_follow_up_date_comes(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    from bot.features.salary import remind_salary_follow_ups

    maria, sam = team["maria"], team["sam"]
    with freeze_time("2027-02-01 14:00:00", real_asyncio=True):
        await prepare_and_hold_talk(coach, maria)
    with freeze_time("2027-05-03 03:00:00", real_asyncio=True):   # still May 2 in New York
        assert await remind_salary_follow_ups(coach) == 0
    with freeze_time("2027-05-03 13:00:00", real_asyncio=True):
        assert await remind_salary_follow_ups(coach) == 1
        assert await remind_salary_follow_ups(coach) == 0
    [(recipient, [message])] = outbox.sent
    assert recipient.person_id == maria and message.private
    assert "check in with Sam about your salary talk of 2027-02-01" in message.text
    assert "A 5% raise from April" in message.text and "seemed satisfied" in message.text
    assert "The next steps were: Letter from HR. Did they happen?" in message.text
    assert outbox.texts_for(sam) == []
    assert [t.status for t in await talks(db)] == ["followed_up"]


async def test_the_follow_up_reminder_dates_the_talk_in_the_managers_own_calendar(
        coach: Coach, team: dict[str, int], outbox: RecordingChannel) -> None:
    """Maria (New York) records the talk on Monday evening, already Tuesday in UTC: the
    reminder months later must say Monday's date, the day she remembers."""
    from bot.features.salary import remind_salary_follow_ups

    maria = team["maria"]
    with freeze_time("2027-02-02 02:00:00", real_asyncio=True):  # Mon 1 Feb 21:00 in New York
        await prepare_and_hold_talk(coach, maria)
    with freeze_time("2027-05-03 13:00:00", real_asyncio=True):
        assert await remind_salary_follow_ups(coach) == 1
    [(_, [message])] = outbox.sent
    assert "salary talk of 2027-02-01" in message.text, message.text


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_the_summary_is_drafted_from_what_was_agreed(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    maria, sam = team["maria"], team["sam"]
    await say(coach, maria, "/okr salary-prep @sam")
    await prepare(coach, maria)
    await say(coach, maria, "/okr salary-prep @sam")
    for line in ["yes", "today", "A 5% raise from April.", "$90k", "HR sends the letter this week"]:
        asked = await say(coach, maria, line)
    draft = ("On 2027-02-01 we met to talk about your salary. We agreed: A 5% raise from April. "
             "Your new salary: $90,000. Next steps: HR sends the letter this week.")
    assert draft in await say(coach, maria, "satisfied") and asked
    await say(coach, maria, "skip")                      # keep the draft
    await say(coach, maria, "send")
    done = await say(coach, maria, "May 3")
    assert "The next steps you agreed: HR sends the letter this week" in done
    [talk] = await talks(db)
    assert talk.summary_for_rep is not None and talk.summary_for_rep.startswith(draft)
    assert draft in outbox.texts_for(sam)[0]


async def test_no_follow_up_reminder_once_the_rep_reports_to_someone_else(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    """Checked when the reminder is due, not only when the talk was held: Sam moved
    to another manager (or left) in between, so Maria hears nothing more about him."""
    from bot.features.salary import remind_salary_follow_ups
    from storage.models import Person

    maria, sam = team["maria"], team["sam"]
    with freeze_time("2027-02-01 14:00:00", real_asyncio=True):
        await prepare_and_hold_talk(coach, maria)
    async with db.session() as session:
        moved = await session.get(Person, sam)
        moved.manager_id = team["ada"]  # type: ignore[union-attr]
        session.add(moved)
    outbox.sent.clear()
    with freeze_time("2027-05-03 13:00:00", real_asyncio=True):
        assert await remind_salary_follow_ups(coach) == 0
    assert outbox.texts_for(maria) == []


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_a_talk_or_follow_up_day_years_ahead_is_asked_again(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """"2207-05-03" for the follow-up (or the talk's day) was kept: a salary date more
    than a year ahead is a year typed wrongly, asked again with the same day within
    the year, never stored."""
    maria = team["maria"]
    await say(coach, maria, "/okr salary-prep @sam")
    for line in PREP[:7]:
        await say(coach, maria, line)
    talk_on = await say(coach, maria, "2207-02-09")
    assert "more than 1 year ahead" in talk_on and "If you meant Tue 9 Feb 2027, type `2027-02-09`" in talk_on
    for line in ["2027-02-09", *PREP[8:]]:
        await say(coach, maria, line)
    await say(coach, maria, "/okr salary-prep @sam")
    for line in ["yes", "today", "A 5% raise from April", "skip", "Letter from HR", "satisfied",
                 "We agreed a 5% raise from April; HR sends the letter this week.", "keep"]:
        await say(coach, maria, line)
    far = await say(coach, maria, "2207-05-03")
    assert "more than 1 year ahead" in far and "`2027-05-03`" in far
    done = await say(coach, maria, "2027-05-03")
    assert "Mon 3 May 2027" in done
    [talk] = await talks(db)
    assert (talk.follow_up_on, talk.preparation.get("talk_on")) == (date(2027, 5, 3), "2027-02-09")
