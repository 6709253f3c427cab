"""Team files as spreadsheets write them: separators, Excel's `sep=` line, a BOM,
quoted fields; and the checks a header, a manager's role, a long cell and a chat id
need (each problem with its line number, nothing imported)."""

from __future__ import annotations

import pytest

from bot.cli.team_file import TeamFileError, read_team
from storage import people
from storage.db import Database

ROWS = [
    ("boss@x.com", "Bo Boss", "manager", "", "Europe/Berlin"),
    ("rep@x.com", "Smith, Jo", "rep", "boss@x.com", "America/Chicago"),
]
HEADER = ("email", "name", "role", "manager_email", "timezone")


def _csv(delimiter: str, quote_all: bool = False) -> str:
    def cell(text: str) -> str:
        return f'"{text}"' if quote_all or delimiter in text or "," in text else text
    return "\n".join(delimiter.join(cell(c) for c in line) for line in [HEADER, *ROWS]) + "\n"


def problems(text: str, existing: object = (), identities: object = None) -> list[str]:
    with pytest.raises(TeamFileError) as caught:
        read_team(text, existing, identities)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("name, text", [
    ("comma", _csv(",")),
    ("semicolon (Excel, European locales)", _csv(";")),
    ("tab", _csv("\t")),
    ("every field quoted", _csv(";", quote_all=True)),
    ("Excel's sep= first line", "sep=;\n" + _csv(";")),
    ("Excel's sep= line, quoted", '"sep=;"\n' + _csv(";")),
    ("byte-order mark", "\ufeff" + _csv(";")),
    ("BOM and sep= line", "\ufeffsep=\t\n" + _csv("\t")),
    ("Windows line ends", _csv(";").replace("\n", "\r\n")),
    ("upper-case header with spaces", _csv(";").replace("email;name", " EMAIL ; Name ")),
])
def test_every_dialect_reads_the_same_people(name: str, text: str) -> None:
    rows = read_team(text)
    assert [(r.email, r.name, r.manager_email) for r in rows] == [
        ("boss@x.com", "Bo Boss", None), ("rep@x.com", "Smith, Jo", "boss@x.com")], name


def test_a_sep_line_moves_the_line_numbers_of_problems() -> None:
    text = "sep=;\n" + _csv(";").replace("America/Chicago", "Mars/Olympus")
    assert problems(text) == [
        "line 4: 'Mars/Olympus' is not an IANA time zone such as Europe/Oslo or America/New_York"]


def test_a_header_that_cannot_be_read_says_what_was_found() -> None:
    text = "e-mail|name|role\nboss@x.com|Bo|manager\n"
    [line] = problems(text)
    assert line.startswith("line 1: the header lacks the column(s) email, name, role, manager_email, timezone")
    assert line.endswith("Read with comma as the separator, the header was: e-mail|name|role")


def test_a_rep_named_as_a_manager_is_refused_with_the_role_needed() -> None:
    text = _csv(",") + "new@x.com,New,rep,rep@x.com,UTC\n"
    assert problems(text) == [
        "line 4: manager rep@x.com has the role rep; a manager needs the role manager or admin "
        "(change their role in the file)"]


def test_a_stored_rep_named_as_a_manager_by_a_partial_import_is_refused() -> None:
    text = ",".join(HEADER) + "\nnew@x.com,New,rep,old@x.com,UTC\n"
    assert problems(text, {"old@x.com": "rep"})[0].startswith("line 2: manager old@x.com has the role rep")
    assert read_team(text, {"old@x.com": "admin"})[0].manager_email == "old@x.com"


def test_a_cell_longer_than_the_database_keeps_is_a_line_numbered_problem() -> None:
    text = _csv(",").replace('"Smith, Jo"', "S" * 201)
    assert problems(text) == ["line 3: name is 201 characters long; at most 200 are kept"]


def test_a_field_over_the_csv_limit_is_a_line_numbered_problem() -> None:
    text = _csv(",") + 'x@x.com,"' + "y" * 140_000 + '",rep,boss@x.com,UTC\n'
    [line] = problems(text)
    assert line.startswith("line 4: the line cannot be read as CSV (field larger than field limit")


def test_more_cells_than_the_header_names_is_a_problem() -> None:
    text = _csv(",") + "x@x.com,Smith, Jo,rep,boss@x.com,UTC\n"
    assert problems(text)[0].startswith("line 4: the line has 6 cells but the header 5")


def test_a_chat_id_given_to_two_people_is_a_line_numbered_problem() -> None:
    header = ",".join(HEADER) + ",slack_user_id,teams_user_id\n"
    text = header + "a@x.com,A,manager,,UTC,U1,T1\nb@x.com,B,rep,a@x.com,UTC,U1,T2\nc@x.com,C,rep,a@x.com,UTC,U3,T2\n"
    assert problems(text) == [
        "line 3: slack_user_id U1 is already given to the person on line 2; each chat id belongs to one person",
        "line 4: teams_user_id T2 is already given to the person on line 3; each chat id belongs to one person"]


def test_a_chat_id_stored_for_someone_else_is_a_problem() -> None:
    text = ",".join(HEADER) + ",slack_user_id\na@x.com,A,manager,,UTC,U9\n"
    assert problems(text, {}, {("slack", "U9"): "z@x.com"}) == [
        "line 2: slack_user_id U9 already belongs to z@x.com; change or remove it there first"]
    assert read_team(text, {}, {("slack", "U9"): "a@x.com"})[0].slack_user_id == "U9"


