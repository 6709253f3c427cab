"""`coachbot schedule preview` and `coachbot demo`.

The preview computes the same slots the dispatcher would (the same code path, without
writing anything) and shows each with its local and UTC time, what happened to it if
it is already stored, and why a prompt moved or was skipped. The demo starts the bot in
the terminal with the sample team and a check-in due right away, so a new user sees a
prompt arrive without waiting two weeks.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import typer

import prompts
from bot import cadence
from bot.cli.common import has_left, ready_database, settings
from bot.core.clock import now
from bot.core.settings import Settings
from storage import occurrences, people
from storage import schedule as store
from storage.models import CadenceRule, Person
from storage.planning import LATE

schedule_app = typer.Typer(
    rich_markup_mode=None, help="Cadences: see who gets which prompt when, and why.", no_args_is_help=True)

def _start_of(day: date | None) -> datetime:
    """Midnight UTC of `day`; without one, the start of the current minute, so a prompt
    due this very minute (planned for 09:00, the clock at 09:00:30) is still shown,
    and nothing due in an earlier minute is."""
    if day is None:
        return now().replace(second=0, microsecond=0)
    return datetime.combine(day, time.min, tzinfo=UTC)


_ISO_DAY = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")


def _from_day(raw: str | None) -> date | None:
    """`--from` read as a YYYY-MM-DD day (None when not given). Raises
    typer.BadParameter saying what is wrong, with a real day as the example: a day
    its month lacks ("2026-02-31": February 2026 has 28 days), a month past 12, or
    another shape ("31/02/2026", an empty value)."""
    if raw is None:
        return None
    from conversations.dates import no_such_day  # the conversations package: loaded by this use only

    text = raw.strip()
    found = _ISO_DAY.fullmatch(text)
    if found is not None:
        year, month, day = (int(found.group(k)) for k in ("y", "m", "d"))
        try:
            return date(year, month, day)
        except ValueError:
            pass
        missing = no_such_day(text, now().date()) if year >= 1 else None
        problem = "no_such_day" if missing is not None else ("month" if not 1 <= month <= 12 else "day")
        example = (date(year, month, missing.last) if missing is not None
                   else date(year, month, 1) if problem == "day" and year >= 1 else now().date())
    else:
        problem, missing, example, month = ("empty" if not text else "shape"), None, now().date(), 0
    raise typer.BadParameter(str(prompts.render("cadence/cli_bad_from", given=text, problem=problem,
                                                missing=missing, month=month, example=example)))


@schedule_app.command("preview")
def preview(
    user: Annotated[str | None, typer.Option("--user", help="Only this person (e-mail).")] = None,
    from_: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD",
                                              help="First day (UTC), default now.")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How many days ahead.")] = 14,
) -> None:
    """Upcoming prompts with local and UTC time, and why any moved or was skipped."""
    try:
        start = _start_of(_from_day(from_))
    except typer.BadParameter as error:
        error.param_hint = "'--from'"
        raise
    config = settings()
    end = start + timedelta(days=days)
    rows = asyncio.run(_preview_rows(config, start, end, user))
    if rows is None:
        typer.echo(prompts.render("cadence/cli_unknown_user", email=user), err=True)
        raise typer.Exit(1)
    if isinstance(rows, str):  # marked as left: nothing planned, which is the answer
        typer.echo(rows)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(140, Console().width))
    if not rows:
        console.print(prompts.render("cadence/cli_nothing", start=start.date(), end=end.date(), user=user))
        return
    table = Table(title=prompts.render("cadence/cli_title", start=start.strftime("%Y-%m-%d %H:%M"),
                                       end=end.strftime("%Y-%m-%d %H:%M")))
    for header in ("person", "cadence", "local time", "UTC", "status", "reason"):
        table.add_column(prompts.render("cadence/cli_header", name=header))
    for row in rows:
        table.add_row(*row)
    console.print(table)


async def _preview_rows(config: Settings, start: datetime, end: datetime,
                        email: str | None) -> list[tuple[str, ...]] | str | None:
    """The preview's table rows; for an `email` nobody has, None, and for someone
    marked as left (nothing is planned for them), what to say instead."""
    from bot.cadence.meetings import one_on_one_meetings
    from bot.cadence.planner import plan_population
    from bot.cadence.population import load_population

    db = await ready_database(config)
    try:
        population = await load_population(db, start, email=email)
        if email is not None and not population.people:
            async with db.session() as session:
                person = await people.by_email(session, email)
                return None if person is None else has_left(person, "preview")
        slots = plan_population(population, start, end)
        meetings = await one_on_one_meetings(db, start, end, list(population.people))
        async with db.session() as session:
            stored = await occurrences.by_keys(session, [s.key for s in slots])
            # prompts no rule plans (a trade show's preparation and follow-up): as stored
            planned = set(stored) | {s.key for s in slots}
            others = [o for o in await occurrences.occurrences_between(session, start, end, list(population.people))
                      if o.key not in planned and o.kind not in (cadence.OKR_CHECKIN, cadence.WIG, "one_on_one")]
    finally:
        await db.dispose()
    # a 1:1 shows under the rep ("1:1 with Maria"), or under the manager when only the
    # manager is previewed ("1:1 with Ravi")
    shown_as: dict[int, tuple[store.PersonSchedule, str]] = {}
    for meeting in meetings:
        if meeting.rep_id in population.people:
            shown_as[id(meeting.slot)] = (population.people[meeting.rep_id], meeting.manager_name)
        elif meeting.manager_id in population.people:
            shown_as[id(meeting.slot)] = (population.people[meeting.manager_id], meeting.rep_name)
        else:
            continue
        slots.append(meeting.slot)
    slots.sort(key=lambda s: (s.effective, s.person_id, s.kind))
    rows: list[tuple[datetime, tuple[str, ...]]] = []
    for other_prompt in others:
        person = population.people[other_prompt.person_id]
        tz = cadence.zone(person.timezone)
        shown = other_prompt.due_at.astimezone(tz)
        rows.append((other_prompt.due_at, (
            person.email, prompts.render("cadence/prompt_title", kind=other_prompt.kind,
                                         event=(other_prompt.payload or {}).get("event", "")),
            f"{shown:%a %Y-%m-%d %H:%M} {shown.tzname()} ({tz.key})",
            f"{other_prompt.due_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            "due" if other_prompt.status == "pending" else other_prompt.status,
            _reason(other_prompt.reason) if other_prompt.reason else "",
        )))
    for slot in slots:
        person, other = shown_as.get(id(slot), (population.people.get(slot.person_id), ""))
        if person is None:
            continue
        tz = cadence.zone(person.timezone)
        effective, status, reason = slot.effective, slot.status, slot.reason
        record = stored.get(slot.key)
        if record is not None and record.status not in ("pending",):
            status = _status(status, record.status)
            reason = record.reason or reason
        elif record is not None and (record.reason or "").startswith(LATE):  # held after downtime
            effective, status, reason = record.due_at, "moved", record.reason
        shown = effective.astimezone(tz)
        rows.append((effective, (
            person.email, prompts.render("cadence/prompt_title", kind=slot.kind, manager=other),
            f"{shown:%a %Y-%m-%d %H:%M} {shown.tzname()} ({tz.key})",
            f"{effective.astimezone(UTC):%Y-%m-%d %H:%M}",
            status,
            " ".join(part for part in (
                _reason(reason) if reason else "",
                prompts.render("cadence/cli_was", nominal=f"{slot.nominal:%a %Y-%m-%d %H:%M}")
                if status != "due" else "",
            ) if part),
        )))
    rows.sort(key=lambda entry: entry[0])  # stable: slots keep their order
    return [row for _, row in rows]


def _status(planned: str, stored: str) -> str:
    """The preview's status: what is stored once it has happened ("delivered",
    "answered", "skipped"), said once when the plan agrees ("skipped", not "skipped /
    skipped") and after the plan's word when the plan moved it ("moved, delivered")."""
    if planned == stored or planned == "due":
        return stored
    return f"{planned}, {stored}"


KINDS = {"checkin": cadence.OKR_CHECKIN, "okr": cadence.OKR_CHECKIN, "okr_checkin": cadence.OKR_CHECKIN,
         "wig": cadence.WIG}
DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}


