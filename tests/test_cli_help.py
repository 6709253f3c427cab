"""`coachbot … --help` reads well: a flag is shown as a flag (`--fresh`, `--off`,
`--yes`), never with a "<bool>" value, in every group and command."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.main import app


def _paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in (getattr(group, "commands", None) or {}).items():  # a group's sub-commands
        found.extend(_paths(command, (*prefix, name)))
    return found


COMMANDS = _paths(typer.main.get_command(app))


def test_every_command_is_walked() -> None:
    assert ("demo",) in COMMANDS and ("schedule", "set") in COMMANDS and len(COMMANDS) > 15


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "coachbot")
def test_help_shows_flags_as_flags(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "--help" in result.output
    assert "--no-off" not in result.output and "--no-fresh" not in result.output


def test_the_boolean_options_read_as_plain_flags() -> None:
    demo = CliRunner().invoke(app, ["demo", "--help"], terminal_width=100).output
    rule = CliRunner().invoke(app, ["schedule", "set", "--help"], terminal_width=100).output
    assert "--fresh " in demo and "[default: no-fresh]" not in demo
    assert "--off " in rule and "--starting YYYY-MM-DD" in rule
