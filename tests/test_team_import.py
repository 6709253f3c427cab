"""Team files: every kind of bad file is reported by line and imports nothing; a
re-import updates people instead of duplicating them."""

from __future__ import annotations

import pytest

from bot.cli.team import TeamFileError, parse_working_days, read_team, write_team
from storage import people
from storage.db import Database

HEADER = "email,name,role,manager_email,timezone\n"
GOOD = HEADER + (
    "boss@x.com,Bo Boss,manager,,Europe/Berlin\n"
    "rep@x.com,Re Rep,rep,boss@x.com,America/Chicago\n"
)


def problems(text: str, existing: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(TeamFileError) as caught:
        read_team(text, existing)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_reads_every_row() -> None:
    rows = read_team(GOOD)
    assert [(r.email, r.role, r.manager_email) for r in rows] == [
        ("boss@x.com", "manager", None), ("rep@x.com", "rep", "boss@x.com")]


def test_a_country_may_name_a_subdivision_for_its_holidays() -> None:
    """docs/cadence.md: `US-CA` style subdivisions work (California's own holidays)."""
    rows = read_team("email,name,role,manager_email,timezone,country\n"
                     "a@x.com,A,rep,,America/Los_Angeles,US-CA\n")
    assert [r.country for r in rows] == ["US-CA"]
    assert problems("email,name,role,manager_email,timezone,country\n"
                    "a@x.com,A,rep,,America/Los_Angeles,US-XX\n") == [
        "line 2: 'US-XX' is not a country code the holiday calendar knows (e.g. US, GB, NO)"]


def test_unknown_time_zone_is_reported_with_its_line() -> None:
    assert problems(HEADER + "a@x.com,A,rep,,Europe/Atlantis\n") == [
        "line 2: 'Europe/Atlantis' is not an IANA time zone such as Europe/Oslo or America/New_York"]


def test_unknown_role_is_reported_with_its_line() -> None:
    assert problems(GOOD + "c@x.com,C,ceo,,UTC\n") == [
        "line 4: 'ceo' is not a role; use one of rep, manager, admin"]


def test_a_manager_not_in_the_team_is_reported() -> None:
    assert problems(HEADER + "a@x.com,A,rep,ghost@x.com,UTC\n") == [
        "line 2: manager ghost@x.com is not in the team: add them to the file or leave manager_email empty"]


def test_a_manager_already_stored_may_be_named_by_a_partial_import() -> None:
    rows = read_team(HEADER + "a@x.com,A,rep,boss@x.com,UTC\n", ("Boss@x.com",))
    assert rows[0].manager_email == "boss@x.com"


def test_a_cycle_in_reporting_lines_is_reported_once() -> None:
    text = HEADER + "a@x.com,A,manager,b@x.com,UTC\nb@x.com,B,manager,c@x.com,UTC\nc@x.com,C,manager,a@x.com,UTC\n"
    assert problems(text) == [
        "line 2: reporting lines go round in a circle: a@x.com → b@x.com → c@x.com → a@x.com"]


def test_someone_managing_themselves_is_reported() -> None:
    assert problems(HEADER + "a@x.com,A,rep,a@x.com,UTC\n") == ["line 2: a@x.com is their own manager"]


def test_a_duplicate_email_is_reported_case_insensitively() -> None:
    assert problems(GOOD + "BOSS@x.com,Other,rep,,UTC\n") == [
        "line 4: boss@x.com appears twice (first on line 2)"]


def test_a_missing_column_is_reported_on_the_header() -> None:
    assert problems("email,name,role\na@x.com,A,rep\n") == [
        "line 1: the header lacks the column(s) manager_email, timezone; "
        "a team file needs email,name,role,manager_email,timezone. "
        "Read with comma as the separator, the header was: email | name | role"]


def test_every_problem_is_listed_at_once_in_line_order() -> None:
    text = HEADER + "not-an-email,A,rep,,UTC\nb@x.com,,boss,,Mars/Base\n"
    assert [p.split(":")[0] for p in problems(text)] == ["line 2", "line 3", "line 3", "line 3"]


def test_an_empty_file_is_an_error() -> None:
    assert problems(HEADER) == ["line 1: the file has a header but nobody in it"]


@pytest.mark.parametrize(("text", "iso"), [
    ("Mon-Fri", "1,2,3,4,5"), ("Sun-Thu", "1,2,3,4,7"), ("sat,sun", "6,7"), ("7,1,2,3,4", "1,2,3,4,7")])
def test_working_days_are_read_as_iso_weekdays(text: str, iso: str) -> None:
    assert parse_working_days(text) == iso


async def _import(db: Database, text: str) -> people.ImportCounts:
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        existing = [p.email for p in await people.team(session, org.id)]
        return await people.upsert_team(session, org.id, read_team(text, existing))


async def test_reimport_updates_and_never_duplicates(db: Database) -> None:
    assert await _import(db, GOOD) == (2, 0, 0)
    changed = GOOD.replace("Re Rep", "Rena Rep").replace("America/Chicago", "Asia/Tokyo")
    assert await _import(db, changed + "new@x.com,New,rep,boss@x.com,UTC\n") == (1, 1, 1)  # the boss as was
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        team = {p.email: p for p in await people.team(session, org.id)}
    assert len(team) == 3
    assert (team["rep@x.com"].name, team["rep@x.com"].timezone) == ("Rena Rep", "Asia/Tokyo")
    assert team["new@x.com"].manager_id == team["boss@x.com"].id


async def test_an_identical_reimport_changes_nothing_and_says_so(db: Database) -> None:
    text = HEADER.strip() + ",slack_user_id\nboss@x.com,Bo,manager,,UTC,U1\nrep@x.com,Re,rep,boss@x.com,UTC,U2\n"
    assert await _import(db, text) == (2, 0, 0)
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        before = {p.email: (p.updated_at, p.revision) for p in await people.team(session, org.id)}
    assert await _import(db, text) == (0, 0, 2)
    async with db.session() as session:
        after = {p.email: (p.updated_at, p.revision) for p in await people.team(session, org.id)}
    assert after == before  # nothing written: no revision for the planner to reload for
    assert await _import(db, text.replace(",U2", ",U3")) == (0, 1, 1)  # a new chat id alone is a change
    assert await _import(db, text.replace(",U2", ",U3").replace("UTC,U1", "Europe/Oslo,U1")) == (0, 1, 1)


async def test_chat_ids_from_the_file_are_linked(db: Database) -> None:
    text = HEADER.strip() + ",slack_user_id,teams_user_id\nboss@x.com,Bo,manager,,UTC,U1,aad-1\n"
    await _import(db, text)
    async with db.session() as session:
        org = await people.ensure_org(session, "Acme", "UTC")
        person = await people.by_email(session, "boss@x.com")
        assert await people.identities(session, org.id) == {person.id: {"slack": "U1", "teams": "aad-1"}}


def test_export_writes_the_import_format() -> None:
    text = write_team([{"email": "a@x.com", "name": "A", "role": "rep", "manager_email": "",
                        "timezone": "UTC", "working_days": "1,2,3,4,5", "country": "",
                        "slack_user_id": "", "teams_user_id": ""}])
    assert read_team(text)[0].email == "a@x.com"


def test_the_optional_selling_role_column() -> None:
    """Issue #11: hunter, farmer, or blank for both; anything else is refused by line."""
    header = "email,name,role,manager_email,timezone,selling_role\n"
    rows = read_team(header + "a@x.com,A,rep,,UTC,Hunter\nb@x.com,B,rep,,UTC,farmer\nc@x.com,C,rep,,UTC,\n")
    assert [r.selling_role for r in rows] == ["hunter", "farmer", ""]
    assert [r.selling_role for r in read_team(GOOD)] == [None, None]      # no column: keep what is stored
    assert problems(header + "a@x.com,A,rep,,UTC,gatherer\n") == [
        "line 2: 'gatherer' is not a selling role; use one of hunter, farmer, or leave it empty for both"]


async def test_selling_roles_are_stored_and_kept_when_the_column_is_absent(db: Database) -> None:
    from storage.models import Person

    header = "email,name,role,manager_email,timezone,selling_role\n"
    async with db.session() as session:
        org = await people.ensure_org(session, "X", "UTC")
        await people.upsert_team(session, org.id, read_team(header + "a@x.com,A,rep,,UTC,farmer\n"))  # type: ignore[arg-type]
    async with db.session() as session:
        await people.upsert_team(session, org.id, read_team(HEADER + "a@x.com,A,rep,,UTC\n"))  # type: ignore[arg-type]
    async with db.session() as session:
        person = await people.by_email(session, "a@x.com")
        assert isinstance(person, Person) and person.selling_role == "farmer"
