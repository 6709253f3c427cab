"""People's data: erasing one person on request, and pruning old raw answers.

`forget` follows a policy for every column that points at a person (`POLICY`; a test
checks that every such column in the schema has one, so a new table cannot be
forgotten by accident):

- DELETE  rows that are the person's own data (answers, notes, leads they own,
          identities, conversations, absences, goals); rows that hang off a deleted
          row are deleted too, or unlinked when their reference is optional;
- UNLINK  an optional reference from someone else's row (an account they owned,
          people who reported to them);
- KEEP    rows that only count (prompts sent and answered, a team's WIG, an event
          they created): they stay attached to the anonymous remainder of the person,
          without what the prompts carried (payload, reason, the DM they went to).

What they left under other people's rows goes too (`storage.erasure`): others'
conversations about them are deleted, mentions of their name, e-mail and chat ids
elsewhere in their organisation are replaced.

The person row itself becomes that anonymous remainder (`FORGOTTEN_NAME`,
`forgotten_email`): inactive, no manager, and nothing that could single them out in
a small team: time zone UTC, no country, Monday to Friday, no quiet hours, no selling
role. Only `org_id`, `role` and `created_at` stay, for counts by company and role.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, null, or_, select, update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import erasure
from storage.models import ChatIdentity, CheckIn, CheckInAnswer, Commitment, Conversation, Delivery, Occurrence, Person
from storage.models import TeamsConversationRef as TeamsRef

DELETE, UNLINK, KEEP = "delete", "unlink", "keep"
FORGOTTEN_NAME = "Forgotten person"
FORGOTTEN_DOMAIN = "@invalid"
# rows of these tables deleted with the person whose ids others' conversations may hold
REFERRED = (("meeting", ("rep_id", "manager_id")), ("salarytalk", ("rep_id", "manager_id")), ("lead", ("owner_id",)))

POLICY: dict[tuple[str, str], str] = {
    ("chatidentity", "person_id"): DELETE,
    ("checkin", "person_id"): DELETE,
    ("commitment", "person_id"): DELETE,
    ("leadmeasureentry", "person_id"): DELETE,
    ("leadmeasure", "owner_id"): DELETE,
    ("objective", "owner_id"): DELETE,
    ("discoverynote", "author_id"): DELETE,
    ("lead", "owner_id"): DELETE,
    ("eventattendee", "person_id"): DELETE,
    ("conversation", "person_id"): DELETE,
    ("absence", "person_id"): DELETE,
    ("consolecard", "person_id"): DELETE,
    ("salarytalk", "rep_id"): DELETE,
    ("salarytalk", "manager_id"): DELETE,
    ("oneonone", "rep_id"): DELETE,
    ("oneonone", "manager_id"): DELETE,
    ("meeting", "rep_id"): DELETE,
    ("meeting", "manager_id"): DELETE,
    ("actionitem", "rep_id"): DELETE,
    ("actionitem", "manager_id"): DELETE,
    ("actionitem", "owner_id"): DELETE,
    ("alertdigest", "manager_id"): DELETE,
    ("cadencerule", "person_id"): DELETE,
    ("cadencerule", "team_manager_id"): DELETE,
    ("account", "owner_id"): UNLINK,
    ("lead", "captured_by"): UNLINK,
    ("wigreading", "recorded_by"): UNLINK,
    ("leadtarget", "person_id"): DELETE,
    ("scorecardchannel", "manager_id"): DELETE,
    ("scorecardpost", "manager_id"): KEEP,
    ("person", "manager_id"): UNLINK,
    ("occurrence", "person_id"): KEEP,
    ("wig", "manager_id"): KEEP,
    ("event", "created_by"): KEEP,
}


def forgotten_email(person_id: int) -> str:
    """The address a forgotten person's row keeps (unique per organisation, unreachable)."""
    return f"forgotten-{person_id}{FORGOTTEN_DOMAIN}"


def is_forgotten(email: str) -> bool:
    """Whether a person row is the anonymous remainder of someone forgotten."""
    return email.startswith("forgotten-") and email.endswith(FORGOTTEN_DOMAIN)


def person_columns() -> list[tuple[str, str]]:
    """Every (table, column) in the schema that references person.id."""
    return sorted(
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name == "person"
    )


