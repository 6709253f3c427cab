"""Every chat platform coachbot serves: its settings section and how to build its
channel. Kept apart from `bot.runtime` (which loads every feature, matplotlib
included) so a command that only needs the settings, such as `coachbot team
import`, starts without them: each channel package imports its SDK only when a
channel is created.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.channels import slack, teams
from bot.channels.slack.settings import SlackSettings
from bot.channels.teams.settings import TeamsSettings
from bot.core.settings import Settings

if TYPE_CHECKING:
    from bot.core.channel import Channel
    from bot.core.coach import Coach

# Slack is preferred over Teams for someone known on both.
PLATFORMS: tuple[tuple[Any, Callable[[Any, Coach], Channel]], ...] = (
    (SlackSettings, slack.create_channel),
    (TeamsSettings, teams.create_channel),
)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, every platform's section included; raises
    SettingsError naming the first bad variable."""
    return Settings.from_env(environ, [section for section, _ in PLATFORMS])
