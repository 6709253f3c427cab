"""The day a salary talk took place: the booked day once it has come, else the day
the manager gives; never the day the outcome happened to be typed. The summary draft
and the follow-up reminder both name it."""

from __future__ import annotations

from datetime import date

from conftest import RecordingChannel, say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from conversations.answers import Env
from conversations.validators import date_answer
from storage.db import Database
from storage.models import SalaryTalk

PREP = ["Agree a fair raise", "A 10% raise", "$4,000", "Survey says $85-95k", "Customers praised him",
        "The Initech renewal", "The small room", "Fri 4 Dec", "Ask for his view first", "Lead the training"]
OUTCOME = ["A 5% raise from April", "skip", "Letter from HR", "satisfied"]


async def prepare(coach: Coach, maria: int) -> None:
    await say(coach, maria, "/okr salary-prep @sam")
    for line in PREP:
        await say(coach, maria, line)


async def the_talk(db: Database) -> SalaryTalk:
    async with db.session() as session:
        return (await session.exec(select(SalaryTalk))).one()


async def test_after_the_booked_day_the_draft_and_the_reminder_name_it(
        coach: Coach, team: dict[str, int], db: Database, outbox: RecordingChannel) -> None:
    from bot.features.salary import remind_salary_follow_ups

    maria = team["maria"]
    with freeze_time("2026-11-30 18:00:00", real_asyncio=True):  # Mon 30 Nov in New York
        await prepare(coach, maria)
    with freeze_time("2026-12-07 15:00:00", real_asyncio=True):  # recorded on Mon 7 Dec
        assert "taken place?" in await say(coach, maria, "/okr salary-prep @sam")
        assert "What did you agree?" in await say(coach, maria, "yes")  # no day asked: it was booked
        for line in OUTCOME:
            draft = await say(coach, maria, line)
        assert "On 2026-12-04 we met to talk about your salary" in draft, draft
        for line in ["skip", "keep", "March 1"]:
            await say(coach, maria, line)
    talk = await the_talk(db)
    assert talk.outcome["held_on"] == "2026-12-04"
    assert talk.summary_for_rep is not None and talk.summary_for_rep.startswith("On 2026-12-04 we met")
    with freeze_time("2027-03-01 15:00:00", real_asyncio=True):
        assert await remind_salary_follow_ups(coach) == 1
    assert "your salary talk of 2026-12-04" in outbox.texts_for(maria)[-1]


@freeze_time("2026-11-30 18:00:00", real_asyncio=True)
async def test_yes_before_the_booked_day_asks_which_day_it_took_place(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    maria = team["maria"]
    await prepare(coach, maria)
    asked = await say(coach, maria, "/okr salary-prep @sam")
    assert "booked for Fri 4 Dec 2026, still ahead. Has it taken place already?" in asked, asked
    assert "It's booked for Fri 4 Dec 2026" in await say(coach, maria, "no")
    await say(coach, maria, "/okr salary-prep @sam")
    which = await say(coach, maria, "yes")
    assert "You'd booked it for Fri 4 Dec 2026, which is still ahead" in which, which
    assert "Fri 4 Dec 2026 is still ahead. Which day did it happen?" in await say(coach, maria, "Friday")
    assert "What did you agree?" in await say(coach, maria, "today")
    for line in OUTCOME:
        draft = await say(coach, maria, line)
    assert "On 2026-11-30 we met" in draft
    for line in ["skip", "keep", "March 1"]:
        await say(coach, maria, line)
    assert (await the_talk(db)).outcome["held_on"] == "2026-11-30"


def test_a_day_that_happened_reads_a_yearless_day_as_the_one_just_gone() -> None:
    env = Env(today=date(2026, 11, 30), timezone="America/New_York", country="US")
    assert date_answer("Nov 28", env, past=True).value == "2026-11-28"  # type: ignore[union-attr]
    assert date_answer("last Friday", env, past=True).value == "2026-11-27"  # type: ignore[union-attr]
    assert date_answer("Friday", env, past=True).code == "in_the_future"  # type: ignore[union-attr]
    assert date_answer("2026-12-04", env, past=True).code == "in_the_future"  # type: ignore[union-attr]
    assert date_answer("Nov 28", env).value == "2027-11-28"  # type: ignore[union-attr]  # unchanged without `past`
