"""A terminal card's choices outlive the `coachbot chat` run that showed them (kept in
the database for the person, `storage.console_cards`), and past CARD_HOURS a pick of
one is told the card expired. On SQLite and PostgreSQL; time frozen with freezegun."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time

from bot.channels.console import CARD_HOURS, ConsoleChannel
from bot.core.coach import Coach
from storage import schedule
from storage.db import Database

T0 = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)  # across the year end: the card is shown on 30 Dec


async def _lines(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line + "\n"


async def run(coach: Coach, db: Database, person: int, moment: datetime, *typed: str) -> str:
    """One `coachbot chat` run: a new channel (nothing in memory from the run before)."""
    out = io.StringIO()
    with freeze_time(moment, real_asyncio=True):
        await ConsoleChannel(out, person, db=db).converse(coach, person, _lines(*typed))
    return out.getvalue()


async def absences(db: Database, person: int) -> list[tuple[date, date]]:
    async with db.session() as session:
        found = await schedule.absences_between(session, date(2026, 1, 1), date(2028, 1, 1), [person])
    return found.get(person, [])


async def test_save_typed_in_a_new_run_saves_the_card_of_the_last_one(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    shown = await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January")
    assert "1. Save" in shown and "2. Cancel" in shown
    later = await run(coach, db, ravi, T0 + timedelta(hours=2), "Save")
    assert "Saved: you are away from Mon 4 Jan 2027 to Fri 8 Jan 2027" in later
    assert len(await absences(db, ravi)) == 1
    # the card is used up: "Save" again in a third run is no pick any more
    again = await run(coach, db, ravi, T0 + timedelta(hours=3), "Save")
    assert "Saved" not in again and len(await absences(db, ravi)) == 1


async def test_the_number_works_too_and_only_for_that_person(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi, sam = team["ravi"], team["sam"]
    await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January")
    other = await run(coach, db, sam, T0 + timedelta(minutes=5), "1")
    assert "Saved" not in other and not await absences(db, sam)
    mine = await run(coach, db, ravi, T0 + timedelta(minutes=6), "2")
    assert "Not saved" in mine and not await absences(db, ravi)


async def test_an_expired_card_says_so_and_how_to_get_it_again(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January")
    late = await run(coach, db, ravi, T0 + timedelta(hours=CARD_HOURS, minutes=1), "Save", "Save")
    assert f"card shown more than {CARD_HOURS} hours ago, and the card has expired" in late
    assert "Type `/okr out from 4 January to 8 January` again" in late
    assert late.count("has expired") == 1  # said once; the next "Save" is an ordinary line
    assert not await absences(db, ravi)


async def test_a_reply_without_choices_retires_the_card(db: Database, team: dict[str, int], coach: Coach) -> None:
    """As in one run: only the latest replies' numbers mean anything."""
    ravi = team["ravi"]
    await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January", "/okr help")
    later = await run(coach, db, ravi, T0 + timedelta(hours=1), "Save")
    assert "Saved" not in later and not await absences(db, ravi)


