"""Slack, on slack-bolt: the only package of coachbot that imports slack_bolt/slack_sdk.

`create_channel(settings, coach)` is what `bot.runtime` calls when Slack is configured:
Socket Mode when SLACK_APP_TOKEN is set, else HTTP at /slack/events (plus the OAuth
install pages when SLACK_CLIENT_ID/SECRET are set).
"""

from __future__ import annotations

from bot.channels.slack.channel import SlackChannel
from bot.channels.slack.pacing import Pacer, Rate
from bot.coach import Coach
from bot.settings import Settings


def create_channel(settings: Settings, coach: Coach, pacer: Pacer | None = None) -> SlackChannel:
    return SlackChannel(settings, coach, pacer)


__all__ = ["Pacer", "Rate", "SlackChannel", "create_channel"]
