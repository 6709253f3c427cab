"""Settings: defaults that run with nothing set, and one clear line per bad value."""

from __future__ import annotations

import pytest

from bot.core.settings import SettingsError
from bot.runtime import load_settings


def test_nothing_set_gives_a_sqlite_file_in_the_working_directory() -> None:
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("coachbot.db")
    assert (settings.timezone, settings.port, settings.serving) == ("UTC", 3000, False)


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
        load_settings(env)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ") and "\n" not in str(caught.value)


def test_platforms_are_configured_by_their_variables() -> None:
    slack = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    socket = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    teams = load_settings({"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p"})
    anonymous = load_settings({"TEAMS_ALLOW_ANONYMOUS": "true"})
    assert slack.channel("slack") and socket.channel("slack") and not slack.channel("teams")
    assert teams.channel("teams") and anonymous.channel("teams") and not teams.channel("slack")


def test_heroku_style_postgres_urls_are_accepted() -> None:
    assert load_settings({"DATABASE_URL": "postgres://u:p@h/db"}).database_url == "postgres://u:p@h/db"


def test_the_http_server_listens_on_every_interface_unless_host_says_otherwise() -> None:
    assert load_settings({}).host == "0.0.0.0"
    assert load_settings({"HOST": "127.0.0.1"}).host == "127.0.0.1"
    assert load_settings({"HOST": "[::1]"}).host == "::1"
    assert load_settings({"HOST": "localhost"}).host == "localhost"
    for bad in ("not a host", "127.0.0.1:8080", "http://127.0.0.1"):
        with pytest.raises(SettingsError) as caught:
            load_settings({"HOST": bad})
        assert caught.value.variable == "HOST"


def test_an_all_numeric_host_name_that_is_no_ipv4_address_is_refused() -> None:
    """review4: "999.1.1.1" passed as a host name and failed at bind (gaierror); the
    resolver would read "10.1" or "1234" as old-style IPv4. Names ending in digits only
    are no host names (RFC 1123), so each is refused when the settings are read."""
    for bad in ("999.1.1.1", "256.0.0.1", "1.2.3", "10.1", "1234", "127.0.0.1.5", "host.example.123"):
        with pytest.raises(SettingsError) as caught:
            load_settings({"HOST": bad})
        assert caught.value.variable == "HOST", bad
        assert "is not an IP address or host name" in str(caught.value)
    for good in ("1host.example", "app-1.internal", "10.0.0.1", "host1"):
        assert load_settings({"HOST": good}).host == good