async def test_a_card_delivered_to_someone_else_is_not_the_terminal_users(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """The admin plays `coachbot run`: Ravi's prompt card is shown under "[to Ravi Rep]"
    without numbers, and neither a `1` typed next nor a later run takes it as the
    admin's card (nothing stored for the admin; the admin's own card stays)."""
    from bot.core.channel import Recipient
    from bot.core.messages import Choice, Message
    from storage import console_cards

    ada, ravi = team["ada"], team["ravi"]
    out = io.StringIO()
    console = ConsoleChannel(out, ada, db=db)
    with freeze_time(T0, real_asyncio=True):
        await console.deliver(Recipient(ravi, team["org"], "ravi@example.com", "Ravi Rep", "console"),
                              [Message("Time for your WIG check-in.",
                                       choices=[Choice("Start now", "wig:start"), Choice("Later", "wig:later")])])
        assert "[to Ravi Rep]" in out.getvalue() and "  - Start now" in out.getvalue()
        assert "1. Start now" not in out.getvalue()
        assert console.translate("1") == ("1", None)
        async with db.session() as session:
            assert await console_cards.latest(session, ada, T0) is None
            assert await console_cards.latest(session, ravi, T0) is None
    later = await run(coach, db, ada, T0 + timedelta(minutes=1), "1")
    assert "reminder waiting" not in later and "expired" not in later
    # the admin's own card survives a card delivered to someone else
    await run(coach, db, ada, T0 + timedelta(minutes=2), "/okr out from 4 January to 8 January")
    with freeze_time(T0 + timedelta(minutes=3), real_asyncio=True):
        console = ConsoleChannel(io.StringIO(), ada, db=db)
        await console.deliver(Recipient(ravi, team["org"], "ravi@example.com", "Ravi Rep", "console"),
                              [Message("Time for your WIG check-in.", choices=[Choice("Start now", "wig:start")])])
    saved = await run(coach, db, ada, T0 + timedelta(minutes=4), "1")
    assert "Saved: you are away from Mon 4 Jan 2027 to Fri 8 Jan 2027" in saved


async def test_a_number_off_the_card_says_which_numbers_pick(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    shown = await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January", "0", "99", "-1")
    assert shown.count("pick 1 or 2 (or type the label)") == 3
    assert "didn't catch" not in shown
    # the card still answers after the hints
    saved = await run(coach, db, ravi, T0 + timedelta(minutes=1), "1")
    assert "Saved" in saved and len(await absences(db, ravi)) == 1


async def test_a_number_typed_with_a_dot_bracket_or_hash_picks(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    cancelled = await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January", "(2)")
    assert "Not saved. Your prompts stay as they were." in cancelled and "didn't catch" not in cancelled
    hinted = await run(coach, db, ravi, T0 + timedelta(minutes=1), "/okr out from 4 January to 8 January",
                       "(9)", "#0")
    assert hinted.count("pick 1 or 2 (or type the label)") == 2
    saved = await run(coach, db, ravi, T0 + timedelta(minutes=2), "1.")
    assert "Saved: you are away from Mon 4 Jan 2027 to Fri 8 Jan 2027" in saved
    assert len(await absences(db, ravi)) == 1


async def test_typing_past_an_unsaved_absence_says_it_was_not_saved(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """The card's numbers are retired by the next reply, so its days are not saved:
    said once, naming them, the first time something else is typed (here in a later
    run, the card kept in the database in between)."""
    ravi = team["ravi"]
    await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January")
    later = await run(coach, db, ravi, T0 + timedelta(hours=1), "/okr help", "/okr help", "Save")
    assert later.count("Your days away from Mon 4 Jan 2027 to Fri 8 Jan 2027 were not saved") == 1
    assert "Saved" not in later and not await absences(db, ravi)


async def test_no_note_once_saved_cancelled_or_asked_again(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    saved = await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January", "Save", "/okr help")
    cancelled = await run(coach, db, ravi, T0, "/okr out from 11 January to 12 January", "2", "/okr help")
    # typed again with other days: the new card replaces the old one, no note
    again = await run(coach, db, ravi, T0, "/okr out on 18 January", "/okr out on 19 January", "/okr help")
    assert "not saved" not in saved + cancelled
    assert again.count("not saved") == 1 and "Your days away on Tue 19 Jan 2027 were not saved" in again


async def test_a_number_off_the_absence_card_still_tells_the_days_are_not_saved(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    """A number none of the card's choices goes to the coach first (it may be a value
    retyped at a read-back); when nothing takes it, the terminal shows which numbers
    pick instead of the fallback, but not instead of the note the turn also carried:
    the days read back are told once as not saved YET (the card stays open: "were not
    saved, type /okr out again" would contradict the hint), and the kept card still saves."""
    ravi = team["ravi"]
    shown = await run(coach, db, ravi, T0, "/okr out from 4 January to 8 January", "99")
    assert shown.count("pick 1 or 2 (or type the label)") == 1 and "didn't catch" not in shown
    assert shown.count("Your days away from Mon 4 Jan 2027 to Fri 8 Jan 2027 are not saved yet: "
                       "pick Save on the card above") == 1
    assert "were not saved" not in shown and "/okr out` with the days again" not in shown
    saved = await run(coach, db, ravi, T0 + timedelta(minutes=1), "1")
    assert "Saved" in saved and len(await absences(db, ravi)) == 1
