"""Customer-goal discovery (seed 001): `/okr discover ACCOUNT` asks the questions a
seller asks a customer at the start of their year; the answers are kept on the
account, dated, and shown ("what changed?") the next time."""

from __future__ import annotations

from typing import Any

import prompts
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.flows import start_flow
from bot.core.messages import Message
from bot.core.people import first_name
from storage import accounts

feature = Feature("discovery")


@feature.command("discover", "/okr discover ACCOUNT")
async def start_discovery(turn: Turn, args: str) -> list[Message]:
    """`/okr discover ACCOUNT`: the customer's-year questions, answers kept on the account."""
    name = args.strip().strip('"')
    if not name:
        return [Message(prompts.render("flows/discovery/usage"), private=True)]
    async with turn.db.session() as session:
        account = await accounts.find_or_create(session, turn.person.org_id, name, turn.person.id)
        last = await accounts.latest_note(session, account.id)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "subject": f"account:{account.id}",
        "account_id": account.id,
        "account_name": account.name,
        "first_name": first_name(turn.person.name),
        "last": dict(last.answers) if last else None,
        "last_date": local_day(last.recorded_at, turn.person.timezone).isoformat() if last else None,
    }
    return await start_flow(turn, "discovery", context)


@feature.action("save_discovery")
async def save_discovery(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the customer's answers on the account, dated."""
    async with turn.db.session() as session:
        await accounts.add_note(session, int(data["account_id"]), turn.person.id,  # type: ignore[arg-type]
                                data["answers"])
    return []
