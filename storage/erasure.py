"""What `storage.privacy.forget` does beyond the person's own rows: their data held
under someone else's row.

- `drop_about`: another person's conversations about them (a manager's salary
  preparation and follow-up naming them as `rep_id`, the agenda or notes of a one-on-one
  with them) are deleted, as the salary talk and meeting rows they copy are;
- `drop_held`: what was read back to them and waits for their answer (`storage.held`
  kinds, keyed "<person id>:…") and the "card answered" marks of their clicks;
- `scrub_mentions`: every other row of their organisation that still names them (a
  team's trade-show plan listing who kicks off when, a rep's goals conversation naming
  its manager, free text that spells out their full name or e-mail, a chat id) has the
  mention replaced by the anonymous remainder's name or address; rows that only live
  a few minutes (a terminal card, a processed-event mark) are deleted instead.

A first name alone is replaced only where a JSON payload stores it under a key that
names a colleague (`NAME_KEYS`): in free text "Sam" may be a customer as well.
Slack installations are left alone: their data is sealed, and the workspace needs its
installation whoever installed it; so are other people's own rows and companies' names.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, func, or_, select, update
from sqlmodel import SQLModel, col

from storage import readbacks, unconfirmed
from storage.db import AsyncSession
from storage.models import Conversation, Person, ProcessedEvent

# ProcessedEvent kinds whose ids start "<person id>:": read-backs waiting for an
# answer, days away waiting for Save, and cards answered (bot.core.cards.PLATFORM)
HELD_KINDS = (readbacks.KIND, unconfirmed.KIND, "card")
# keys of a conversation's context that point at a row `forget` deletes, by its table
REFERENCES = {"rep_id": "person", "manager_id": "person", "person_id": "person", "owner_id": "person",
              "meeting_id": "meeting", "talk_id": "salarytalk", "lead_id": "lead"}
# JSON keys whose value is a colleague's (first) name
NAME_KEYS = frozenset({"rep_name", "rep_first_name", "manager_name", "other", "manager", "owner"})
EPHEMERAL = frozenset({"consolecard", "processedevent"})  # a mention deletes the row
# people's own rows (colleagues keep their names), companies' names, Slack's plumbing
LEFT_ALONE = frozenset({"person", "organisation", "workspace", "slackinstallation", "slackoauthstate"})
SHORTEST_HANDLE = 5  # chat ids shorter than this are not searched for in text


async def drop_about(session: AsyncSession, person_id: int, doomed: Mapping[str, Iterable[int]]) -> int:
    """Delete other people's conversations whose context points at the person or at a
    row being deleted with them (`doomed`: table -> ids). Returns how many."""
    gone = {table: set(ids) for table, ids in doomed.items()}
    gone.setdefault("person", set()).add(person_id)
    text = cast(Conversation.__table__.c.state, Text)  # type: ignore[attr-defined]
    hints = [f'"{key}": ' for key, table in REFERENCES.items() if gone.get(table)]
    if not hints:
        return 0
    rows = (await session.exec(select(Conversation.id, Conversation.state).where(  # type: ignore[call-overload]
        col(Conversation.person_id) != person_id, or_(*(text.contains(hint) for hint in hints))))).all()
    ids = [cid for cid, state in rows
           if any(context.get(key) in gone.get(table, ()) for context in _contexts(state)
                  for key, table in REFERENCES.items() if isinstance(context.get(key), int))]
    if ids:
        await session.exec(delete(Conversation).where(col(Conversation.id).in_(ids)))  # type: ignore[call-overload]
    return len(ids)


def _contexts(state: Any) -> list[dict[str, Any]]:
    """The dicts of a conversation state where references live: its context, and the
    context of a flow waiting to start after it (`pending`)."""
    if not isinstance(state, dict):
        return []
    found = [state.get("context")]
    if isinstance(state.get("pending"), dict):
        found.append(state["pending"].get("context"))
    return [c for c in found if isinstance(c, dict)]


async def drop_held(session: AsyncSession, person_id: int) -> int:
    """Delete the person's held read-backs and card marks."""
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    result = await session.exec(delete(table).where(  # type: ignore[call-overload]
        table.c.platform.in_(HELD_KINDS), table.c.event_id.startswith(f"{person_id}:")))
    return result.rowcount or 0  # type: ignore[no-any-return]