async def test_stored_roles_and_ids_feed_the_checks(db: Database) -> None:
    text = ",".join(HEADER) + ",slack_user_id\nboss@x.com,Bo,manager,,UTC,U1\nrep@x.com,Re,rep,boss@x.com,UTC,U2\n"
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        await people.upsert_team(session, org.id, read_team(text))
    async with db.session() as session:
        roles = await people.roles(session, org.id)
        owners = await people.identity_owners(session, org.id)
    assert roles == {"boss@x.com": "manager", "rep@x.com": "rep"}
    assert owners == {("slack", "U1"): "boss@x.com", ("slack", "U2"): "rep@x.com"}
    again = ",".join(HEADER) + ",slack_user_id\nnew@x.com,N,rep,rep@x.com,UTC,U1\n"
    assert problems(again, roles, owners) == [
        "line 2: manager rep@x.com has the role rep; a manager needs the role manager or admin "
        "(change their role in the file)",
        "line 2: slack_user_id U1 already belongs to boss@x.com; change or remove it there first"]


def test_a_progress_bar_shows_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import team

    seen: list[int] = []

    class FakeProgress:
        def __init__(self, **_: object) -> None: ...
        def __enter__(self) -> FakeProgress: return self
        def __exit__(self, *_: object) -> None: ...
        def add_task(self, _title: str, total: int) -> int:
            seen.append(-total)
            return 1
        def advance(self, _task: int, n: int) -> None:
            seen.append(n)

    monkeypatch.setattr("rich.progress.Progress", FakeProgress)  # imported when a bar is shown
    monkeypatch.setattr(team.sys.stderr, "isatty", lambda: False)
    with team.progress_bar(5000) as advance:
        advance(500)
    assert seen == []
    monkeypatch.setattr(team.sys.stderr, "isatty", lambda: True)
    with team.progress_bar(5000) as advance:
        advance(500)
    assert seen == [-5000, 500]


async def test_the_import_reports_its_progress_to_the_last_row(db: Database) -> None:
    text = ",".join(HEADER) + "\n" + "".join(f"p{i}@x.com,P{i},rep,,UTC\n" for i in range(1203))
    done: list[int] = []
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        assert await people.upsert_team(session, org.id, read_team(text), done.append) == (1203, 0, 0)
    assert sum(done) == 1203


@pytest.mark.parametrize("cell, column, character", [
    ("Bo\x00Boss", "name", "U+0000"), ("Bo\x1bBoss", "name", "U+001B"), ("Bo\x7fBoss", "name", "U+007F"),
])
def test_a_control_character_in_a_cell_is_refused_by_column_and_code_point(cell: str, column: str,
                                                                           character: str) -> None:
    """PostgreSQL refuses NUL in text, and none belongs in a team file: the same
    line-numbered answer on every database, naming the invisible character."""
    text = _csv(",").replace("Bo Boss", cell)
    assert problems(text) == [
        f"line 2: {column} holds an invisible control character ({character}) at position 3; delete it "
        "(it often comes with a copy from another program)",
        "line 3: manager boss@x.com is on line 2, which has problems of its own (listed there)"]


@pytest.mark.parametrize("raw, column", [("U\x001", "slack_user_id"), ("Europe/Oslo\x00", "timezone"),
                                         ("boss@x.com\x00", "email")])
def test_control_characters_are_refused_in_ids_zones_and_e_mails_too(raw: str, column: str) -> None:
    text = "email,name,role,manager_email,timezone,slack_user_id\n" + (
        f"boss@x.com,Bo,manager,,Europe/Berlin,{raw}\n" if column == "slack_user_id" else
        f"boss@x.com,Bo,manager,,{raw},U1\n" if column == "timezone" else f"{raw},Bo,manager,,UTC,U1\n")
    [line] = problems(text)
    assert line.startswith(f"line 2: {column} holds an invisible control character (U+0000)")


def test_a_nul_in_the_header_is_shown_by_its_code_point() -> None:
    [line] = problems("\x00" + _csv(","))
    assert "the header was: <U+0000>email | name" in line


def test_a_manager_whose_own_line_is_wrong_is_not_called_missing() -> None:
    """One bad line is one problem: the people it manages are not told their manager
    is absent from the file."""
    text = _csv(",").replace("Europe/Berlin", "Mars/Olympus")
    assert problems(text) == [
        "line 2: 'Mars/Olympus' is not an IANA time zone such as Europe/Oslo or America/New_York",
        "line 3: manager boss@x.com is on line 2, which has problems of its own (listed there)"]


def test_a_line_cut_short_says_so_instead_of_blaming_its_empty_cells() -> None:
    text = _csv(",") + "new@x.com,New\n"
    assert problems(text) == [
        "line 4: the line has only 2 cells but the header 5; is a separator missing, or a quote left "
        "open on an earlier line?"]


def test_trailing_optional_cells_may_be_left_out() -> None:
    text = "email,name,role,manager_email,timezone,country\nboss@x.com,Bo,manager,,UTC\n"
    assert [r.email for r in read_team(text)] == ["boss@x.com"]
