"""Customer-goal discovery (seed 001): `/okr discover ACCOUNT` asks the questions a
seller asks a customer at the start of their year; the answers are kept on the
account, dated, and shown ("what changed?") the next time."""

from __future__ import annotations

from datetime import date
from typing import Any

import prompts
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from storage import accounts, people
from storage.models import DiscoveryNote, Person

feature = Feature("discovery")


@feature.command("discover", "/okr discover ACCOUNT")
async def start_discovery(turn: Turn, args: str) -> list[Message]:
    """`/okr discover ACCOUNT`: the customer's-year questions, answers kept on the
    account. Only looks the account up: it is created when notes are saved
    (`save_discovery`), not for a "later" or a discovery given up."""
    name = " ".join(args.strip().strip('"').split())
    if not name:
        return [Message(prompts.render("flows/discovery/usage"), private=True)]
    async with turn.db.session() as session:
        account = await accounts.find(session, turn.person.org_id, name)  # type: ignore[arg-type]
        last = await accounts.latest_note(session, account.id) if account is not None else None  # type: ignore[arg-type]
        author = await people.get(session, last.author_id) if last is not None else None
    context: dict[str, Any] = {
        "subject": f"account:{account.id}" if account is not None else f"account:{accounts.account_key(name)}",
        "account_id": account.id if account is not None else None,
        "account_name": account.name if account is not None else name[:200],
        "first_name": first_name(turn.person.name),
        "last": dict(last.answers) if last else None,
        "last_date": saved_day(last, author, turn.person.timezone).isoformat() if last else None,
        # whose notes they are, when someone else on the account saved them
        "last_by": first_name(author.name) if last and author is not None and author.id != turn.person.id else None,
    }
    return await start_flow(turn, "discovery", context)


def saved_day(note: DiscoveryNote, author: Person | None, viewer_timezone: str) -> date:
    """The day a discovery note was saved, as its author saw it: the `recorded_on` the
    flow kept (the saver's local day), else the saved instant in the author's zone (the
    viewer's when the author is gone), so every reader sees the same date."""
    try:
        return date.fromisoformat(str(note.answers.get("recorded_on")))
    except ValueError:
        return local_day(note.recorded_at, author.timezone if author is not None else viewer_timezone)


@feature.action("save_discovery")
async def save_discovery(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the customer's answers on the account, dated; the account is made now when
    this is its first note (its owner: the person who saved it)."""
    async with turn.db.session() as session:
        account_id = data.get("account_id")
        if account_id is None:
            account = await accounts.find_or_create(session, turn.person.org_id, str(data["account_name"]),  # type: ignore[arg-type]
                                                    turn.person.id)
            account_id = account.id
        await accounts.add_note(session, int(account_id), turn.person.id,  # type: ignore[arg-type]
                                data["answers"])
    return []
