"""The team scorecard (4DX's third discipline: a compelling scorecard): `/okr
scorecard`, the channel it is posted to each week (`/okr scorecard here`), the weekly
post after the WIG sessions close, and its thread for everything else that week
(late answers, the manager's comments), so the channel gets one post a week.

What goes to a channel is only what the whole team may see: names, the WIG's lag
measure against pace, lead-measure numbers against targets and how many commitments
were kept. Never commitment texts, blockers, salary or notes.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta

import prompts
from bot.core.channel import Place
from bot.core.clock import local_day, now, zone
from bot.core.coach import Coach, Turn
from bot.core.feature import EVERYONE, LEADERS, Feature
from bot.core.messages import Image, Message
from bot.core.people import first_name
from bot.features.chart import scorecard_png
from bot.features.pace import commitments_kept, measure_lines, reading_day, standing
from bot.features.weeks import own_start, session_weeks, team_lead, week_of, week_span, week_start_of
from conversations.locales import ascii_digits
from storage import people
from storage import scorecard as store
from storage.models import Person

log = logging.getLogger(__name__)

feature = Feature("scorecard")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AT = re.compile(r"^(?P<day>[a-z]+)\s+(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?$", re.IGNORECASE)


async def scorecard_messages(coach: Coach, manager_id: int, week: date, today: date,
                             leader: bool, chart: bool = True, timezone: str | None = None,
                             week_start: int = 1, at: datetime | None = None) -> list[Message]:
    """The team scorecard for the week (stored by its ISO Monday; its title and the
    lead measures name it, dated as the reader's own week, which starts on ISO weekday
    `week_start`, and as this or last week from `today`, the reader's local day in
    `timezone`: `bot.features.weeks.week_span`): WIGs winning or losing against pace as they stand
    at the instant `at` (now by default), each WIG line naming the reader's local day of its latest
    reading (it may be after the scored week: the lag measure read at Monday's session of last
    week), each lead measure per rep and for the team with its 4-week trend, kept commitments, and
    a chart. The pace is the team manager's, on their local day (`pace.standing`), so everyone
    reading the card at one moment sees one pace. Safe for a team channel (nothing private in it)."""
    async with coach.db.session() as session:
        data = await store.team_weeks(session, manager_id, week)
        manager = await people.get(session, manager_id)
    owner_zone = manager.timezone if manager is not None else timezone
    owner_today = local_day(at or now(), owner_zone) if manager is not None else today
    standings = [standing(w, data.readings.get(w.id, []), owner_today, owner_zone)  # type: ignore[arg-type]
                 for w in data.wigs]
    read_days = {w.id: reading_day(found[-1], timezone) for w in data.wigs  # the reader's calendar names the day
               if (found := data.readings.get(w.id))}  # type: ignore[arg-type]
    lines = measure_lines(data)
    kept, made = commitments_kept(data)
    readings = {w.id: len(data.readings.get(w.id, [])) for w in data.wigs}  # type: ignore[arg-type]
    values = dict(standings=standings, lines=lines, kept=kept, made=made, leader=leader, readings=readings,
                  span=week_span(week, today, week_start), today=today, read_days=read_days)
    image = None
    if chart and data.wigs:
        image = Image(scorecard_png(data.wigs, data.readings, lines, owner_today),
                      prompts.render("scorecard/alt", **values), filename=f"scorecard-{week}.png")
    return [Message(prompts.render("scorecard/card", **values), image=image,
                    title=prompts.render("scorecard/title", span=values["span"]))]


@feature.command("scorecard", "/okr scorecard [here | at DAY HH:MM | comment TEXT]", EVERYONE)
async def scorecard_command(turn: Turn, args: str) -> list[Message]:
    """`/okr scorecard`: the team's; `here`, `at`, `comment`: the manager's channel."""
    verb, _, rest = args.strip().partition(" ")
    verb = verb.lower()
    leader = turn.person.role in LEADERS
    if verb == "":
        today = local_day(turn.now, turn.person.timezone)
        found = await scorecard_messages(turn.coach, team_lead(turn.person), session_weeks(today)[0], today, leader,
                                         timezone=turn.person.timezone, week_start=week_start_of(turn.person))
        for message in found:
            message.private = True
        return found
    if not leader:
        return [_help("leaders_only")]
    if verb == "here":
        return [await _connect(turn)]
    if verb == "at":
        return [await _schedule(turn, rest.strip())]
    if verb == "comment":
        if not rest.strip():
            return [_help("comment")]
        text = prompts.render("scorecard/comment", name=first_name(turn.person.name), text=rest.strip())
        return [await _in_thread(turn, [Message(text)])]
    return [_help("")]


def _help(problem: str, detail: str = "") -> Message:
    return Message(prompts.render("scorecard/help", problem=problem, detail=detail), private=True)


async def _connect(turn: Turn) -> Message:
    place = turn.event.place
    if place is None:
        return _help("not_shared")
    async with turn.db.session() as session:
        connected = await store.connect_channel(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                                place.platform, place.channel, place.tenant)
    return _connected("here", turn.person, connected.weekday, connected.local_time, place.platform)


def _connected(kind: str, person: Person, weekday: int, local_time: str, platform: str = "") -> Message:
    return Message(prompts.render("scorecard/connected", kind=kind, weekday=WEEKDAYS[weekday - 1].title(),
                                  time=local_time, zone=person.timezone, platform=platform), private=True)


async def _schedule(turn: Turn, text: str) -> Message:
    """`at Tuesday 12:00`: when the week's post goes out, in the manager's zone
    (digits of other scripts read as digits)."""
    match = _AT.match(ascii_digits(text))
    day = next((i + 1 for i, d in enumerate(WEEKDAYS) if match and d.startswith(match.group("day").lower())
                and len(match.group("day")) >= 2), None)
    hour, minute = (int(match.group("h")), int(match.group("m") or 0)) if match else (99, 0)
    if match is None or day is None or hour > 23 or minute > 59:
        return _help("when", text)
    async with turn.db.session() as session:
        connected = await store.schedule_channel(session, turn.person.id, day, f"{hour:02d}:{minute:02d}")  # type: ignore[arg-type]
    if connected is None:
        return _help("no_channel")
    return _connected("at", turn.person, day, f"{hour:02d}:{minute:02d}")


async def _in_thread(turn: Turn, messages: list[Message]) -> Message:
    """Post in the thread of the team's latest scorecard post."""
    async with turn.db.session() as session:
        connected = await store.channel_of(session, turn.person.id)  # type: ignore[arg-type]
        post = await store.latest_post(session, turn.person.id)  # type: ignore[arg-type]
    if connected is None:
        return _help("no_channel")
    if post is None:
        return _help("no_post")
    try:
        await turn.coach.post_to(Place(post.platform, post.channel_ref, connected.tenant), messages,
                                 post.thread_ref)
    except Exception as error:  # a refusal or a timeout: said to the manager, not lost silently
        return Message(prompts.render("scorecard/sent", ok=False, reason=str(error)), private=True)
    return Message(prompts.render("scorecard/sent", ok=True), private=True)


