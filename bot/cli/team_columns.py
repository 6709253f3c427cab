"""The columns of a team file (`bot.cli.team_file`): one function per kind of cell
that turns its raw text into the stored value or raises `Bad`, and the `COLUMNS`
table. Adding a column is one line in the table and one field on
`storage.people.TeamRow`."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.working_week import parse_working_days
from bot.core.quiet_hours import parse_quiet_hours
from conversations.people import hidden_character
from storage.models import ROLES, SELLING_ROLES

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class Bad(ValueError):
    """A cell's value is wrong: `code` names the sentence in prompts/team/problem.j2."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(code)
        self.code, self.values = code, values


# Zones, roles, countries repeat on every line: each value is checked once (a bad one,
# raising Bad, is not remembered and is reported on every line it is on).
_REPEATED = functools.lru_cache(maxsize=1024)


# NUL and the other control characters (not tab): PostgreSQL refuses NUL in text, and
# none belongs in a name, an e-mail or an id; shown by code point, being invisible.
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


# --- one function per kind of cell: raw text -> stored value, or Bad --------------------


def _visible(column: str, raw: str, in_name: bool = False) -> str:
    """`raw` when every character in it prints; else Bad naming the first that does
    not (refused, not stripped: the admin's file is the record, and a silent change
    would not survive the next export and import)."""
    hidden = hidden_character(raw, in_name)
    if hidden is not None:
        position, character = hidden
        raise Bad("invisible_character", column=column, character=f"U+{ord(character):04X}",
                  character_name=unicodedata.name(character, "unnamed").lower(), position=str(position + 1))
    return raw


def _email(raw: str) -> str:
    _visible("email", raw)
    if not _EMAIL.match(raw.lower()):
        raise Bad("bad_email", email=raw)
    return raw.lower()


def _name(raw: str) -> str:
    if not raw:
        raise Bad("no_name")
    return _visible("name", raw, in_name=True)


@_REPEATED
def _role(raw: str) -> str:
    if raw.lower() not in ROLES:
        raise Bad("bad_role", role=raw, roles=", ".join(ROLES))
    return raw.lower()


def _manager(raw: str) -> str | None:
    return _visible("manager_email", raw).lower() or None


@_REPEATED
def _zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise Bad("bad_timezone", timezone=raw) from None
    return raw


@_REPEATED
def _working_days(raw: str) -> str | None:
    if not raw:
        return None
    try:
        return parse_working_days(raw)
    except ValueError:
        raise Bad("bad_working_days", days=raw) from None


@_REPEATED
def _country(raw: str) -> str | None:
    """"NO", "US", or a subdivision such as "US-CA" (which the cadences understand)."""
    country = raw.upper()
    if not country:
        return None
    from bot.core.regions import known_region  # only a file with countries pays for it

    if not known_region(country):
        raise Bad("bad_country", country=country)
    return country


def _chat_id(column: str) -> Callable[[str], str | None]:
    """A Slack or Teams user id: the platform's, so nothing hidden in it."""
    def read(raw: str) -> str | None:
        return _visible(column, raw) or None
    return read


@_REPEATED
def _selling_role(raw: str) -> str:
    """hunter or farmer; blank means both (and clears a stored one)."""
    if raw and raw.lower() not in SELLING_ROLES:
        raise Bad("bad_selling_role", selling_role=raw, roles=", ".join(SELLING_ROLES))
    return raw.lower()


def _one_on_one(raw: str) -> str | None:
    """A rep's one-on-one rhythm with their manager ("every other Tue 10:00", in the
    manager's zone); stored as a series by `import_one_on_ones`."""
    if not raw:
        return None
    from conversations.meeting_rule import parse_meeting_rule  # only files with this column load it
    if isinstance(parse_meeting_rule(raw, date.today()), str):
        raise Bad("bad_one_on_one", rhythm=raw, no_manager="")
    return raw


def _quiet_hours(raw: str) -> str:
    """When not to prompt the person, local time ("21:00-07:00"); blank clears."""
    if not raw:
        return ""
    try:
        return parse_quiet_hours(raw)
    except ValueError:
        raise Bad("bad_quiet_hours", hours=raw) from None


@dataclass(frozen=True)
class Column:
    """A team-file column: its header, whether it must be there, the longest value the
    database keeps (from storage/models/people.py), and how a cell is read."""

    name: str
    required: bool
    max_length: int
    read: Callable[[str], Any]


COLUMNS: tuple[Column, ...] = (
    Column("email", True, 320, _email),
    Column("name", True, 200, _name),
    Column("role", True, 16, _role),
    Column("manager_email", True, 320, _manager),
    Column("timezone", True, 64, _zone),
    Column("slack_user_id", False, 128, _chat_id("slack_user_id")),
    Column("teams_user_id", False, 128, _chat_id("teams_user_id")),
    Column("working_days", False, 64, _working_days),
    Column("country", False, 8, _country),
    Column("one_on_one", False, 200, _one_on_one),
    Column("selling_role", False, 16, _selling_role),
    Column("quiet_hours", False, 32, _quiet_hours),
)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
OPTIONAL = tuple(c.name for c in COLUMNS if not c.required)
EXPORT_COLUMNS = REQUIRED + OPTIONAL
PLATFORM_IDS = {"slack_user_id": "slack", "teams_user_id": "teams"}
