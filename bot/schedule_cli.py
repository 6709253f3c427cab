"""`coachbot schedule preview` and `coachbot demo`.

The preview computes the same slots the dispatcher would (the same code path, without
writing anything) and shows each with its local and UTC time, what happened to it if
it is already stored, and why a prompt moved or was skipped. The demo starts the bot in
the terminal with the sample team and a check-in due right away, so a new user sees a
prompt arrive without waiting two weeks.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import prompts
from bot import cadence
from bot.clock import now
from bot.settings import Settings, SettingsError

schedule_app = typer.Typer(help="Cadences: see who gets which prompt when, and why.", no_args_is_help=True)

SAMPLE_TEAM = Path(__file__).resolve().parents[1] / "examples" / "team.csv"


def _settings(**overrides: str) -> Settings:
    try:
        config = Settings.from_env()
    except SettingsError as error:
        typer.echo(prompts.render("cadence/cli_config_error", error=str(error)), err=True)
        raise typer.Exit(2) from None
    if overrides:
        from dataclasses import replace

        config = replace(config, **overrides)
    return config


def _start_of(day: date | None) -> datetime:
    if day is None:
        return now()
    return datetime.combine(day, time.min, tzinfo=UTC)


@schedule_app.command("preview")
def preview(
    user: Annotated[str | None, typer.Option("--user", help="Only this person (e-mail).")] = None,
    from_: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"],
                                                   help="First day (UTC), default now.")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How many days ahead.")] = 14,
) -> None:
    """Upcoming prompts with local and UTC time, and why any moved or was skipped."""
    config = _settings()
    start = _start_of(from_.date() if from_ is not None else None)
    end = start + timedelta(days=days)
    rows = asyncio.run(_preview_rows(config, start, end, user))
    if rows is None:
        typer.echo(prompts.render("cadence/cli_unknown_user", email=user), err=True)
        raise typer.Exit(1)
    console = Console(width=max(140, Console().width))
    if not rows:
        console.print(prompts.render("cadence/cli_nothing", start=start.date(), end=end.date()))
        return
    table = Table(title=prompts.render("cadence/cli_title", start=start.strftime("%Y-%m-%d %H:%M"),
                                       end=end.strftime("%Y-%m-%d %H:%M")))
    for header in ("person", "cadence", "local time", "UTC", "status", "reason"):
        table.add_column(prompts.render("cadence/cli_header", name=header))
    for row in rows:
        table.add_row(*row)
    console.print(table)


async def _preview_rows(config: Settings, start: datetime, end: datetime,
                        email: str | None) -> list[tuple[str, ...]] | None:
    from bot.checkins import describe_reason
    from bot.scheduler import load_population, one_on_one_meetings, plan_population
    from storage import schedule as store
    from storage.db import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, config.database_url)
    db = Database(config.database_url)
    try:
        population = await load_population(db, start, email=email)
        if email is not None and not population.people:
            return None
        slots = plan_population(population, start, end)
        meetings = await one_on_one_meetings(db, start, end, list(population.people))
        async with db.session() as session:
            stored = await store.by_keys(session, [s.key for s in slots])
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
    rows: list[tuple[str, ...]] = []
    for slot in slots:
        person, other = shown_as.get(id(slot), (population.people.get(slot.person_id), ""))
        if person is None:
            continue
        tz = cadence.zone(person.timezone)
        shown = slot.effective.astimezone(tz)
        status = slot.status
        reason = slot.reason
        record = stored.get(slot.key)
        if record is not None and record.status not in ("pending",):
            status = f"{status} / {record.status}"
            reason = record.reason or reason
        rows.append((
            person.email, prompts.render("cadence/prompt_title", kind=slot.kind, manager=other),
            f"{shown:%a %Y-%m-%d %H:%M} {shown.tzname()} ({tz.key})",
            f"{slot.effective:%Y-%m-%d %H:%M}",
            status,
            " ".join(part for part in (
                describe_reason(reason) if reason else "",
                prompts.render("cadence/cli_was", nominal=f"{slot.nominal:%a %Y-%m-%d %H:%M}")
                if slot.status != "due" else "",
            ) if part),
        ))
    return rows


KINDS = {"checkin": cadence.OKR_CHECKIN, "okr": cadence.OKR_CHECKIN, "okr_checkin": cadence.OKR_CHECKIN,
         "wig": cadence.WIG}
DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}


def _kind(name: str) -> str:
    kind = KINDS.get(name.strip().lower())
    if kind is None:
        raise typer.BadParameter(prompts.render("cadence/cli_bad_kind", name=name))
    return kind


@schedule_app.command("set")
def set_rule(
    kind: Annotated[str, typer.Argument(help="checkin or wig")],
    every: Annotated[int | None, typer.Option(min=1, max=4, help="Every N weeks (check-in default 2, WIG 1).")] = None,
    day: Annotated[str | None, typer.Option(help="Weekday: mon … sun (default: Tuesday / Monday).")] = None,
    at: Annotated[str | None, typer.Option(help="Local time HH:MM (default 09:30 / 09:00).")] = None,
    zone: Annotated[str | None, typer.Option(help="IANA zone; default: each person's own.")] = None,
    user: Annotated[str | None, typer.Option(help="Only this person (e-mail).")] = None,
    team: Annotated[str | None, typer.Option(help="A manager's e-mail: that manager's reps.")] = None,
    starting: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                      help="A day in an 'on' week (which weeks count).")] = None,
    off: Annotated[bool, typer.Option(help="Switch this cadence off at this scope.")] = False,
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
    config = _settings()
    done = asyncio.run(_save_rule(config, cadence_kind, rrule, local_time, zone, not off,
                                  starting.date() if starting else None, user, team))
    typer.echo(done)


async def _save_rule(config: Settings, kind: str, rrule: str, local_time: str, zone: str | None,
                     enabled: bool, anchor: date | None, user: str | None, team: str | None) -> str:
    from bot.scheduler import replan
    from storage import people
    from storage import schedule as store
    from storage.db import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, config.database_url)
    db = Database(config.database_url)
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
            affected = [p.id for p in await people.team(session, org.id)]  # type: ignore[arg-type]
        await replan(db, affected)  # type: ignore[arg-type]
    finally:
        await db.dispose()
    scope = "person" if user else "team" if team else "org"
    return prompts.render("cadence/cli_rule_saved", kind=kind, rrule=rrule, at=local_time, zone=zone,
                          scope=scope, who=user or team or "", enabled=enabled)


@schedule_app.command("rules")
def list_rules() -> None:
    """The stored cadence rules (anything not listed uses the built-in defaults)."""
    config = _settings()
    rows = asyncio.run(_rules(config))
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
    from storage import people
    from storage import schedule as store
    from storage.db import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, config.database_url)
    db = Database(config.database_url)
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
                    rule.rrule + (f" (from {rule.anchor_on})" if rule.anchor_on else ""), rule.local_time,
                    rule.timezone or "-", "yes" if rule.enabled else "off"))
    return out


@schedule_app.command("reset")
def reset_rule(rule_id: Annotated[int, typer.Argument(help="The id from `coachbot schedule rules`.")]) -> None:
    """Delete a stored rule: its scope falls back to the next one (team, org, default)."""
    config = _settings()
    if not asyncio.run(_reset(config, rule_id)):
        typer.echo(prompts.render("cadence/cli_no_such_rule", id=rule_id), err=True)
        raise typer.Exit(1)
    typer.echo(prompts.render("cadence/cli_rule_reset", id=rule_id))


async def _reset(config: Settings, rule_id: int) -> bool:
    from bot.scheduler import replan
    from storage import people
    from storage import schedule as store
    from storage.db import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, config.database_url)
    db = Database(config.database_url)
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


def demo(
    as_: Annotated[str | None, typer.Option("--as", help="E-mail of the rep you play (default: first rep).")] = None,
    team: Annotated[Path, typer.Option(help="Team CSV to import when the database has no team.")] = SAMPLE_TEAM,
    fresh: Annotated[bool, typer.Option(help="Use a throw-away database instead of DATABASE_URL.")] = False,
) -> None:
    """Try coachbot in the terminal: a check-in prompt arrives right away."""
    overrides: dict[str, str] = {}
    if fresh:
        folder = tempfile.mkdtemp(prefix="coachbot-demo-")
        overrides["database_url"] = f"sqlite:///{Path(folder) / 'demo.db'}"
    config = _settings(**overrides)
    if not team.is_file():
        typer.echo(prompts.render("cadence/cli_no_team_file", path=team), err=True)
        raise typer.Exit(1)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_demo(config, team, as_))


async def _demo(config: Settings, team_file: Path, email: str | None) -> None:
    from bot.channels.console import ConsoleChannel, stdin_lines
    from bot.runtime import running
    from bot.team import read_team
    from storage import okrs, people
    from storage import schedule as store
    from storage.db import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, config.database_url)
    db = Database(config.database_url)
    try:
        async with db.session() as session:
            org = await people.only_org(session)
            if org is None or not await people.team(session, org.id):  # type: ignore[arg-type]
                org = await people.ensure_org(session, "Default", config.timezone, config.country)
                rows = read_team(team_file.read_text(encoding="utf-8"), [])
                await people.upsert_team(session, org.id, rows)  # type: ignore[arg-type]
            everyone = await people.team(session, org.id)  # type: ignore[arg-type]
            reps = [p for p in everyone if p.role == "rep"]
            chosen = next((p for p in everyone if email and p.email.lower() == email.lower()),
                          reps[0] if reps else None)
            if chosen is None:
                typer.echo(prompts.render("cadence/cli_unknown_user", email=email or "?"), err=True)
                raise typer.Exit(1)
            if not (await okrs.objectives_for(session, [chosen.id])).get(chosen.id):  # type: ignore[list-item]
                sample = [{"title": "New logos signed", "target": 12, "start": 3, "unit": "logos"},
                          {"title": "Qualified pipeline", "target": 800000, "start": 250000, "unit": "$"}]
                await okrs.create_objective(session, org.id, chosen.id, "Grow new business",  # type: ignore[arg-type]
                                            str(now().year), 1, sample)
            moment = now()
            local_day = moment.astimezone(cadence.zone(chosen.timezone)).date()
            # due now: the scheduler's first tick, at start-up, delivers it
            await store.add_occurrence(session, f"okr_checkin:{chosen.id}:demo-{moment:%Y%m%d%H%M%S}",
                                       org.id, chosen.id, cadence.OKR_CHECKIN, moment,  # type: ignore[arg-type]
                                       local_day, {"demo": True})
    finally:
        await db.dispose()
    console = ConsoleChannel(person_id=chosen.id)
    typer.echo(prompts.render("cadence/cli_demo_intro", name=chosen.name, email=chosen.email,
                              database=config.database_url))
    async with running(config, extra=[console]) as runtime:
        for _ in range(650):  # the first tick runs at start-up; never wait over a minute
            if console.sent:
                break
            await asyncio.sleep(0.1)
        if sys.stdin.isatty():
            sys.stdout.write("> ")
            sys.stdout.flush()
        await console.converse(runtime.coach, chosen.id, stdin_lines(),  # type: ignore[arg-type]
                               prompt="> " if sys.stdin.isatty() else "")