async def late_answer(coach: Coach, person: Person, report_week: date,
                      numbers: list[tuple[str, float, float]]) -> None:
    """A WIG session answered after the week's scorecard went out: its lead-measure
    numbers (title, value, target) go in the post's thread. Failure is logged only:
    the answer is already stored and counts on next week's scorecard."""
    async with coach.db.session() as session:
        post = await store.week_post(session, team_lead(person), report_week)
        connected = await store.channel_of(session, team_lead(person))
    if post is None or connected is None:
        return
    text = prompts.render("scorecard/late", name=first_name(person.name), numbers=numbers,
                          week=own_start(report_week, week_start_of(person)).strftime("%d %b %Y"))
    try:
        await coach.post_to(Place(post.platform, post.channel_ref, connected.tenant), [Message(text)],
                            post.thread_ref)
    except Exception as error:
        log.warning("late WIG answer of person %s not posted: %s", person.id, error)


def due_at(weekday: int, local_time: str, today: date, timezone: str | None,
           week_start: int = 1) -> tuple[date, datetime]:
    """(the week to post, as its ISO Monday; the instant to post it): last week's
    scorecard goes out on this week's `weekday` (ISO) at `local_time` in the manager's
    zone, both weeks counted in the manager's own week, which starts on ISO weekday
    `week_start` (`bot.features.weeks.week_start_of`). So a Sunday–Thursday team that
    posts on Sunday afternoon shows the week its reps reported on that morning
    (`session_weeks`), and a Monday–Friday team the ISO week before. DST-safe: the
    local wall time is kept, the UTC instant moves."""
    first = today - timedelta(days=(today.isoweekday() - week_start) % 7)  # this own week's first day
    week = week_of(first - timedelta(days=7), week_start)
    hour, minute = (int(part) for part in local_time.split(":"))
    day = first + timedelta(days=(weekday - week_start) % 7)
    return week, datetime.combine(day, time(hour, minute), zone(timezone))


@feature.job("post team scorecards", every=timedelta(minutes=15))
async def post_scorecards(coach: Coach, at: datetime | None = None) -> int:
    """Post each connected team's scorecard once its time has come this week. The post
    is claimed in the database first (one per team and week, whatever the number of
    processes); a refused post gives the claim back so the next run retries."""
    moment = at or now()
    async with coach.db.session() as session:
        connected = await store.channels(session)
        managers = {c.manager_id: await people.get(session, c.manager_id) for c in connected}
    posted = 0
    for channel in connected:
        manager = managers.get(channel.manager_id)
        if manager is None or not manager.active:
            continue
        today = local_day(moment, manager.timezone)
        start = week_start_of(manager)
        week, due = due_at(channel.weekday, channel.local_time, today, manager.timezone, start)
        if moment < due:
            continue
        async with coach.db.session() as session:
            claim = await store.claim_post(session, channel, week)
        if claim is None:
            continue
        messages = await scorecard_messages(coach, manager.id, week, today, leader=False,  # type: ignore[arg-type]
                                            timezone=manager.timezone, week_start=start, at=moment)
        try:
            thread = await coach.post_to(Place(channel.platform, channel.channel_ref, channel.tenant), messages)
        except Exception as error:  # DeliveryError, a timeout: retried next run
            log.warning("scorecard of team %s not posted: %s", manager.id, error)
            async with coach.db.session() as session:
                await store.release_post(session, claim)
            continue
        async with coach.db.session() as session:
            await store.record_thread(session, claim, thread)
        posted += 1
    return posted