async def scrub_mentions(session: AsyncSession, person: Person, handles: Iterable[str],
                         name: str, email: str) -> Counter[str]:
    """Replace the person's full name, e-mail and chat ids (`handles`) in every other
    row of their organisation, and their first name under `NAME_KEYS`, by `name` and
    `email` (the anonymous remainder's). Returns rows changed or deleted per table."""
    replace = _replacer(person, handles, name, email)
    first = person.name.split()[0] if person.name.split() else ""
    needles = _needles(person, handles)
    done: Counter[str] = Counter()
    if not needles:
        return done
    for table in SQLModel.metadata.sorted_tables:
        if table.name in LEFT_ALONE:
            continue
        texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not texts:
            continue
        quoted = [f'"{first}"', json.dumps(first)] if first else []
        match = or_(*(_contains(c, n) for c in texts for n in needles + (quoted if isinstance(c.type, JSON) else [])))
        [key] = table.primary_key.columns
        rows = (await session.exec(select(key, *texts).where(match, *_in_org(table, person.org_id)))).all()  # type: ignore[call-overload]
        for row in rows:
            changed = {c.name: new for c, old in zip(texts, row[1:], strict=True)
                       if (new := _scrubbed(old, replace, first, name)) != old}
            if not changed:
                continue
            if table.name in EPHEMERAL:
                await session.exec(delete(table).where(key == row[0]))  # type: ignore[call-overload]
            else:
                await session.exec(update(table).where(key == row[0]).values(changed))  # type: ignore[call-overload]
            done[table.name] += 1
    return done


def _needles(person: Person, handles: Iterable[str]) -> list[str]:
    """Text that spells the person out, as stored: plain and as JSON escapes it."""
    plain = [person.name, person.email, *(h for h in handles if len(h) >= SHORTEST_HANDLE)]
    forms = {form for text in plain if text.strip() for form in (text, json.dumps(text)[1:-1])}
    return sorted(forms)


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _contains(column: Any, needle: str) -> Any:
    """A loose filter (the rows are checked word by word after): the needle in any
    case on PostgreSQL; on SQLite, whose lower() folds ASCII letters only, as typed,
    in lower case, in capitals or capitalised."""
    as_text = cast(column, Text) if isinstance(column.type, JSON) else column
    forms = {needle, needle.lower(), needle.upper(), needle.title()}
    return or_(*(as_text.contains(form, autoescape=True) for form in forms),
               *(func.lower(as_text).contains(form.translate(ASCII_LOWER), autoescape=True) for form in forms))


def _in_org(table: Table, org_id: int) -> list[Any]:
    """Only rows of the person's organisation, where the row says which it is."""
    if "org_id" in table.c:
        return [table.c.org_id == org_id]
    for column in table.columns:
        if any(fk.column.table.name == "person" for fk in column.foreign_keys):
            return [column.in_(select(Person.id).where(col(Person.org_id) == org_id))]
    return []


def _replacer(person: Person, handles: Iterable[str], name: str, email: str) -> Callable[[str], str]:
    swaps = {person.email.casefold(): email, person.name.casefold(): name}
    swaps.update({h.casefold(): "" for h in handles if len(h) >= SHORTEST_HANDLE})
    swaps = {k: v for k, v in swaps.items() if k.strip()}
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(k)}(?!\w)" for k in sorted(swaps, key=len, reverse=True)),
                         re.IGNORECASE)
    return lambda text: pattern.sub(lambda m: swaps[m.group(0).casefold()], text)


def _scrubbed(value: Any, replace: Callable[[str], str], first: str, name: str, key: str | None = None) -> Any:
    """`value` (text or a JSON document) with the mentions replaced."""
    if isinstance(value, str):
        if key in NAME_KEYS and first and value.strip().casefold() == first.casefold():
            return name
        return replace(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v, replace, first, name, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, replace, first, name, key) for v in value]
    return value
