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