def _kind(name: str) -> str:
    kind = KINDS.get(name.strip().lower())
    if kind is None:
        raise typer.BadParameter(prompts.render("cadence/cli_bad_kind", name=name))
    return kind


# When a prompt set for the whole day's people is worth a word: before 07:00 or from
# 21:00 (HH:MM, compared as text) someone is probably asleep or off work.
WORKING_HOURS = ("07:00", "21:00")


@schedule_app.command("set")
def set_rule(
    kind: Annotated[str, typer.Argument(help="checkin or wig")],
    every: Annotated[int | None, typer.Option(min=1, max=4, help="Every N weeks (check-in default 2, WIG 1).")] = None,
    day: Annotated[str | None, typer.Option(help="Weekday: mon … sun (default: Tuesday / Monday).")] = None,
    at: Annotated[str | None, typer.Option(help="Local time HH:MM (default 09:30 / 09:00).")] = None,
    zone: Annotated[str | None, typer.Option(help="IANA zone; default: each person's own.")] = None,
    user: Annotated[str | None, typer.Option(help="Only this person (e-mail).")] = None,
    team: Annotated[str | None, typer.Option(help="A manager's e-mail: that manager's reps.")] = None,
    starting: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                      help="A day in an 'on' week (which weeks count).")] = None,
    off: Annotated[bool, typer.Option("--off", help="Switch this cadence off at this scope.")] = False,
) -> None:
    """Set a cadence for the organisation, one manager's team, or one person."""
    cadence_kind = _kind(kind)
    default_at = cadence.DEFAULTS[cadence_kind][1]
    checkin = cadence_kind == cadence.OKR_CHECKIN
    weeks = every or (2 if checkin else 1)
    byday = DAYS.get(day.strip().lower()[:3]) if day else ("TU" if checkin else "MO")
    if byday is None:
        raise typer.BadParameter(prompts.render("cadence/cli_bad_day", day=day))
    rrule = f"FREQ=WEEKLY;INTERVAL={weeks};BYDAY={byday}" if weeks > 1 else f"FREQ=WEEKLY;BYDAY={byday}"
    local_time = at or default_at.strftime("%H:%M")
    try:
        cadence.check_rule(rrule, local_time, zone)
        local_time = cadence.parse_local_time(local_time).strftime("%H:%M")
    except cadence.CadenceError as error:
        raise typer.BadParameter(str(error)) from None
    config = settings()
    done = asyncio.run(_save_rule(config, cadence_kind, rrule, local_time, zone, not off,
                                  starting.date() if starting else None, user, team))
    typer.echo(done)
    if not off and not WORKING_HOURS[0] <= local_time < WORKING_HOURS[1]:  # saved: the admin decides
        typer.echo(prompts.render("cadence/cli_night_time", at=local_time, day_start=WORKING_HOURS[0],
                                  day_end=WORKING_HOURS[1]))


