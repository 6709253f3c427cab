"""Microsoft Teams: the only package that imports botbuilder.

botbuilder-python is archived (support ended 2025-12-31); its successor is the
Microsoft 365 Agents SDK. Everything Bot Framework-specific stays in this folder:
`adapter.py` (authentication, retries), `handler.py` (activities -> coach),
`channel.py` (the HTTP route, proactive delivery). `cards.py` and `package.py` are
plain Python and survive the move unchanged. See docs/teams.md.

botbuilder is imported lazily, inside `create_channel`, so `coachbot teams package`
(which imports `package.py`, and therefore this module) stays fast and never needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.channels.teams.channel import TeamsChannel
    from bot.channels.teams.settings import TeamsSettings
    from bot.core.coach import Coach


def create_channel(settings: TeamsSettings, coach: Coach) -> TeamsChannel:
    """The Teams channel for `coachbot run`: Bot Framework authentication when
    MICROSOFT_APP_ID/PASSWORD are set, the loud anonymous mode only when
    TEAMS_ALLOW_ANONYMOUS=true, and a ValueError otherwise."""
    from bot.channels.teams.channel import TeamsChannel

    return TeamsChannel(settings, coach)


__all__ = ["create_channel"]
