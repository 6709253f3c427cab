"""`/okr discover ACCOUNT` makes no account until notes are saved, and a note's date
is the day its saver saw, for every reader."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from storage.db import Database
from storage.models import Account

ANSWERS = ["Grow revenue 20% in the Nordics", "skip", "skip", "skip", "skip", "Flat budget", "skip"]


async def accounts(db: Database) -> list[str]:
    async with db.session() as session:
        return [a.name for a in (await session.exec(select(Account).order_by(Account.id))).all()]


@freeze_time("2027-01-12 10:00:00", real_asyncio=True)
async def test_later_cancel_or_nothing_to_keep_makes_no_account(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr discover Typo Corp")
    assert "log what you learned" in await say(coach, ravi, "later")
    await say(coach, ravi, "/okr discover Other  Inc")
    await say(coach, ravi, "now")
    assert "nothing from it was saved" in await say(coach, ravi, "cancel")
    await say(coach, ravi, "/okr discover Empty Ltd")
    await say(coach, ravi, "now")
    for _ in ANSWERS:
        await say(coach, ravi, "skip")
    assert await accounts(db) == []
    await say(coach, ravi, "/okr discover  acme   corp ")
    await say(coach, ravi, "now")
    for answer in ANSWERS:
        done = await say(coach, ravi, answer)
    assert "Saved on acme corp" in done
    assert await accounts(db) == ["acme corp"]
    async with db.session() as session:
        [account] = (await session.exec(select(Account))).all()
    assert account.owner_id == ravi


async def test_the_saved_day_is_the_savers_whoever_reads_it(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    """Sam (Los Angeles) saves at 20:00 on 30 November, already 1 December in UTC and
    in Kolkata: Ravi is shown 30 November, and that it was Sam's note."""
    sam, ravi = team["sam"], team["ravi"]
    with freeze_time("2026-12-01 04:00:00", real_asyncio=True):
        await say(coach, sam, "/okr discover ACME")
        await say(coach, sam, "now")
        for answer in ANSWERS:
            await say(coach, sam, answer)
    with freeze_time("2026-12-03 04:00:00", real_asyncio=True):
        intro = await say(coach, ravi, "/okr discover acme")
        assert "What they told Sam on 2026-11-30" in intro, intro
        assert "Since 2026-11-30, what has changed at ACME" in await say(coach, ravi, "now")
        assert "What they told you on 2026-11-30" in await say(coach, sam, "/okr discover acme")
