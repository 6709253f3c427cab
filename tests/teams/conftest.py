"""Fixtures for the Teams tests; the kit itself lives in `teamskit.py` so test
modules can import its helpers by a name that does not clash with tests/conftest.py."""

from teamskit import connector, teams  # noqa: F401
