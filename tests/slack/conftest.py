"""Slack test fixtures live in slackkit.py (a unique module name, so they never clash
with tests/conftest.py); this file only makes pytest see them."""

from slackkit import fake, harness  # noqa: F401
