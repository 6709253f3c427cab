"""Fixtures for the Teams tests; the kit itself lives in `teamskit.py` so test
modules can import its helpers by a name that does not clash with tests/conftest.py."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from teams.teamskit import connector, teams  # noqa: F401

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", None, ""}


def _is_local(host: Any) -> bool:
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail fast, loudly, if anything in a Teams test reaches past 127.0.0.1 (a
    botbuilder default URL, a token endpoint): the machine has no network, and the
    tests must prove they never need one."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise OSError(f"test tried to resolve {host!r}: loopback only")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise OSError(f"test tried to connect to {address!r}: loopback only")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
