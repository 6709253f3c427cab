"""Placeholder until the flow engine lands (issue 3): claims no turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.coach import Turn
    from bot.messages import Message


class DialogResponder:
    async def respond(self, turn: Turn) -> list[Message] | None:
        return None