async def _save_rule(config: Settings, kind: str, rrule: str, local_time: str, zone: str | None,
                     enabled: bool, anchor: date | None, user: str | None, team: str | None) -> str:
    from bot.cadence.planner import replan  # the planner: loaded by the commands that plan only

    db = await ready_database(config)
    try:
        async with db.session() as session:
            target = await people.by_email(session, user or team) if (user or team) else None
            if (user or team) and target is None:
                raise typer.BadParameter(prompts.render("cadence/cli_unknown_user", email=user or team))
            org = await people.only_org(session) if target is None else await people.get_org(session, target.org_id)
            if org is None:
                raise typer.BadParameter(prompts.render("cadence/cli_no_org"))
            await store.upsert_rule(session, org.id, kind, rrule, local_time, zone, enabled, anchor,  # type: ignore[arg-type]
                                    person_id=target.id if user and target else None,
                                    team_manager_id=target.id if team and target else None)
            everyone = await people.team(session, org.id)  # type: ignore[arg-type]
            affected = [p.id for p in everyone]
            gone = has_left(target, "rule") if user and target is not None and not target.active else ""
            stored = await store.cadence_rules(session, [org.id])  # type: ignore[list-item]
        await replan(db, affected)  # type: ignore[arg-type]
    finally:
        await db.dispose()
    scope = "person" if user else "team" if team else "org"
    rhythm = cadence.weekly_rhythm(rrule)
    saved = prompts.render("cadence/cli_rule_saved", kind=kind, rrule=rrule, rhythm=rhythm, at=local_time, zone=zone,
                           scope=scope, who=user or team or "", enabled=enabled)
    if enabled and rhythm is not None:
        off = _days_off(rhythm[1], _governed(everyone, stored, kind, target, scope))
        if off:
            saved = f"{saved}\n{prompts.render('cadence/cli_rule_day_off', off=off)}"
    return f"{saved}\n{gone}" if gone else saved


