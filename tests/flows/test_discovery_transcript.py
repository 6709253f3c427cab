"""Customer-goal discovery through the coach: the questions to bring, answers stored
on the account with the date, the last answers shown next time."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.settings import Settings
from bot.runtime import build_coach
from storage.db import Database
from storage.models import Account, DiscoveryNote

ANSWERS = ["Grow revenue 20% in the Nordics", "Their sales VP must cut churn to 5%",
           "Yes: a new plan measuring renewals", "Service over new logos",
           "A customer-success team", "Flat budget, 10% lower than hoped",
           "Onboarding help for the new team"]


async def notes(db: Database) -> list[tuple[Account, DiscoveryNote]]:
    async with db.session() as session:
        rows = (await session.exec(select(Account, DiscoveryNote)
                                   .join(DiscoveryNote, DiscoveryNote.account_id == Account.id)
                                   .order_by(DiscoveryNote.id))).all()
    return [(a, n) for a, n in rows]


@freeze_time("2027-01-12 10:00:00", real_asyncio=True)
async def test_questions_then_answers_stored_on_the_account(coach: Coach, team: dict[str, int],
                                                            db: Database) -> None:
    ravi = team["ravi"]
    assert "Which customer?" in await say(coach, ravi, "/okr discover")
    intro = await say(coach, ravi, "/okr discover ACME Corp")
    assert "questions to bring" in intro
    assert "1. What has their organisation set out to achieve this year?" in intro
    assert "6. What budget do they have" in intro
    assert "Have you had that conversation" in intro
    assert "What has their organisation" in await say(coach, ravi, "now")
    for answer in ANSWERS[:-1]:
        await say(coach, ravi, answer)
    done = await say(coach, ravi, ANSWERS[-1])
    assert "Saved on ACME Corp, dated 2027-01-12" in done
    [(account, note)] = await notes(db)
    assert (account.name, account.key, account.owner_id) == ("ACME Corp", "acme corp", ravi)
    assert note.author_id == ravi
    assert note.answers["org_goals"] == ANSWERS[0]
    assert note.answers["budget"] == ANSWERS[5]
    assert note.answers["recorded_on"] == "2027-01-12"
    assert note.recorded_at.isoformat().startswith("2027-01-12T10:00")


@freeze_time("2027-01-12 10:00:00", real_asyncio=True)
async def test_running_it_again_shows_the_last_answers_and_asks_what_changed(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr discover ACME")
    await say(coach, ravi, "now")
    for answer in ANSWERS:
        await say(coach, ravi, answer)
    with freeze_time("2027-03-02 09:00:00", real_asyncio=True):
        intro = await say(coach, ravi, "/okr discover  acme ")
        assert "What they told you on 2027-01-12" in intro
        assert "Flat budget, 10% lower than hoped" in intro
        changed = await say(coach, ravi, "now")
        assert "Since 2027-01-12, what has changed at ACME," in changed
        question = await say(coach, ravi, "New CFO froze hiring")
        assert "Last time: Grow revenue 20% in the Nordics" in question
        assert "`skip` keeps it" in question
        await say(coach, ravi, "skip")                   # goals unchanged
        for _ in range(4):
            await say(coach, ravi, "skip")
        await say(coach, ravi, "Budget cut by a further 5%")
        done = await say(coach, ravi, "skip")
        assert "dated 2027-03-02" in done
    stored = await notes(db)
    assert len(stored) == 2 and stored[0][0].id == stored[1][0].id   # same account
    latest = stored[1][1].answers
    assert latest["changed"] == "New CFO froze hiring"
    assert latest["org_goals"] == ANSWERS[0]                        # carried over by skip
    assert latest["budget"] == "Budget cut by a further 5%"
    assert latest["our_part"] == ANSWERS[6]


@freeze_time("2027-01-12 10:00:00", real_asyncio=True)
async def test_later_bad_answers_back_cancel_and_restart(coach: Coach, team: dict[str, int],
                                                         db: Database) -> None:
    sam = team["sam"]
    await say(coach, sam, "/okr discover Globex")
    assert "pick one of the options" in await say(coach, sam, "perhaps")
    assert "Good luck with the meeting" in await say(coach, sam, "2")   # later
    assert await notes(db) == []

    await say(coach, sam, "/okr discover Globex")
    await say(coach, sam, "now")
    await say(coach, sam, "They want to double online sales")
    long = await say(coach, sam, "x" * 1200)
    assert "a bit long" in long
    assert "What has their organisation" in await say(coach, sam, "back")
    await say(coach, sam, "They want to triple online sales")
    restarted = Database(db.url)
    try:
        fresh = build_coach(restarted, Settings(database_url=db.url), coach.channels)
        assert "performance plan" in await say(fresh, sam, "Marketing owns the target")
        assert "nothing from it was saved" in await say(fresh, sam, "cancel")
    finally:
        await restarted.dispose()
    assert await notes(db) == []

    await say(coach, sam, "/okr discover Globex")
    await say(coach, sam, "now")
    for _ in range(7):
        out = await say(coach, sam, "skip")
    assert "skipped every question" in out
    assert await notes(db) == []
