"""Slack, on slack-bolt: the only package of coachbot that imports slack_bolt/slack_sdk.

`create_channel(settings, coach)` is what `bot.runtime` calls when Slack is configured:
Socket Mode when SLACK_APP_TOKEN is set, else HTTP at /slack/events (plus the OAuth
install pages when SLACK_CLIENT_ID/SECRET are set). slack_bolt is imported only
then, so commands that never serve Slack (`coachbot team import`) do not load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.channels.slack.channel import SlackChannel
    from bot.channels.slack.pacing import Pacer
    from bot.channels.slack.settings import SlackSettings
    from bot.core.coach import Coach


def create_channel(settings: SlackSettings, coach: Coach, pacer: Pacer | None = None) -> SlackChannel:
    from bot.channels.slack.channel import SlackChannel

    return SlackChannel(settings, coach, pacer)


def manifest() -> str:
    """The Slack app manifest shipped in the package (the repository's manifest.yml)."""
    return Path(__file__).with_name("manifest.yml").read_text(encoding="utf-8")


__all__ = ["create_channel", "manifest"]
