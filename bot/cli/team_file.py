"""Team files: read and check a CSV of people completely before anything is stored.

An admin fixing a 200-line export wants every problem at once, each with its line
number, and a file with any problem imports nothing. Storage does the writing
(`storage.people.upsert_team`), so a re-import updates people instead of duplicating.

The file may come from any spreadsheet (separators, Excel's `sep=;` line, a BOM,
UTF-16: `bot.core.csv_files`, shared with the badge-scanner import). Columns are a
table (`COLUMNS`): adding one is one line there and one field on
`storage.people.TeamRow`.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import prompts
from bot.cli.working_week import parse_working_days
from bot.core import csv_files
from storage.export import from_spreadsheet, spreadsheet_cell
from storage.models import ROLES, SELLING_ROLES
from storage.people import TeamRow

LEADER_ROLES = ("manager", "admin")  # who may be named in someone's manager_email
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a team file, where it is, and a sentence for the admin."""

    line: int
    code: str
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return prompts.render("team/problem", line=self.line, code=self.code, **dict(self.values))


class TeamFileError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


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
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _problem(line: int, code: str, **values: str) -> Problem:
    return Problem(line, code, tuple(values.items()))


# --- one function per kind of cell: raw text -> stored value, or Bad --------------------


def _email(raw: str) -> str:
    if not _EMAIL.match(raw.lower()):
        raise Bad("bad_email", email=raw)
    return raw.lower()


def _name(raw: str) -> str:
    if not raw:
        raise Bad("no_name")
    return raw


@_REPEATED
def _role(raw: str) -> str:
    if raw.lower() not in ROLES:
        raise Bad("bad_role", role=raw, roles=", ".join(ROLES))
    return raw.lower()


def _manager(raw: str) -> str | None:
    return raw.lower() or None


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


def _text(raw: str) -> str | None:
    return raw or None


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
    Column("slack_user_id", False, 128, _text),
    Column("teams_user_id", False, 128, _text),
    Column("working_days", False, 64, _working_days),
    Column("country", False, 8, _country),
    Column("one_on_one", False, 200, _one_on_one),
    Column("selling_role", False, 16, _selling_role),
)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
OPTIONAL = tuple(c.name for c in COLUMNS if not c.required)
EXPORT_COLUMNS = REQUIRED + OPTIONAL
PLATFORM_IDS = {"slack_user_id": "slack", "teams_user_id": "teams"}
_NAMES = frozenset(c.name for c in COLUMNS)


def decode(data: bytes) -> str:
    """A team file's bytes as text (`bot.core.csv_files.decode`: UTF-8 with or without
    Excel's BOM, or UTF-16 with its BOM); a file saved in another encoding is a
    problem with a line number, not a traceback."""
    try:
        return csv_files.decode(data)
    except csv_files.NotUTF8 as error:
        raise TeamFileError([_problem(error.line, "not_utf8")]) from None


def _known(cell: str) -> bool:
    return cell.strip().lower() in _NAMES


def read_team(text: str, existing: Mapping[str, str] | Iterable[str] = (),
              identities: Mapping[tuple[str, str], str] | None = None) -> list[TeamRow]:
    """Parse and check a whole team file; raise TeamFileError listing every problem.

    `existing` are people already stored (e-mail, or e-mail -> role), who may be named
    as managers by a partial re-import; `identities` maps (platform, user id) to the
    e-mail of the stored person who has it, so an id cannot be given to two people.
    """
    reader, delimiter, skip = csv_files.reader(text, _known)
    problems: list[Problem] = []
    try:
        found = next(reader, [])
    except csv.Error as error:
        raise TeamFileError([_problem(1 + skip, "unreadable", reason=str(error))]) from None
    header = [h.strip().lower() for h in found]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TeamFileError([_problem(1 + skip, "missing_columns", columns=", ".join(missing),
                                      found=csv_files.shown_header(found),
                                      delimiter=csv_files.DELIMITER_NAMES.get(delimiter, repr(delimiter)))])
    rows: list[TeamRow] = []
    line_of: dict[str, int] = {}
    faulty: dict[str, int] = {}  # e-mail -> line, of people whose own line has problems
    owner: dict[tuple[str, str], str] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(_problem(reader.line_num + skip, "unreadable", reason=str(error)))
            break
        line = reader.line_num + skip
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(_problem(line, "extra_cells", found=str(len(cells)), expected=str(len(header))))
            continue
        if any(header.index(c) >= len(cells) for c in REQUIRED):  # a cut line or a lost separator
            problems.append(_problem(line, "missing_cells", found=str(len(cells)), expected=str(len(header))))
            continue
        value = {h: (from_spreadsheet(cells[i].strip()) if i < len(cells) else "") for i, h in enumerate(header) if h}
        row, row_problems = _check_row(line, value)
        problems.extend(row_problems)
        if row is None:
            faulty.setdefault(value.get("email", "").lower(), line)  # its reports are not "unknown"
            continue
        if row.email in line_of:
            problems.append(_problem(line, "duplicate_email", email=row.email, first=str(line_of[row.email])))
            continue
        problems.extend(_duplicate_ids(line, row, owner, line_of))
        line_of[row.email] = line
        rows.append(row)
    problems.extend(_relations(rows, line_of, existing, identities or {}, faulty))
    if not rows and not problems:
        problems.append(_problem(1 + skip, "empty"))
    if problems:
        raise TeamFileError(sorted(problems, key=lambda p: p.line))
    return rows


