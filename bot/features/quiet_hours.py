"""`/okr quiet`: each person sets the hours they are not to be prompted, in their own
time zone ("21:00-07:00" crosses midnight). A prompt a cadence places inside them
waits for their end (`bot.cadence.calendar`), nudges and reminders too. An admin can
set them for everyone in the team file's `quiet_hours` column; the last one set wins.
"""

from __future__ import annotations

import prompts
from bot.cadence.planner import replan
from bot.core.coach import Turn
from bot.core.feature import Feature
from bot.core.messages import Message
from bot.core.quiet_hours import parse_quiet_hours
from storage import people as store

feature = Feature("quiet hours")

_OFF = {"off", "none", "clear", "no"}


@feature.command("quiet", "/okr quiet [21:00-07:00 | off]")
async def quiet_command(turn: Turn, args: str) -> list[Message]:
    """Without words: the quiet hours as they stand. A span: set them, re-plan the
    person's pending prompts, say where a prompt inside them goes. `off`: clear them.
    Anything else is asked again with an example, never guessed."""
    person, typed = turn.person, args.strip()
    zone = person.timezone or "UTC"
    if not typed:
        return [Message(prompts.render("cadence/quiet", outcome="shown", start=person.quiet_start,
                                       end=person.quiet_end, zone=zone), private=True)]
    if typed.lower() in _OFF:
        start = end = None
    else:
        try:
            start, _, end = parse_quiet_hours(typed).partition("-")
        except ValueError:
            return [Message(prompts.render("cadence/quiet", outcome="unreadable", given=typed[:60], zone=zone),
                            private=True)]
    async with turn.db.session() as session:
        await store.set_quiet_hours(session, person.id, start, end)  # type: ignore[arg-type]
    await replan(turn.db, [person.id], turn.now)  # type: ignore[list-item]
    return [Message(prompts.render("cadence/quiet", outcome="set" if start else "cleared", start=start, end=end,
                                   zone=zone), private=True)]
