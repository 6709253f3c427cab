"""Who sees what, for every view that shows someone's numbers: `/okr status` (self,
@rep, team), `/okr team`, the App Home, the team scorecard and `/okr export`, asked by
the rep, a peer, their manager, a skip-level manager, an admin and an admin of another
organisation (tenant); and a one-on-one's action items (`/okr actions @rep`).
Nothing leaks, not even existence: asking about someone you may
not see answers exactly as asking about nobody.

Adding a view is one entry in VIEWS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable

import pytest
from freezegun import freeze_time

from bot.core.coach import Coach
from bot.core.messages import Inbound, Message
from storage import okrs, one_on_ones, people
from storage.db import Database
from storage.models import ActionItem
from storage.people import TeamRow

SECRET = "Ravi's secret objective"

A = [
    TeamRow("ada@a.example", "Ada Admin", "admin", None, "Europe/Oslo"),
    TeamRow("sven@a.example", "Sven Skip", "manager", None, "Europe/Oslo"),
    TeamRow("maria@a.example", "Maria Manager", "manager", "sven@a.example", "America/New_York"),
    TeamRow("ravi@a.example", "Ravi Rep", "rep", "maria@a.example", "Asia/Kolkata"),
    TeamRow("sam@a.example", "Sam Peer", "rep", "maria@a.example", "America/Los_Angeles"),
]
B = [
    TeamRow("olga@b.example", "Olga Admin", "admin", None, "Europe/Berlin"),
    TeamRow("otto@b.example", "Otto Manager", "manager", None, "Europe/Berlin"),
]


@pytest.fixture
async def orgs(db: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with db.session() as session:
        for name, rows in (("A", A), ("B", B)):
            org = await people.ensure_org(session, name, "UTC")
            ids[f"org{name}"] = org.id  # type: ignore[assignment]
            await people.upsert_team(session, org.id, rows)  # type: ignore[arg-type]
            for p in await people.team(session, org.id):  # type: ignore[arg-type]
                ids[p.email.split("@")[0]] = p.id  # type: ignore[assignment]
        await okrs.create_objective(session, ids["orgA"], ids["ravi"], SECRET, "2027", 1,
                                    [{"title": "Close 12 logos", "target": 12}])
    return ids


async def ask(coach: Coach, who: int, text: str) -> str:
    replies = await coach.handle(Inbound(person_id=who, platform="test", text=text))
    return shown(replies)


def shown(replies: list[Message]) -> str:
    parts = [m.plain() for m in replies]
    parts += [m.attachment.data.decode() for m in replies if m.attachment is not None]
    return "\n".join(parts)


async def status_of_ravi(coach: Coach, who: int) -> str:
    return await ask(coach, who, "/okr status @ravi@a.example")


async def status_team(coach: Coach, who: int) -> str:
    return await ask(coach, who, "/okr status team")


async def team_view(coach: Coach, who: int) -> str:
    return await ask(coach, who, "/okr team")


async def home(coach: Coach, who: int) -> str:
    async with coach.db.session() as session:
        person = await people.get(session, who)
    return shown(await coach.home(person))  # type: ignore[arg-type]


async def scorecard(coach: Coach, who: int) -> str:
    with freeze_time("2027-01-12 12:00:00"):
        return await ask(coach, who, "/okr scorecard")


async def export_checkins(coach: Coach, who: int) -> str:
    return await ask(coach, who, "/okr export okrs")


async def brief_of_ravi(coach: Coach, who: int) -> str:
    """The brief lists key results, not objectives: seeing Ravi's key result counts."""
    shown_ = await ask(coach, who, "/okr brief @ravi@a.example")
    return shown_ + (SECRET if "Close 12 logos" in shown_ else "")


async def actions_of_ravi(coach: Coach, who: int) -> str:
    """Ravi's one-on-one action items (`/okr actions @ravi`): one carries the secret."""
    async with coach.db.session() as session:
        ravi = await people.by_email(session, "ravi@a.example")
        if not await one_on_ones.open_items(session, [ravi.id]):  # type: ignore[list-item, union-attr]
            session.add(ActionItem(org_id=ravi.org_id, manager_id=ravi.manager_id, rep_id=ravi.id,  # type: ignore[union-attr]
                                   owner_id=ravi.id, text=SECRET))  # type: ignore[union-attr]
    return await ask(coach, who, "/okr actions @ravi@a.example")


View = Callable[[Coach, int], Awaitable[str]]
# view -> who sees Ravi's objective through it.
VIEWS: list[tuple[View, set[str]]] = [
    (status_of_ravi, {"maria", "ada"}),
    (status_team, {"maria", "ada"}),
    (team_view, {"maria", "ada"}),
    (home, {"ravi"}),  # a manager's home counts the team's key results, it names no objective
    (scorecard, set()),  # the scorecard shows lead measures and WIGs, never objectives
    (export_checkins, {"maria", "ada"}),
    (brief_of_ravi, {"maria"}),  # the one-on-one brief is the manager's own (skip-level by setting only)
    (actions_of_ravi, {"maria", "ravi"}),  # a one-on-one's action items: the manager's, and Ravi his own
]
ASKERS = ["ravi", "sam", "maria", "sven", "ada", "olga", "otto"]


@pytest.mark.parametrize(("view", "allowed"), VIEWS, ids=[v.__name__ for v, _ in VIEWS])
async def test_only_the_allowed_see_ravis_numbers(coach: Coach, orgs: dict[str, int], view: View,
                                                  allowed: set[str]) -> None:
    seen = {who for who in ASKERS if SECRET in await view(coach, orgs[who])}
    assert seen == allowed


@pytest.mark.parametrize("asker", ["sam", "sven", "olga", "otto", "maria"])
async def test_not_yours_answers_exactly_like_no_such_person(coach: Coach, orgs: dict[str, int],
                                                             asker: str) -> None:
    someone = await ask(coach, orgs[asker], "/okr status @ada@a.example")        # exists, not theirs
    nobody = await ask(coach, orgs[asker], "/okr status @zed@a.example")        # does not exist
    assert someone.replace("ada@a.example", "X") == nobody.replace("zed@a.example", "X")
    if asker == "olga":  # another tenant: not even Ravi, who exists elsewhere
        other = await ask(coach, orgs[asker], "/okr status @ravi@a.example")
        assert other.replace("ravi@a.example", "X") == nobody.replace("zed@a.example", "X")


async def test_team_views_stay_inside_the_organisation_and_the_reporting_line(
        coach: Coach, orgs: dict[str, int]) -> None:
    skip = await team_view(coach, orgs["sven"])
    assert "Maria Manager" in skip and "Ravi Rep" not in skip        # direct reports only
    other = await team_view(coach, orgs["olga"])
    assert "Otto Manager" in other and "Ravi" not in other and "Maria" not in other
    rows = list(csv.DictReader(io.StringIO((await ask(coach, orgs["maria"], "/okr export people")).split("\n", 2)[2])))
    assert {r["email"] for r in rows} == {"maria@a.example", "ravi@a.example", "sam@a.example"}
    assert "for managers and admins only" in await ask(coach, orgs["ravi"], "/okr export")