def _governed(everyone: Sequence[Person], stored: Sequence[CadenceRule], kind: str, target: Person | None,
              scope: str) -> list[Person]:
    """The active people a rule of `kind` saved at `scope` now applies to: the person;
    a manager's reps without a rule of their own; everyone without a person rule or a
    rule for their manager's team (`bot.cadence.population`: person beats team beats org)."""
    own = {r.person_id for r in stored if r.kind == kind and r.person_id is not None}
    teams = {r.team_manager_id for r in stored if r.kind == kind and r.team_manager_id is not None}
    if scope == "person":
        return [target] if target is not None and target.active else []
    return [p for p in everyone if p.active and p.id not in own
            and (p.manager_id == target.id if scope == "team" and target is not None  # type: ignore[union-attr]
                 else p.manager_id not in teams)]


def _days_off(days: Sequence[int], governed: Sequence[Person]) -> list[tuple[int, list[str]]]:
    """For each weekday of a rule (ISO), the e-mails of those who do not work that day."""
    found = [(day, [p.email for p in governed if day not in cadence.parse_working_days(p.working_days)])
             for day in days]
    return [(day, emails) for day, emails in found if emails]


@schedule_app.command("rules")
def list_rules() -> None:
    """The stored cadence rules (anything not listed uses the built-in defaults)."""
    config = settings()
    rows = asyncio.run(_rules(config))
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    if not rows:
        console.print(prompts.render("cadence/cli_no_rules"))
        return
    table = Table()
    for header in ("id", "scope", "cadence", "rule", "local time", "zone", "on"):
        table.add_column(prompts.render("cadence/cli_header", name=header))
    for row in rows:
        table.add_row(*row)
    console.print(table)


async def _rules(config: Settings) -> list[tuple[str, ...]]:

    db = await ready_database(config)
    try:
        async with db.session() as session:
            rules = await store.cadence_rules(session)
            emails = {}
            for rule in rules:
                for pid in (rule.person_id, rule.team_manager_id):
                    if pid is not None and pid not in emails:
                        person = await people.get(session, pid)
                        emails[pid] = person.email if person else f"#{pid}"
    finally:
        await db.dispose()
    out: list[tuple[str, ...]] = []
    for rule in rules:
        scope = (emails[rule.person_id] if rule.person_id is not None
                 else prompts.render("cadence/cli_team_of", email=emails[rule.team_manager_id])
                 if rule.team_manager_id is not None else prompts.render("cadence/cli_whole_org"))
        out.append((str(rule.id), scope, prompts.render("cadence/prompt_title", kind=rule.kind, manager=""),
                    prompts.render("cadence/cli_rule_words", rrule=rule.rrule, rhythm=cadence.weekly_rhythm(rule.rrule),
                                   anchor=rule.anchor_on), rule.local_time,
                    rule.timezone or "-", "yes" if rule.enabled else "off"))
    return out


@schedule_app.command("reset")
def reset_rule(rule_id: Annotated[int, typer.Argument(help="The id from `coachbot schedule rules`.")]) -> None:
    """Delete a stored rule: its scope falls back to the next one (team, org, default)."""
    config = settings()
    if not asyncio.run(_reset(config, rule_id)):
        typer.echo(prompts.render("cadence/cli_no_such_rule", id=rule_id), err=True)
        raise typer.Exit(1)
    typer.echo(prompts.render("cadence/cli_rule_reset", id=rule_id))


async def _reset(config: Settings, rule_id: int) -> bool:
    from bot.cadence.planner import replan

    db = await ready_database(config)
    try:
        async with db.session() as session:
            rule = await store.get_rule(session, rule_id)
            if rule is None:
                return False
            org_id = rule.org_id
            await store.delete_rule(session, rule_id, org_id)
            affected = [p.id for p in await people.team(session, org_id)]
        await replan(db, affected)  # type: ignore[arg-type]
    finally:
        await db.dispose()
    return True


def _reason(reason: str | None) -> str:
    """A stored reason code ("holiday:Christmas Day") in words."""
    return prompts.render("cadence/reason", reason=reason) if reason else ""
