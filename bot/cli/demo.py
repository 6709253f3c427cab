"""`coachbot demo`: the bot in the terminal with the sample team and a check-in due
right away, so a new user sees a prompt arrive without waiting two weeks.

A demo started again while the person still has a conversation open (a check-in left
half-way last time) plants no new prompt: a fresh "due now" prompt would take the next
answer ("2" for an open "At risk" read as "In 2 hours"). The open question is shown
again instead, so the answer goes where the person means it.

Likewise a demo prompt the last run planted but nobody started (the run was killed
before it arrived, or while it waited for "Start now"): no second one is planted, which
would mark the first missed; a delivered one is shown again (its card and buttons), a
pending or half-sent one is delivered by the first tick.

The introduction says what this run did: the first imports the team (and plants
sample key results); a later one finds the team already in the database and says it
is reused, with the key results from before, rather than "imported" again.

A demo ended (`quit`, Ctrl-D, Ctrl-C) with its check-in prompt not started puts the
prompt away (`storage.demo_prompts.withdraw`) and says so: left waiting, a later
`coachbot run` would nudge the person about it on Slack or Teams and then count it as
a missed check-in. The next demo offers the check-in again, as a fresh prompt.

`--as` a manager or admin plays that person, as they use coachbot: check-in prompts
go to reps, so none is planted for them; their reps get the sample key results
instead (a manager's view of the team is what there is to try), and the introduction
says what to try and which rep to play for the check-in itself."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

import prompts
from bot.cli.common import has_left, ready_database, settings
from bot.cli.team_file import read_team
from bot.core.clock import now
from bot.core.settings import Settings
from storage import console_cards, conversations, demo_prompts, okrs, people
from storage import occurrences as store
from storage.db import AsyncSession, Database
from storage.models import Person

# Shipped in the package (a link to examples/team.csv in the repository), so an
# installed wheel can run the demo from any directory.
SAMPLE_TEAM = Path(__file__).with_name("sample_team.csv")


def demo(
    as_: Annotated[str | None, typer.Option(
        "--as", help="E-mail or full name of the person you play (default: the first active rep by name); "
                     "a manager sees their team, a rep gets the check-in.")] = None,
    team: Annotated[Path, typer.Option(help="Team CSV to import when the database has no team "
                                       "(default: the sample team).")] = SAMPLE_TEAM,
    fresh: Annotated[bool, typer.Option("--fresh", help="Use a throw-away database (removed when the demo ends) "
                                        "instead of DATABASE_URL.")] = False,
) -> None:
    """Try coachbot in the terminal: as a rep, a check-in prompt arrives within a minute."""
    overrides: dict[str, str] = {}
    folder = tempfile.mkdtemp(prefix="coachbot-demo-") if fresh else None
    if folder is not None:
        overrides["database_url"] = f"sqlite:///{Path(folder) / 'demo.db'}"
    try:
        config = settings(**overrides)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_demo(config, team, as_, fresh))
    finally:
        if folder is not None:  # throw-away: demo after demo must not fill the temporary folder
            shutil.rmtree(folder, ignore_errors=True)


async def _demo(config: Settings, team_file: Path, email: str | None, fresh: bool = False) -> None:
    from bot import cadence  # the cadence, every feature and the console: loaded for the demo only
    from bot.channels.console import ConsoleChannel, stdin_lines
    from bot.core.flows import asked_again, open_question
    from bot.core.messages import Message
    from bot.runtime import running

    db = await ready_database(config)
    imported = planted_goals = False  # a demo run again reuses both, and says so
    planted_key: str | None = None  # the demo's check-in prompt, put away if the demo ends with it not started
    try:
        async with db.session() as session:
            org = await people.only_org(session)
            if org is None or not await people.team(session, org.id):  # type: ignore[arg-type]
                if not team_file.is_file():
                    typer.echo(prompts.render("cadence/cli_no_team_file", path=team_file), err=True)
                    raise typer.Exit(1)
                org = await people.ensure_org(session, "Default", config.timezone, config.country)
                rows = read_team(team_file.read_text(encoding="utf-8"), [])
                await people.upsert_team(session, org.id, rows)  # type: ignore[arg-type]
                imported = True
            everyone = await people.team(session, org.id)  # type: ignore[arg-type]
            # the person asked for (never someone else in their place), else the first active rep
            email = (email or "").strip() or None  # `--as " "` is no e-mail
            chosen = _named(everyone, email) if email else next(
                (p for p in everyone if p.role == "rep" and p.active), None)
            if chosen is None:
                typer.echo(prompts.render("cli/demo_unknown_person", given=email) if email
                           else prompts.render("cli/demo_no_rep"), err=True)
                raise typer.Exit(1)
            if not chosen.active:
                typer.echo(has_left(chosen, "demo"), err=True)
                raise typer.Exit(1)
            leads = chosen.role != "rep"  # a manager or admin: their team's view, no check-in of their own
            reps = _reps_of(chosen, everyone) if leads else [chosen]
            for rep in reps:
                planted_goals = await _plant_key_results(session, org.id, rep) or planted_goals  # type: ignore[arg-type]
            moment = now()
            local_day = moment.astimezone(cadence.zone(chosen.timezone)).date()
            left_open = await conversations.active(session, chosen.id)  # type: ignore[arg-type]
            waiting = open_question(left_open, local_day) if left_open is not None else None
            # a prompt the last run planted and nobody started (killed before or after it
            # arrived): reused, so it is neither marked missed nor doubled by a new one
            earlier = None if waiting is not None or leads else await store.waiting_adhoc(
                session, chosen.id, f"{cadence.OKR_CHECKIN}:{chosen.id}:demo-")  # type: ignore[arg-type]
            if earlier is not None:
                planted_key = earlier.key
            elif waiting is None and not leads:
                # due now: the scheduler's first tick, at start-up, delivers it; keyed to the
                # microsecond (the key is its card's: a run within the second must not find it clicked)
                planted_key = f"okr_checkin:{chosen.id}:demo-{moment:%Y%m%d%H%M%S%f}"
                await store.add_occurrence(session, planted_key, org.id, chosen.id,  # type: ignore[arg-type]
                                           cadence.OKR_CHECKIN, moment, local_day, {"demo": True})
    finally:
        await db.dispose()
    console = ConsoleChannel(person_id=chosen.id)
    if leads:
        rep = next((p for p in everyone if p.role == "rep" and p.active and p.manager_id == chosen.id), None) \
            or next((p for p in everyone if p.role == "rep" and p.active), None)
        typer.echo(prompts.render("cli/demo_manager_intro", name=chosen.name, email=chosen.email,
                                  database=config.database_url, open=waiting[0] if waiting else None,
                                  imported=imported, planted_goals=planted_goals, team=[p.name for p in reps],
                                  rep=rep, fresh=fresh))
    else:
        typer.echo(prompts.render("cadence/cli_demo_intro", name=chosen.name, email=chosen.email,
                                  database=config.database_url, open=waiting[0] if waiting else None,
                                  again=earlier is not None, imported=imported, planted_goals=planted_goals))
    shown = leads or waiting is not None or (earlier is not None and earlier.status == store.DELIVERED)
    try:
        async with running(config, extra=[console]) as runtime:
            console.db = runtime.coach.db  # the card's choices outlive this run (storage.console_cards)
            if waiting is not None and left_open is not None:  # the open question again, brought up to date
                console.show(await asked_again(runtime.coach, chosen, left_open, now()))  # the next answer is for it
            elif earlier is not None and earlier.status == store.DELIVERED:  # its card again, buttons and all
                kind = runtime.coach.features.prompt_kinds[earlier.kind]
                console.show(kind.draw(earlier, chosen.name, int((earlier.payload or {}).get("snoozes", 0))))
            for _ in range(0 if shown else 650):  # the first tick runs at start-up; never wait over a minute
                if console.sent:
                    break
                await asyncio.sleep(0.1)
            # the command that picks the open conversation up, typed first: no second banner
            told = Message(prompts.render("flows/common/resumed", current=waiting[0])) if waiting else None
            await console.converse(runtime.coach, chosen.id, stdin_lines(),  # type: ignore[arg-type]
                                   prompt="> " if sys.stdin.isatty() else "", told=told)
    finally:
        if planted_key is not None:  # after the timer stopped: nothing is sending it meanwhile
            await _put_away(config, planted_key, chosen.id)  # type: ignore[arg-type]


def _named(everyone: list[Person], given: str) -> Person | None:
    """The person `--as` names: by e-mail, else by full name when only one has it
    (case and spacing as typed do not matter)."""
    wanted = " ".join(given.split()).casefold()
    by_email = next((p for p in everyone if p.email.casefold() == wanted), None)
    if by_email is not None:
        return by_email
    named = [p for p in everyone if " ".join(p.name.split()).casefold() == wanted]
    return named[0] if len(named) == 1 else None


def _reps_of(lead: Person, everyone: list[Person]) -> list[Person]:
    """The active reps a manager's team view shows: their direct reports; for an
    admin with none, every active rep (an admin sees the whole organisation)."""
    reps = [p for p in everyone if p.role == "rep" and p.active]
    mine = [p for p in reps if p.manager_id == lead.id]
    return mine if mine or lead.role != "admin" else reps


async def _plant_key_results(session: AsyncSession, org_id: int, person: Person) -> bool:
    """The sample objective and its two key results for `person` when they have no
    objective yet; True when planted."""
    if (await okrs.objectives_for(session, [person.id])).get(person.id):  # type: ignore[list-item]
        return False
    words = {part: prompts.render("cli/demo_objective", part=part)
             for part in ("objective", "logos", "logos_unit", "pipeline")}
    sample = [{"title": words["logos"], "target": 12, "start": 3, "unit": words["logos_unit"]},
              {"title": words["pipeline"], "target": 800000, "start": 250000, "unit": "$"}]
    await okrs.create_objective(session, org_id, person.id, words["objective"],  # type: ignore[arg-type]
                                str(now().year), 1, sample)
    return True


async def _put_away(config: Settings, key: str, person_id: int) -> None:
    """The demo ended: its check-in prompt, if not started, is withdrawn (and the
    terminal card that showed it forgotten), and the person is told the next demo
    offers it again."""
    db = Database(config.database_url)
    try:
        async with db.session() as session:
            if not await demo_prompts.withdraw(session, key):
                return
            card = await console_cards.latest(session, person_id, now())
            if card is not None and all(value.startswith("cadence:") for _, value, _ in card.choices):
                await console_cards.forget(session, person_id)
    finally:
        await db.dispose()
    typer.echo(prompts.render("cli/demo_put_away"))
