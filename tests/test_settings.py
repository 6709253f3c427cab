"""Settings: defaults that run with nothing set, and one clear line per bad value."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError


def test_nothing_set_gives_a_sqlite_file_in_the_working_directory() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("coachbot.db")
    assert (settings.timezone, settings.port, settings.slack_configured, settings.teams_configured) == (
        "UTC", 3000, False, False)


@pytest.mark.parametrize(("env", "variable"), [
    ({"PORT": "eighty"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"COACHBOT_NUDGE_HOURS": "-3"}, "COACHBOT_NUDGE_HOURS"),
    ({"COACHBOT_TICK_SECONDS": "soon"}, "COACHBOT_TICK_SECONDS"),
    ({"COACHBOT_TIMEZONE": "Mars/Olympus"}, "COACHBOT_TIMEZONE"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ({"COACHBOT_COUNTRY": "XX"}, "COACHBOT_COUNTRY"),
    ({"TEAMS_ALLOW_ANONYMOUS": "maybe"}, "TEAMS_ALLOW_ANONYMOUS"),
    ({"SLACK_BOT_TOKEN": "abc", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_CLIENT_ID": "1"}, "SLACK_CLIENT_SECRET"),
    ({"MICROSOFT_APP_ID": "id"}, "MICROSOFT_APP_PASSWORD"),
    ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
])
def test_a_bad_value_names_its_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ") and "\n" not in str(caught.value)


def test_platforms_are_configured_by_their_variables() -> None:
    slack = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    socket = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    teams = Settings.from_env({"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p"})
    anonymous = Settings.from_env({"TEAMS_ALLOW_ANONYMOUS": "true"})
    assert slack.slack_configured and socket.slack_configured and not slack.teams_configured
    assert teams.teams_configured and anonymous.teams_configured and not teams.slack_configured


def test_heroku_style_postgres_urls_are_accepted() -> None:
    assert Settings.from_env({"DATABASE_URL": "postgres://u:p@h/db"}).database_url == "postgres://u:p@h/db"