def _check_row(line: int, value: dict[str, str]) -> tuple[TeamRow | None, list[Problem]]:
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    for column in COLUMNS:
        raw = value.get(column.name)
        if raw is None:  # the file has no such column: TeamRow's default (keep what is stored)
            continue
        hidden = _CONTROL.search(raw)
        if hidden:
            problems.append(_problem(line, "control_character", column=column.name,
                                     character=f"U+{ord(hidden.group()):04X}", position=str(hidden.start() + 1)))
            continue
        if len(raw) > column.max_length:
            problems.append(_problem(line, "too_long", column=column.name, length=str(len(raw)),
                                     limit=str(column.max_length)))
            continue
        try:
            fields[column.name] = column.read(raw)
        except Bad as bad:
            problems.append(_problem(line, bad.code, **bad.values))
    if fields.get("one_on_one") and not fields.get("manager_email"):
        problems.append(_problem(line, "bad_one_on_one", rhythm=fields["one_on_one"], no_manager="yes"))
    if problems:
        return None, problems
    return TeamRow(**fields), []


def _duplicate_ids(line: int, row: TeamRow, owner: dict[tuple[str, str], str],
                   line_of: Mapping[str, int]) -> list[Problem]:
    """A Slack or Teams id may belong to one person only (the platform says who is
    writing by that id)."""
    problems = []
    for column, platform in PLATFORM_IDS.items():
        user_id = getattr(row, column)
        if not user_id:
            continue
        first = owner.setdefault((platform, user_id), row.email)
        if first != row.email:
            problems.append(_problem(line, "duplicate_id", column=column, user_id=user_id,
                                     first=str(line_of[first])))
    return problems


def _relations(rows: Sequence[TeamRow], line_of: Mapping[str, int], existing: Mapping[str, str] | Iterable[str],
               identities: Mapping[tuple[str, str], str], faulty: Mapping[str, int]) -> list[Problem]:
    """Managers exist and lead; nobody manages themselves or a loop; ids are not taken.
    A manager whose own line has problems (`faulty`: e-mail -> line) is named as such,
    not as missing from the file."""
    stored = dict(existing) if isinstance(existing, Mapping) else {e: "" for e in existing}
    role_of = {e.lower(): r for e, r in stored.items()} | {r.email: r.role for r in rows}
    problems: list[Problem] = []
    for row in rows:
        line = line_of[row.email]
        manager_role = role_of.get(row.manager_email or "")
        if row.manager_email and manager_role is None and row.manager_email in faulty:
            problems.append(_problem(line, "manager_line_faulty", manager=row.manager_email,
                                     first=str(faulty[row.manager_email])))
        elif row.manager_email and manager_role is None:
            problems.append(_problem(line, "unknown_manager", manager=row.manager_email))
        elif row.manager_email == row.email:
            problems.append(_problem(line, "own_manager", email=row.email))
        elif row.manager_email and manager_role and manager_role not in LEADER_ROLES:
            problems.append(_problem(line, "manager_not_leader", manager=row.manager_email, role=manager_role,
                                     roles=" or ".join(LEADER_ROLES)))
        for column, platform in PLATFORM_IDS.items():
            holder = identities.get((platform, getattr(row, column) or ""))
            if holder and holder != row.email:
                problems.append(_problem(line, "id_taken", column=column, user_id=getattr(row, column),
                                         email=holder))
    problems.extend(_cycles(rows, line_of))
    return problems


def _cycles(rows: Sequence[TeamRow], lines: Mapping[str, int]) -> list[Problem]:
    """Reporting lines must end at someone without a manager; report each loop once."""
    manager_of = {r.email: r.manager_email for r in rows if r.manager_email not in (None, r.email)}
    reported: set[frozenset[str]] = set()
    problems: list[Problem] = []
    for start in manager_of:
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current not in seen:
            path.append(current)
            seen.add(current)
            current = manager_of.get(current)
        if current is None:
            continue
        loop = path[path.index(current):]
        if frozenset(loop) in reported:
            continue
        reported.add(frozenset(loop))
        first = min(loop, key=lambda e: lines[e])
        i = loop.index(first)
        ordered = loop[i:] + loop[:i] + [first]
        problems.append(_problem(lines[first], "cycle", chain=" → ".join(ordered)))
    return problems


def write_team(rows: Iterable[dict[str, str]]) -> str:
    """The team as CSV in the import format, so an export can be edited and re-imported."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})
    return out.getvalue()
