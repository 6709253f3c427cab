"""manifest.yml asks Slack for exactly what the channel uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.channels.slack.channel import BOT_SCOPES, COMMAND, EVENTS_PATH, REDIRECT_PATH

MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())


def test_scopes_are_the_ones_the_oauth_install_asks_for() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_command_events_interactivity_and_home_point_at_our_routes() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND and command["should_escape"] is True
    assert command["url"].endswith(EVENTS_PATH)
    settings = MANIFEST["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert {"message.im", "app_home_opened"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith(EVENTS_PATH)
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
