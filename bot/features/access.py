"""Who may see whom: a manager their own direct reports, an admin anyone in the
organisation, a rep nobody but themselves. One rule, used by every command that
names another person (`/okr status @rep`, `/okr salary-prep @rep`) and every read
of or action on another person's trade-show leads (`may_see`); and, from it, who
may see a trade show and log leads into it (`may_see_event`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import prompts
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.messages import Message
from conversations.validators import find_person
from storage import conversations, leavers, people
from storage.models import Event, Person


def may_see(viewer: Person, other: Person | Mapping[str, Any] | None) -> bool:
    """Whether `viewer` may see (and act for) `other`: themselves; their own direct
    report as the report's manager *now* (a rep moved to another manager leaves the
    old one's sight at once); anyone active in the organisation as an admin. `other`
    is a Person or a directory row ({"id", "manager_id", …}, one organisation's)."""
    if other is None or not viewer.active:
        return False
    if isinstance(other, Person):
        if other.org_id != viewer.org_id:
            return False
        other_id, manager_id = other.id, other.manager_id
    else:
        other_id, manager_id = other.get("id"), other.get("manager_id")
    return other_id == viewer.id or viewer.role == "admin" or manager_id == viewer.id


def may_see_event(viewer: Person, event: Event, attendees: Iterable[Person]) -> bool:
    """Whether `viewer` may see a trade show (in lists, by name, its team) and log
    leads into it: an admin any of the organisation; anyone the event they registered;
    otherwise only if they may see one of its `attendees` (`may_see`: a rep the events
    they attend, a manager those their direct reports or they themselves attend now).
    Another team's event stays out of sight, its name and people included."""
    if not viewer.active or event.org_id != viewer.org_id:
        return False
    if viewer.role == "admin" or event.created_by == viewer.id:
        return True
    return any(may_see(viewer, person) for person in attendees)


async def resolve_report(turn: Turn, args: str) -> dict[str, Any] | None:
    """The person `args` names (a mention, a name, an e-mail), if the asker may see
    them; None otherwise, and for the asker themselves. A directory row:
    {"id", "name", "email", "manager_id", …}."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
    found = find_person(args, directory) if args.strip() else None
    if found is None or found["id"] == turn.person.id:
        return None
    if may_see(turn.person, found):
        return dict(found)
    return None


async def own_report_example(turn: Turn) -> str | None:
    """How to name one of the asker's own direct reports in a refusal's example
    ("ravi", their first name, or the part of their e-mail before the "@" when the
    first name is not unique in the organisation); None when nobody reports to the
    asker. Never the person just refused: a refused name is nobody's own report."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
    for row in sorted((r for r in directory if r.get("manager_id") == turn.person.id),
                      key=lambda r: str(r.get("name", "")).lower()):
        first = (str(row.get("name", "")).split()[:1] or [""])[0].lower()
        for handle in first, str(row.get("email", "")).split("@")[0]:
            found = find_person(handle, directory) if handle else None
            if found is not None and found.get("id") == row.get("id"):
                return handle
        return str(row.get("email", ""))
    return None


async def left_note(turn: Turn, args: str) -> Message | None:
    """When `args` names someone marked as left whom the asker could see (their own
    former report, anyone as an admin): "X has left (since DATE)", the asker's local
    day, private; None otherwise, so the caller says what it says for nobody found
    (a stranger's leaving is not told)."""
    if not args.strip():
        return None
    async with turn.db.session() as session:
        gone = find_person(args, await conversations.directory(session, turn.person.org_id, left=True))
        person = await people.get(session, gone["id"]) if gone is not None else None
    since = leavers.left_since(person) if person is not None else None
    if person is None or since is None or person.id == turn.person.id or not may_see(turn.person, person):
        return None
    return Message(prompts.render("core/report_left", name=person.name, email=person.email,
                                  since=local_day(since, turn.person.timezone)), private=True)
