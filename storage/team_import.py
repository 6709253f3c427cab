"""Writing a team file into an organisation: everyone matched by e-mail, created,
updated or left as they are, in bulk. Re-exported by `storage.people`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import insert, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import ChatIdentity, Person


class ImportCounts(NamedTuple):
    """People a team import created, changed, and found exactly as the file says."""

    created: int
    updated: int
    unchanged: int = 0


@dataclass(frozen=True)
class TeamRow:
    """One validated line of a team file, ready to store."""

    email: str
    name: str
    role: str
    manager_email: str | None
    timezone: str
    working_days: str | None = None
    country: str | None = None
    slack_user_id: str | None = None
    teams_user_id: str | None = None
    selling_role: str | None = None  # "hunter", "farmer", "" (both); None: column absent, keep
    one_on_one: str | None = None  # a rep's rhythm with their manager (bot.cli.team.import_one_on_ones)
    quiet_hours: str | None = None  # "21:00-07:00" (Person.quiet_start, quiet_end); "" clears; None keeps


# TeamRow fields stored on Person under the same name (a new team-file column that is
# a Person column is stored without touching the import); blanks keep what is stored.
_PERSON_FIELDS = tuple(f for f in TeamRow.__dataclass_fields__
                       if f in Person.model_fields and f not in ("email", "manager_email"))


async def upsert_team(session: AsyncSession, org_id: int, rows: Sequence[TeamRow],
                      progress: Callable[[int], None] | None = None) -> ImportCounts:
    """Create or update everyone in `rows` (matched by e-mail), then set managers and
    chat ids.

    Runs inside the caller's unit of work: a failure anywhere imports nothing. Rows
    are written in bulk (a handful of statements, not one per person: 5,000 people
    take about a second on SQLite); `progress(n)` is told as n more rows are done.
    A person whose stored fields, manager and chat ids already match the file is not
    written at all (no `updated_at` or revision bump) and counts as unchanged.
    Returns ImportCounts(created, updated, unchanged).
    """
    stored = await _stored(session, org_id)
    id_of = {email: found["id"] for email, found in stored.items()}
    now = utcnow()
    defaults = Person(org_id=org_id, email="", name="", created_at=now).model_dump(exclude={"id"})
    fresh, changed, later, same = [], [], [], set()
    for row in rows:
        # None keeps what is stored; "" (a column whose blank means "none") clears it
        values = {f: getattr(row, f) or None for f in _PERSON_FIELDS if getattr(row, f) is not None}
        if row.quiet_hours is not None:
            start, _, end = row.quiet_hours.partition("-")
            values.update(quiet_start=start or None, quiet_end=end or None)
        values.update(active=True)
        if row.email in id_of and (not row.manager_email or row.manager_email in id_of):
            # a re-import: the manager is known already, set in the same statement
            values["manager_id"] = id_of.get(row.manager_email or "")
            if all(stored[row.email].get(k) == v for k, v in values.items()):
                same.add(id_of[row.email])
                _advance(progress, 1)
                continue
            changed.append({"id": id_of[row.email], **values, "updated_at": now})
            continue
        values["updated_at"] = now
        later.append(row)  # the manager (or the person) is new: set once everyone has an id
        if row.email in id_of:
            changed.append({"id": id_of[row.email], **values})
        else:
            fresh.append({**defaults, "email": row.email, **values})
    for chunk in _chunks(fresh):
        await session.exec(insert(Person), params=chunk)  # type: ignore[call-overload]
        _advance(progress, len(chunk))
    for chunk in _chunks(changed):
        await session.exec(update(Person), params=chunk)  # type: ignore[call-overload]
        _advance(progress, len(chunk))
    id_of = await _ids_by_email(session, org_id)
    managers = [{"id": id_of[r.email], "manager_id": id_of.get(r.manager_email or "")} for r in later]
    for chunk in _chunks(managers):
        await session.exec(update(Person), params=chunk)  # type: ignore[call-overload]
    query = select(ChatIdentity.id, ChatIdentity.person_id, ChatIdentity.platform, ChatIdentity.user_id).where(
        ChatIdentity.org_id == org_id)
    found = (await session.exec(query)).all()
    linked = {(person_id, platform): (id_, user_id) for id_, person_id, platform, user_id in found}
    linked_by_id = {id_: person_id for id_, person_id, _, _ in found}
    new_ids, moved_ids = [], []
    for row in rows:
        person_id = id_of[row.email]
        for platform, user_id in (("slack", row.slack_user_id), ("teams", row.teams_user_id)):
            known = linked.get((person_id, platform))
            if not user_id or (known is not None and known[1] == user_id):
                continue
            if known is None:
                new_ids.append({"org_id": org_id, "person_id": person_id, "platform": platform,
                                "user_id": user_id, "tenant": None, "dm_channel": None})
            else:  # a DM channel belongs to the old id
                moved_ids.append({"id": known[0], "user_id": user_id, "dm_channel": None})
    for chunk in _chunks(moved_ids):
        await session.exec(update(ChatIdentity), params=chunk)  # type: ignore[call-overload]
    for chunk in _chunks(new_ids):
        await session.exec(insert(ChatIdentity), params=chunk)  # type: ignore[call-overload]
    relinked = same & {i["person_id"] for i in new_ids} | same & {linked_by_id[i["id"]] for i in moved_ids}
    return ImportCounts(len(fresh), len(changed) + len(relinked), len(same - relinked))


def _chunks(items: list[dict[str, Any]], size: int = 500) -> list[list[dict[str, Any]]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _advance(progress: Callable[[int], None] | None, count: int) -> None:
    if progress is not None:
        progress(count)


async def _stored(session: AsyncSession, org_id: int) -> dict[str, dict[str, Any]]:
    """e-mail (lower case) -> the stored columns an import writes, with the id: one query."""
    names = ("id", *_PERSON_FIELDS, "quiet_start", "quiet_end", "active", "manager_id")
    query = select(*(getattr(Person, n) for n in names), Person.email).where(Person.org_id == org_id)
    return {found[-1].lower(): dict(zip(names, found[:-1], strict=True)) for found in (await session.exec(query)).all()}


async def _ids_by_email(session: AsyncSession, org_id: int) -> dict[str, int]:
    query = select(Person.id, Person.email).where(Person.org_id == org_id)
    return {email.lower(): id_ for id_, email in (await session.exec(query)).all()}


