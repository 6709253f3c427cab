"""What features read back and a person has not answered (days away with Save, a WIG
value waiting for a `yes`) is taken at their next typed message in ONE statement for
every kind (`Feature.holds`, `storage.held`): each kind on its own was one more
statement in the unit of work behind every chat message (issue 17's acknowledgement
path)."""

from __future__ import annotations

from datetime import datetime

from conftest import say
from freezegun import freeze_time
from sqlalchemy import event

from bot.core.coach import Coach
from bot.features.absence import ACTION_PREFIX
from storage import readbacks, unconfirmed
from storage.db import Database


async def _deletes_during(db: Database, coach: Coach, person: int, text: str) -> tuple[list[str], str]:
    """The DELETEs on the held rows while `person` types `text`, and the reply."""
    seen: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("DELETE") and "processedevent" in statement.lower():
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", keep)
    try:
        return seen, await say(coach, person, text)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", keep)


async def _hold_both(db: Database, person: int) -> None:
    async with db.session() as session:
        await unconfirmed.hold(session, person, f"{ACTION_PREFIX}2027-01-04:2027-01-08")
        await readbacks.hold(session, person, "wig-update:1:4000.0")


async def test_a_typed_turn_takes_every_kind_in_one_statement(db: Database, team: dict[str, int],
                                                            coach: Coach) -> None:
    ravi = team["ravi"]
    with freeze_time(datetime(2027, 1, 3, 12, 0)):
        await _hold_both(db, ravi)
        seen, reply = await _deletes_during(db, coach, ravi, "/okr help")
        async with db.session() as session:
            left = await unconfirmed.take(session, ravi), await readbacks.take(session, ravi)
    assert len(seen) == 1, seen
    assert "Mon 4 Jan 2027 to Fri 8 Jan 2027" in reply and "not saved" in reply  # the days are told once
    assert left == ([], [])  # and both kinds are gone: the read-back let go, the days told


async def test_a_yes_leaves_the_read_back_for_its_answer(db: Database, team: dict[str, int],
                                                          coach: Coach) -> None:
    """A `yes` answers the WIG read-back: the first read takes only the days (told),
    and the read-back is left for the WIG feature's answer, which takes it next."""
    ravi = team["ravi"]
    with freeze_time(datetime(2027, 1, 3, 12, 0)):
        await _hold_both(db, ravi)
        seen, reply = await _deletes_during(db, coach, ravi, "yes")
    assert len(seen) == 2, seen  # the turn's first read, then the answer's own take
    assert "not saved" in reply and "didn't catch" not in reply, reply
    assert "That WIG is no longer open" in reply  # the held value went to its answer
