"""The brief a manager reads before a one-on-one: `/okr brief @rep` on demand, and
the same brief delivered once per meeting before it (`one_on_ones.py` decides when).

A brief is a header (when, the rep's agenda) and the sections every feature
registered with `Feature.brief_section`, in feature order; this module contributes
the data-driven ones: key results now versus at the last one-on-one, the cadence
record, WIG commitments and lead measures, blockers, discovery notes, salary
follow-ups (the manager's own brief only), open action items, three coaching
questions and one chart. Who may read a brief: `may_read`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import prompts
from bot.cadence import Calendar, localise
from bot.core.clock import local_day, zone
from bot.core.coach import Coach, Turn
from bot.core.feature import LEADERS, OWN_MANAGER, Feature
from bot.core.messages import Message, Progress
from bot.core.people import first_name
from bot.features import coaching
from bot.features.access import left_note, own_report_example
from bot.features.brief_data import BriefData, gather, gather_many
from conversations.validators import find_person
from storage import conversations, people
from storage.models import Meeting, Person

feature = Feature("briefs")

WORKING_HOURS = (time(8, 0), time(18, 0))
LATEST_START = time(17, 0)  # a brief moved out of the night arrives at 17:00 the working day before
# (viewer id, rep id) -> figures already read for the briefs being built (build_briefs)
PREFETCHED: ContextVar[dict[tuple[int, int], BriefData] | None] = ContextVar("brief_figures", default=None)


def brief_time(meeting_at: datetime, minutes_before: int, manager: Calendar) -> datetime:
    """When a brief goes out: `minutes_before` the meeting, moved *earlier* into the
    manager's working hours (08:00–18:00 their zone, on an available day) when that
    would be at night, on a day off or on a holiday; never after the meeting."""
    tz = manager.zone
    moment = (meeting_at - timedelta(minutes=minutes_before)).astimezone(tz)
    for _ in range(30):
        day = moment.date()
        if manager.day_off(day) is not None or moment.time() < WORKING_HOURS[0]:
            moment = localise(datetime.combine(day - timedelta(days=1), LATEST_START), tz)
            continue
        if moment.time() >= WORKING_HOURS[1]:
            moment = localise(datetime.combine(day, LATEST_START), tz)
            continue
        break
    return min(moment, meeting_at).astimezone(meeting_at.tzinfo)


def may_read(viewer: Person, rep: Person, manager_of_rep: Person | None, skip_level: bool) -> bool:
    """A brief (and a rep's notes and private answers) is for the rep's manager; the
    manager's manager too where the organisation allows it
    (COACHBOT_SKIP_LEVEL_BRIEFS). Nobody else: not the rep, a peer, an admin, or
    anyone in another organisation."""
    if viewer.org_id != rep.org_id or viewer.id == rep.id or not viewer.active:
        return False
    if rep.manager_id == viewer.id:
        return True
    return bool(skip_level and manager_of_rep is not None and manager_of_rep.manager_id == viewer.id)


async def build_brief(coach: Coach, viewer: Person, rep: Person, now: datetime,
                      meeting: Meeting | None = None) -> list[Message]:
    """The whole brief for `viewer` about `rep`, as of `now`."""
    return (await build_briefs(coach, [(viewer, rep, meeting)], now))[0]


async def build_briefs(coach: Coach, requests: Sequence[tuple[Person, Person, Meeting | None]],
                       now: datetime) -> list[list[Message]]:
    """The briefs of many (viewer, rep, meeting or None) as of `now`, their figures
    read together (brief_data.gather_many: one query per kind of figure, not per
    rep) and handed to the data-driven section through PREFETCHED."""
    befores = {rep.id: meeting.starts_at if meeting else now for _, rep, meeting in requests}
    datas = await gather_many(coach.db, [(viewer, rep, None) for viewer, rep, _ in requests], now,
                              befores=befores)  # type: ignore[arg-type]
    token = PREFETCHED.set({(viewer.id, rep.id): data for (viewer, rep, _), data in zip(requests, datas, strict=True)})  # type: ignore[misc]
    try:
        return [await _compose(coach, viewer, rep, data.last_meeting, now, meeting)
                for (viewer, rep, meeting), data in zip(requests, datas, strict=True)]
    finally:
        PREFETCHED.reset(token)


async def _compose(coach: Coach, viewer: Person, rep: Person, since: datetime | None, now: datetime,
                   meeting: Meeting | None) -> list[Message]:
    when = meeting.starts_at.astimezone(viewer_zone(viewer)).strftime("%a %d %b, %H:%M") if meeting else None
    out = [Message(prompts.render("one_on_ones/brief_header", rep=rep.name, when=when,
                                  since=since.astimezone(viewer_zone(viewer)).strftime("%d %b") if since else None,
                                  topics=(meeting.agenda or {}).get("topics", []) if meeting else []),
                   title=prompts.render("one_on_ones/brief_title", rep=rep.name))]
    for section in coach.features.brief:
        out.extend(await section(coach, viewer, rep, since, now))
    return out


def viewer_zone(person: Person) -> ZoneInfo:
    return zone(person.timezone)


def _section(name: str, text: str, **extra: object) -> Message:
    return Message(text, title=prompts.render("one_on_ones/section_title", section=name), **extra)  # type: ignore[arg-type]


@feature.brief_section
async def data_sections(coach: Coach, viewer: Person, rep: Person, since: datetime | None,
                        now: datetime) -> list[Message]:
    """The data-driven sections, from one read of the figures (brief_data.gather)."""
    data = (PREFETCHED.get() or {}).get((viewer.id, rep.id)) or await gather(coach.db, viewer, rep, since, now)  # type: ignore[arg-type]
    # action items agreed with the rep's current manager only: a previous manager's stay theirs
    data.items = [i for i in data.items if i.manager_id == rep.manager_id]
    krs = data.key_results
    out = [
        _section("key_results",
                 prompts.render("one_on_ones/brief_krs", krs=krs, since=local_day(data.since, viewer.timezone)),
                 progress=[Progress(k["title"], k["progress"] if k["now"] is not None else None,
                                    prompts.render("one_on_ones/brief_kr_caption", kr=k))
                           for k in krs[:10]]),
        _section("record", prompts.render("one_on_ones/brief_record", record=data.record, absences=data.absences)),
        _section("wig", prompts.render("one_on_ones/brief_wig", made=data.made, kept=data.kept,
                                       measures=data.measures)),
        _section("blockers", prompts.render("one_on_ones/brief_blockers", blockers=data.blockers,
                                            earlier=data.earlier_change, earlier_did=data.earlier_did)),
        _section("discovery", prompts.render("one_on_ones/brief_discovery", notes=data.discovery)),
    ]
    if viewer.id == rep.manager_id and data.salary:  # the manager's own brief only
        out.append(_section("salary", prompts.render("one_on_ones/brief_salary", dates=data.salary)))
    owners = {**data.owners, viewer.id: viewer.name, rep.id: rep.name}
    out.append(_section("items", prompts.render("one_on_ones/brief_items", items=data.items, owners=owners)))
    questions = coaching.choose(data.metrics(), first_name(rep.name))
    out.append(_section("questions", prompts.render("one_on_ones/brief_questions", questions=questions)))
    from bot.features import brief_chart  # matplotlib: ~1 s of start-up, so loaded on first use (see runtime.warm_up)

    chart = brief_chart.draw(krs, data.history, now, rep.name)
    if chart is not None:
        out.append(Message("", image=chart))
    return out


async def find_rep(turn: Turn, args: str) -> Person | None:
    """The person `args` names, if the asker may read their brief."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
        found = find_person(args, directory) if args.strip() else None
        rep = await people.get(session, found["id"]) if found else None
        boss = await people.get(session, rep.manager_id) if rep is not None and rep.manager_id else None
    if rep is None or not may_read(turn.person, rep, boss, turn.coach.settings.skip_level_briefs):
        return None
    return rep


@feature.command("brief", "/okr brief @rep", LEADERS, OWN_MANAGER)
async def brief_command(turn: Turn, args: str) -> list[Message]:
    """/okr brief @rep: the brief for the next one-on-one with a direct report, now."""
    if not args.strip():
        return [Message(prompts.render("one_on_ones/brief_usage"), private=True)]
    rep = await find_rep(turn, args)
    if rep is None:
        left = await left_note(turn, args)
        return [left or Message(prompts.render("one_on_ones/brief_refused", given=args.strip(),
                                               example=await own_report_example(turn)), private=True)]
    shown = await build_brief(turn.coach, turn.person, rep, turn.now)
    for message in shown:
        message.private = True
    return shown


__all__ = ["brief_time", "build_brief", "build_briefs", "feature", "may_read"]
