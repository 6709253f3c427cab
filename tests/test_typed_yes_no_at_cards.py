"""A typed yes or no at an open terminal card picks the button it answers (Save is a
yes, Cancel a no; a prompt's Start now a yes), and
a line that picks nothing gets one consistent answer: never "not saved, type
`/okr out` again" beside "the card above is still open". Time frozen (freezegun)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from conftest import say
from freezegun import freeze_time

from bot.channels.console import ConsoleChannel
from bot.core.coach import Coach
from bot.core.messages import Choice, Message
from bot.features import absence, prompt_answers
from storage import schedule
from storage.db import Database

T0 = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
ASKED = "/okr out from 4 January to 8 January"
DAYS = "from Mon 4 Jan 2027 to Fri 8 Jan 2027"


async def _lines(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line + "\n"


async def run(coach: Coach, db: Database, person: int, moment: datetime, *typed: str) -> str:
    out = io.StringIO()
    with freeze_time(moment, real_asyncio=True):
        await ConsoleChannel(out, person, db=db).converse(coach, person, _lines(*typed))
    return out.getvalue()


async def absences(db: Database, person: int) -> list[tuple[date, date]]:
    async with db.session() as session:
        found = await schedule.absences_between(session, date(2026, 1, 1), date(2028, 1, 1), [person])
    return found.get(person, [])


async def test_yes_at_the_absence_card_saves_with_one_answer(db: Database, team: dict[str, int],
                                                             coach: Coach) -> None:
    ravi = team["ravi"]
    shown = await run(coach, db, ravi, T0, ASKED, "yes")
    assert f"Saved: you are away {DAYS}" in shown
    assert "not saved" not in shown and "still open" not in shown and "didn't catch" not in shown
    assert await absences(db, ravi) == [(date(2027, 1, 4), date(2027, 1, 8))]


async def test_no_words_cancel_and_yes_works_on_a_card_kept_from_an_earlier_run(
        db: Database, team: dict[str, int], coach: Coach) -> None:
    ravi = team["ravi"]
    cancelled = await run(coach, db, ravi, T0, ASKED, "nope")
    assert "Not saved. Your prompts stay as they were." in cancelled and "still open" not in cancelled
    assert not await absences(db, ravi)
    await run(coach, db, ravi, T0, ASKED)
    later = await run(coach, db, ravi, T0 + timedelta(hours=1), "Yes.")  # the card came from the database
    assert f"Saved: you are away {DAYS}" in later and len(await absences(db, ravi)) == 1


async def test_a_word_that_picks_nothing_gets_one_consistent_note(db: Database, team: dict[str, int],
                                                                  coach: Coach) -> None:
    """The card stays open, so the days are "not saved yet: pick Save", not "were not
    saved: type /okr out again"; the kept card's Save then stores them. (Sam's days
    are Mon 4 to Fri 8 January in Los Angeles too.)"""
    ravi = team["ravi"]
    shown = await run(coach, db, ravi, T0, ASKED, "maybe later")
    assert f"Your days away {DAYS} are not saved yet: pick Save on the card above" in shown
    assert "were not saved" not in shown and "/okr out` with the days again" not in shown
    assert "The card above is still open: pick 1 or 2" in shown
    saved = await run(coach, db, ravi, T0 + timedelta(minutes=1), "1")
    assert "Saved" in saved and len(await absences(db, ravi)) == 1
    # a command answered retires the card's numbers: then "were not saved" is true
    sam = team["sam"]
    retired = await run(coach, db, sam, T0, ASKED, "/okr help", "yes")
    assert retired.count("Your days away from Mon 4 Jan 2027 to Fri 8 Jan 2027 were not saved") == 1
    assert "not saved yet" not in retired and "Saved: you" not in retired and not await absences(db, sam)
    # on Slack and Teams the card stays under its message: its Save still stores them
    with freeze_time(T0, real_asyncio=True):
        await say(coach, team["ada"], ASKED)
        said = await say(coach, team["ada"], "maybe later")
    assert "are not saved yet: press Save on that card" in said


def _console(messages: list[Message]) -> ConsoleChannel:
    console = ConsoleChannel(out=io.StringIO(), person_id=1)
    console.show(messages)
    return console


def test_the_cards_with_buttons_take_the_yes_and_no_they_answer() -> None:
    """The absence card (yes Save, no Cancel), a scheduled prompt's card (yes is Start
    now; no has no button: no pick) and the one-on-one's single button (neither)."""
    saving = _console([Message("Save it?", choices=absence._choices(date(2027, 1, 4), date(2027, 1, 8), None))])
    assert saving.translate("yes")[1] == "absence:save:2027-01-04:2027-01-08"
    assert saving.translate("ok")[1] == "absence:save:2027-01-04:2027-01-08"
    assert saving.translate("No thanks")[1] == "absence:cancel:2027-01-04:2027-01-08"
    drawn = SimpleNamespace(id=42, key="okr_checkin:3:2027-01-04", kind="okr_checkin", payload={})
    prompt = _console(prompt_answers.card("cadence/prompt_okr_checkin")(drawn, "Ravi Rep", 0))  # type: ignore[arg-type]
    assert (prompt.translate("yep")[1] or "").startswith("cadence:start:42")
    assert prompt.translate("no")[1] is None  # no "no" button: the card stays open and says what it takes
    single = _console([Message("Agenda?", choices=[Choice("Add agenda", "oneonone:agenda:1")])])
    assert single.translate("yes")[1] is None and single.translate("2")[1] is None


def test_a_number_is_never_read_as_a_yes_or_no() -> None:
    """yesno reads "1" as yes and "2" as no; on a card a number is its place only."""
    one = _console([Message("Save it?", choices=[Choice("Cancel", "c", means="no")])])
    assert one.translate("2")[1] is None
