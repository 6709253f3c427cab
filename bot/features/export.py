"""`/okr export [checkins | okrs | wig | people]`: a manager's team (an admin's whole
organisation) as a CSV file in chat, for the spreadsheet they live in. The same rows
as `coachbot export` (storage/export.py): one per fact, UTC instants, local dates."""

from __future__ import annotations

import io

import prompts
from bot.core.coach import Turn
from bot.core.feature import LEADERS, Feature
from bot.core.messages import Attachment, Message
from conversations.currencies import iso_unit
from storage import export
from storage import people as people_store

feature = Feature("export")


@feature.command("export", "/okr export [checkins | okrs | wig | people]", LEADERS)
async def export_command(turn: Turn, args: str) -> list[Message]:
    kind = (args.strip().split() or ["checkins"])[0].lower()
    if turn.person.role not in LEADERS:
        return [Message(prompts.render("export/refused"), private=True)]
    if kind not in export.KINDS:
        return [Message(prompts.render("export/help", given=kind, kinds=export.KINDS), private=True)]
    out = io.StringIO()
    async with turn.db.session() as session:
        # who may see whom (features/access.py): a manager their direct reports, an admin everyone
        people = None if turn.person.role == "admin" else frozenset(
            [turn.person.id, *(p.id for p in await people_store.reports(session, turn.person.id))])  # type: ignore[arg-type]
        scope = export.Scope(turn.person.org_id, people)
        count = await export.write(kind, export.rows(session, kind, scope, iso_unit), "csv", out)
    day = turn.now.date().isoformat()
    file = Attachment(out.getvalue().encode("utf-8"), f"coachbot-{kind}-{day}.csv")
    return [Message(prompts.render("export/ready", kind=kind, count=count, team=people is not None),
                    attachment=file, private=True)]
