"""Team files: read and check a CSV of people completely before anything is stored.

An admin fixing a 200-line export wants every problem at once, each with its line
number, and a file with any problem imports nothing. Storage does the writing
(`storage.people.upsert_team`), so a re-import updates people instead of duplicating.

The file may come from any spreadsheet (separators, Excel's `sep=;` line, a BOM,
UTF-16: `bot.core.csv_files`, shared with the badge-scanner import). The columns and
how each cell is read are in `bot.cli.team_columns`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import prompts
from bot.cli.team_columns import COLUMNS, CONTROL, EXPORT_COLUMNS, OPTIONAL, PLATFORM_IDS, REQUIRED, Bad
from bot.core import csv_files
from storage.export import from_spreadsheet, spreadsheet_cell
from storage.people import TeamRow

__all__ = ["COLUMNS", "EXPORT_COLUMNS", "OPTIONAL", "PLATFORM_IDS", "REQUIRED", "Bad", "Problem", "TeamFileError",
           "decode", "read_team", "write_team"]

LEADER_ROLES = ("manager", "admin")  # who may be named in someone's manager_email
_NAMES = frozenset(c.name for c in COLUMNS)


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


def _problem(line: int, code: str, **values: str) -> Problem:
    return Problem(line, code, tuple(values.items()))




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
    repeated = list(dict.fromkeys(h for h in header if h in _NAMES and header.count(h) > 1))
    if repeated:  # which copy counts cannot be guessed (it was the last, silently)
        raise TeamFileError([_problem(1 + skip, "duplicate_columns", columns=", ".join(repeated))])
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
        hidden = CONTROL.search(raw)
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