async def forget(session: AsyncSession, person_id: int) -> Counter[str]:
    """Erase a person's data by `POLICY`, what others' rows hold of them
    (`storage.erasure`), and anonymise the person row, in the caller's unit of work.
    Returns rows erased, unlinked or scrubbed per table. Scans the organisation's text
    columns for their name: seconds on a large database, fine for a rare admin act."""
    tables = SQLModel.metadata.tables
    person = await session.get(Person, person_id)
    done: Counter[str] = Counter()
    if person is None:
        return done
    identities = (await session.exec(  # type: ignore[call-overload]
        select(ChatIdentity.user_id, ChatIdentity.dm_channel).where(col(ChatIdentity.person_id) == person_id))).all()
    user_ids = [user for user, _ in identities]
    handles = [h for pair in identities for h in pair if h]
    if user_ids:
        refs = delete(TeamsRef).where(col(TeamsRef.aad_object_id).in_(user_ids) | col(TeamsRef.user_id).in_(user_ids))
        done["teamsconversationref"] += (await session.exec(refs)).rowcount  # type: ignore[call-overload]
    doomed = {name: await _ids(session, tables[name], [tables[name].c[c] == person_id for c in columns])
              for name, columns in REFERRED}
    for (name, column), action in POLICY.items():
        table = tables[name]
        where = table.c[column] == person_id
        if action == DELETE:
            await _delete(session, table, where, done)
        elif action == UNLINK:
            result = await session.exec(update(table).where(where).values({column: null()}))  # type: ignore[call-overload]
            done[name] += result.rowcount
    done["conversation"] += await erasure.drop_about(session, person_id, doomed)
    done["processedevent"] += await erasure.drop_held(session, person_id)
    # prompts stay as counts; what they carried (snooze notes, errors, their DM) goes
    mine = select(Occurrence.id).where(col(Occurrence.person_id) == person_id)
    await session.exec(update(Occurrence).where(col(Occurrence.person_id) == person_id)  # type: ignore[call-overload]
                       .values(payload={}, reason=None))
    await session.exec(update(Delivery).where(col(Delivery.occurrence_id).in_(mine))  # type: ignore[call-overload]
                       .values(channel_id=None, message_id=None))
    done.update(await erasure.scrub_mentions(session, person, handles, FORGOTTEN_NAME, forgotten_email(person_id)))
    person.name, person.email = FORGOTTEN_NAME, forgotten_email(person_id)
    person.active, person.manager_id, person.quiet_start, person.quiet_end = False, None, None, None
    person.timezone, person.country, person.working_days, person.selling_role = "UTC", None, "1,2,3,4,5", None
    session.add(person)
    await session.flush()
    return done


async def _ids(session: AsyncSession, table: Table, matches: list[Any]) -> list[int]:
    [key] = table.primary_key.columns
    return list((await session.exec(select(key).where(or_(*matches)))).scalars())  # type: ignore[call-overload]


async def _delete(session: AsyncSession, table: Table, where: Any, done: Counter[str]) -> None:
    """Delete rows of `table` matching `where`, after what hangs off them."""
    [key] = table.primary_key.columns
    ids = list((await session.exec(select(key).where(where))).scalars())  # type: ignore[call-overload]
    if not ids:
        return
    for child in SQLModel.metadata.sorted_tables:
        for column in child.columns:
            if not any(fk.column is key for fk in column.foreign_keys):
                continue
            if column.nullable:
                await session.exec(update(child).where(column.in_(ids)).values({column.name: null()}))  # type: ignore[call-overload]
            else:
                await _delete(session, child, column.in_(ids), done)
    result = await session.exec(delete(table).where(key.in_(ids)))  # type: ignore[call-overload]
    done[table.name] += result.rowcount


async def prune_answers(session: AsyncSession, before: datetime) -> Counter[str]:
    """Raw answers older than `before` (COACHBOT_RETENTION_DAYS): the values and words
    of each check-in answer, the free text of check-ins (blockers, what to change),
    WIG commitments, and every conversation untouched since `before` with what was
    typed in it: finished, cancelled, parked, or abandoned while still active (its
    answers are as old; a message after that starts afresh). The check-in rows stay,
    without their words, so counts and dates remain."""
    done: Counter[str] = Counter()
    answers = delete(CheckInAnswer).where(col(CheckInAnswer.answered_at) < before)
    done["checkinanswer"] = (await session.exec(answers)).rowcount  # type: ignore[call-overload]
    words = (update(CheckIn).where(col(CheckIn.started_at) < before)
             .where(col(CheckIn.blockers).is_not(None) | col(CheckIn.change_next).is_not(None))
             .values(blockers=None, change_next=None))
    done["checkin"] = (await session.exec(words)).rowcount  # type: ignore[call-overload]
    done["commitment"] = (await session.exec(  # type: ignore[call-overload]
        delete(Commitment).where(col(Commitment.created_at) < before))).rowcount
    done["conversation"] = (await session.exec(  # type: ignore[call-overload]
        delete(Conversation).where(col(Conversation.updated_at) < before))).rowcount
    return done
