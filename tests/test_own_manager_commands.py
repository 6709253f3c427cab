"""Commands for a rep's own manager only: `/okr salary-prep @rep`, `/okr brief @rep`,
`/okr 1on1 @rep` and a one-on-one's notes card. An admin, a skip-level manager, a peer
and the rep are refused, exactly as for nobody of that name; and each refusal says
what is true: who the command is for, with an example that is one of the asker's own
direct reports (never the name just refused), or that nobody reports to them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot.core.coach import Coach
from bot.core.messages import Inbound
from storage import people
from storage.db import Database
from storage.models import Meeting, OneOnOne, SalaryTalk
from storage.people import TeamRow

TEAM = [
    TeamRow("ada@a.example", "Ada Admin", "admin", None, "Europe/Oslo"),
    TeamRow("sven@a.example", "Sven Skip", "manager", None, "Europe/Oslo"),
    TeamRow("maria@a.example", "Maria Manager", "manager", "sven@a.example", "America/New_York"),
    TeamRow("ravi@a.example", "Ravi Rep", "rep", "maria@a.example", "Asia/Kolkata"),
    TeamRow("sam@a.example", "Sam Peer", "rep", "maria@a.example", "America/Los_Angeles"),
    TeamRow("otto@a.example", "Otto Manager", "manager", None, "Europe/Oslo"),
    TeamRow("una@a.example", "Una Report", "rep", "otto@a.example", "Europe/Oslo"),
]
NOT_RAVIS_MANAGER = ["ada", "sven", "otto", "sam", "ravi"]


@pytest.fixture
async def ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        org = await people.ensure_org(session, "A", "UTC")
        await people.upsert_team(session, org.id, TEAM)  # type: ignore[arg-type]
        found = {p.email.split("@")[0]: p.id for p in await people.team(session, org.id)}  # type: ignore[arg-type]
    return {**found, "org": org.id}  # type: ignore[dict-item]


async def ask(coach: Coach, who: int, text: str = "", action: str | None = None) -> str:
    replies = await coach.handle(Inbound(person_id=who, platform="test", text=text, action=action))
    return "\n".join(m.plain() for m in replies)


def same(refused: str, name: str, nobody: str) -> bool:
    return refused.replace(name, "X") == nobody.replace("@zed", "X")


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
@pytest.mark.parametrize("asker", NOT_RAVIS_MANAGER)
async def test_salary_prep_is_started_only_by_the_reps_own_manager(coach: Coach, db: Database,
                                                                   ids: dict[str, int], asker: str) -> None:
    refused = await ask(coach, ids[asker], "/okr salary-prep @ravi")
    assert "Let's prepare your salary talk" not in refused
    if asker in ("sam", "ravi"):
        assert "is for managers, about their own direct reports" in refused
    else:  # an admin, the skip-level and another manager: as if nobody were called that
        assert same(refused, "@ravi", await ask(coach, ids[asker], "/okr salary-prep @zed"))
        assert "/okr salary-prep @ravi" not in refused
    assert "Let's prepare" not in await ask(coach, ids[asker], "yes")  # no conversation was started
    assert "Let's prepare your salary talk with Ravi" in await ask(coach, ids["maria"], "/okr salary-prep @ravi")
    async with db.session() as session:
        assert (await session.exec(select(SalaryTalk))).all() == []


@freeze_time("2027-02-01 14:00:00", real_asyncio=True)
async def test_refusals_name_one_of_the_askers_own_reports_or_say_there_are_none(
        coach: Coach, db: Database, ids: dict[str, int]) -> None:
    rep = await ask(coach, ids["sam"], "/okr brief @ravi")
    assert "`/okr brief @rep` is for managers, about their own direct reports." in rep
    assert "admins" not in rep
    admin = await ask(coach, ids["ada"], "/okr brief @ravi")
    assert "Briefs are for the rep's own manager, and nobody reports to you in coachbot." in admin
    assert "`/okr brief @ravi`" not in admin
    assert "for example `/okr brief @una`" in await ask(coach, ids["otto"], "/okr brief @ravi")
    assert "for example `/okr brief @maria`" in await ask(coach, ids["sven"], "/okr brief @ravi")
    salary = await ask(coach, ids["ada"], "/okr salary-prep @ravi")
    assert "nobody reports to you in coachbot" in salary and "@ravi`" not in salary
    assert "like `/okr salary-prep @una`" in await ask(coach, ids["otto"], "/okr salary-prep @ravi")
    one = await ask(coach, ids["ada"], "/okr 1on1 @ravi every other Tuesday 10:00")
    assert "Nobody reports to you in coachbot." in one and "@ravi " not in one
    async with db.session() as session:
        assert (await session.exec(select(OneOnOne))).all() == []  # and nothing was set
    assert "`/okr 1on1 @una every other Tuesday 10:00`" in await ask(coach, ids["otto"], "/okr 1on1 @ravi")
    actions = await ask(coach, ids["otto"], "/okr actions @ravi")
    assert "for example `/okr actions @una`" in actions and "`/okr actions @ravi`" not in actions
    assert "is for managers, about their own direct reports" in await ask(coach, ids["ravi"], "/okr 1on1 @sam off")
    # a command for every leader keeps its words
    assert "is for managers and admins only" in await ask(coach, ids["ravi"], "/okr team")


@freeze_time("2027-03-09 15:40:00", real_asyncio=True)
async def test_a_notes_card_opens_nothing_once_the_rep_reports_to_someone_else(
        coach: Coach, db: Database, ids: dict[str, int]) -> None:
    async with db.session() as session:
        series = OneOnOne(org_id=ids["org"], manager_id=ids["maria"], rep_id=ids["ravi"])
        session.add(series)
        await session.flush()
        meeting = Meeting(org_id=ids["org"], series_id=series.id, manager_id=ids["maria"], rep_id=ids["ravi"],
                          nominal_on=date(2027, 3, 9), starts_at=datetime(2027, 3, 9, 15, 0, tzinfo=UTC))
        session.add(meeting)
        await session.flush()
        number = meeting.id
    assert "What did you and Ravi agree?" in await ask(coach, ids["maria"], action=f"oneonone:notes:{number}")
    await ask(coach, ids["maria"], "cancel")
    moved = [replace(r, manager_email="otto@a.example") if r.email.startswith("ravi") else r for r in TEAM]
    async with db.session() as session:
        await people.upsert_team(session, ids["org"], moved)
    again = await ask(coach, ids["maria"], action=f"oneonone:notes:{number}")
    assert "What did you and Ravi agree?" not in again and "isn't for you" in again
