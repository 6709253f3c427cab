"""Who may see whom: a manager their own direct reports, an admin anyone in the
organisation, a rep nobody but themselves. One rule, used by every command that
names another person (`/okr status @rep`, `/okr salary-prep @rep`)."""

from __future__ import annotations

from typing import Any

from bot.core.coach import Turn
from conversations.validators import find_person
from storage import conversations


async def resolve_report(turn: Turn, args: str) -> dict[str, Any] | None:
    """The person `args` names (a mention, a name, an e-mail), if the asker may see
    them; None otherwise, and for the asker themselves. A directory row:
    {"id", "name", "email", "manager_id", …}."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
    found = find_person(args, directory) if args.strip() else None
    if found is None or found["id"] == turn.person.id:
        return None
    if turn.person.role == "admin" or found.get("manager_id") == turn.person.id:
        return dict(found)
    return None
