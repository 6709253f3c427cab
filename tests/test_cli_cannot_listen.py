"""`coachbot run` with a HOST or PORT the server cannot listen on (review4): exit code
2 and the one configuration line naming the variable, never a traceback, and refused
before the database is touched."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_startup import coachbot, one_line

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another process (here: this one) listens on, at 127.0.0.1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_port_in_use_is_one_line_naming_port_and_exit_2(tmp_path: Path, busy_port: int, host: str) -> None:
    result = coachbot(tmp_path, "run", env={**SLACK, "HOST": host, "PORT": str(busy_port)})
    assert result.returncode == 2
    assert one_line(result) == (f"coachbot: configuration error: PORT: {busy_port} is already in use on {host}; "
                                "stop the other process or set PORT")
    assert not (tmp_path / "coachbot.db").exists()


def test_a_host_that_does_not_resolve_is_one_line_naming_host_and_exit_2(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "run", env={**SLACK, "HOST": "nosuchhost.invalid", "PORT": "3999"})
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("coachbot: configuration error: HOST: cannot listen on nosuchhost.invalid (")
    assert not (tmp_path / "coachbot.db").exists()


def test_an_address_of_another_machine_is_one_line_naming_host_and_exit_2(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "run", env={**SLACK, "HOST": "192.0.2.1", "PORT": "3999"})  # TEST-NET-1
    assert result.returncode == 2
    assert one_line(result).startswith("coachbot: configuration error: HOST: cannot listen on 192.0.2.1 (")


def test_a_dotted_number_that_is_no_address_is_refused_as_a_setting(tmp_path: Path) -> None:
    result = coachbot(tmp_path, "run", env={**SLACK, "HOST": "999.1.1.1"})
    assert result.returncode == 2
    assert one_line(result) == ("coachbot: configuration error: HOST: '999.1.1.1' is not an IP address or host "
                                "name to listen on (e.g. 0.0.0.0, 127.0.0.1)")


async def test_a_port_taken_between_the_check_and_the_start_is_still_a_settings_error(busy_port: int) -> None:
    """The check at the top of start-up can race another process; the server's own
    bind says the same thing then."""
    from aiohttp import web

    from bot.channels import server
    from bot.core.settings import SettingsError

    with pytest.raises(SettingsError) as caught:
        await server.start(web.Application(), busy_port, "127.0.0.1")
    assert caught.value.variable == "PORT"
    assert str(caught.value) == f"PORT: {busy_port} is already in use on 127.0.0.1; stop the other process or set PORT"
    with pytest.raises(SettingsError) as caught:
        await server.check_address("127.0.0.1", busy_port)
    assert caught.value.variable == "PORT"
