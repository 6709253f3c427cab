"""The people side of cadences: the prompt a rep receives, the answers to it (start,
later, snooze 2h, tomorrow, skip), `/okr checkin`, `/okr wig`, `/okr snooze`,
`/okr out`, and the end actions of the check-in and WIG conversations.

The scheduler decides *when*; this module decides *what is said* and *what an answer
does*. Every sentence is a template under `prompts/cadence/`.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import prompts
from bot import cadence
from bot.cadence import OKR_CHECKIN, WIG
from bot.dialogs import action, start_flow
from bot.messages import Choice, Message
from storage import checkins as checkin_store
from storage import people
from storage import schedule as store
from storage import wig as wig_store
from storage.models import Occurrence, Person

if TYPE_CHECKING:
    from bot.coach import Turn

log = logging.getLogger(__name__)

FLOWS = {OKR_CHECKIN: "okr_checkin", WIG: "wig_session"}
LATER = timedelta(hours=2)
ACTION_PREFIX = "cadence:"


# --- what the scheduler sends -----------------------------------------------------------


@cache
def _label(value: str) -> str:
    return prompts.render("cadence/label", value=value)


def _choices(occurrence_id: int) -> list[Choice]:
    values = (("start", "primary"), ("later", "default"), ("tomorrow", "default"), ("skip", "danger"))
    return [Choice(_label(value), f"{ACTION_PREFIX}{value}:{occurrence_id}", style)  # type: ignore[arg-type]
            for value, style in values]


def first_name(name: str) -> str:
    return (name or "").split(" ")[0] or name


def prompt_messages(occurrence: Occurrence, name: str, repeat: int = 0) -> list[Message]:
    """The prompt card: why now, what it takes, and the four ways to answer it."""
    template = "cadence/prompt_okr_checkin" if occurrence.kind == OKR_CHECKIN else "cadence/prompt_wig"
    return [Message(
        prompts.render(template, name=first_name(name), repeat=repeat),
        title=prompts.render("cadence/prompt_title", kind=occurrence.kind),
        choices=_choices(occurrence.id),  # type: ignore[arg-type]
        key=occurrence.key,
    )]


def nudge_messages(occurrence: Occurrence, name: str, timezone: str | None = None) -> list[Message]:
    """The one reminder of an unanswered prompt; its day is the person's own, not UTC's."""
    when = (occurrence.delivered_at or occurrence.due_at).astimezone(cadence.zone(timezone))
    return [Message(
        prompts.render("cadence/nudge", name=first_name(name), kind=occurrence.kind,
                       when=when.strftime("%a %d %b")),
        choices=_choices(occurrence.id),  # type: ignore[arg-type]
        key=f"{occurrence.key}:nudge",
    )]


def delivery_failed_messages(name: str, email: str, kind: str, problem: str) -> list[Message]:
    return [Message(prompts.render("cadence/delivery_failed", name=name, email=email, kind=kind,
                                   problem=problem))]


def describe_reason(reason: str | None) -> str:
    """A stored reason code ("holiday:Christmas Day") in words, for people and the CLI."""
    return prompts.render("cadence/reason", reason=reason) if reason else ""


def local_label(moment: datetime, tz: str, today: date | None = None) -> str:
    """"today 14:30", "tomorrow 09:30" or "Wed 25 Nov 09:30" in the person's zone."""
    local = moment.astimezone(cadence.zone(tz))
    if today is not None and local.date() == today:
        return prompts.render("cadence/when", day="today", at=local.strftime("%H:%M"))
    if today is not None and local.date() == today + timedelta(days=1):
        return prompts.render("cadence/when", day="tomorrow", at=local.strftime("%H:%M"))
    return prompts.render("cadence/when", day=local.strftime("%a %d %b"), at=local.strftime("%H:%M"))


# --- answers to a prompt ---------------------------------------------------------------

_DURATION = re.compile(
    r"^(?:for\s+|in\s+)?(\d+(?:[.,]\d+)?)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.IGNORECASE
)


def parse_snooze(text: str) -> timedelta | str | None:
    """"2h" -> 2 hours, "30 min" -> 30 minutes, "" / "later" -> 2 hours,
    "tomorrow" -> "tomorrow"; anything else None (then we re-ask with examples)."""
    words = text.strip().lower()
    if words in {"", "later", "snooze"}:
        return LATER
    if words in {"tomorrow", "tmrw", "tomorrow morning"}:
        return "tomorrow"
    match = _DURATION.match(words)
    if match is None:
        return None
    amount = float(match.group(1).replace(",", "."))
    unit = match.group(2)[0]
    span = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
    if span <= timedelta(0) or span > timedelta(days=14):
        return None
    return span


async def _calendar(turn: Turn) -> cadence.Calendar:
    from bot.scheduler import load_population

    population = await load_population(turn.db, turn.now, [turn.person.id], days=60)
    found = population.calendars.get(turn.person.id)  # type: ignore[arg-type]
    return found or cadence.Calendar(turn.person.id, turn.person.timezone)  # type: ignore[arg-type]


async def snooze_prompt(turn: Turn, occurrence: Occurrence, span: timedelta | str) -> list[Message]:
    """Put the prompt back for later: after `span`, or "tomorrow" at the prompt's own
    local time; never into a day off or quiet hours."""
    calendar = await _calendar(turn)
    payload = dict(occurrence.payload or {})
    payload.setdefault("first_due", occurrence.due_at.isoformat())
    payload["snoozes"] = int(payload.get("snoozes", 0)) + 1  # the next delivery says "again"
    if span == "tomorrow":
        first_due = datetime.fromisoformat(payload["first_due"])
        original = first_due.astimezone(calendar.zone).time().replace(tzinfo=None)
        until = cadence.next_working_morning(calendar, turn.now, original)
    else:
        assert isinstance(span, timedelta)
        until = cadence.available_at(calendar, turn.now + span)
    async with turn.db.session() as session:
        done = await store.snooze(session, occurrence.id, until, payload)  # type: ignore[arg-type]
    if not done:
        return [Message(prompts.render("cadence/nothing_open", what="snooze"), private=True)]
    today = turn.now.astimezone(calendar.zone).date()
    return [Message(prompts.render("cadence/snoozed", kind=occurrence.kind,
                                   when=local_label(until, calendar.timezone, today)))]


async def skip_prompt(turn: Turn, occurrence: Occurrence) -> list[Message]:
    async with turn.db.session() as session:
        done = await store.skip(session, occurrence.id, "skipped by the person")  # type: ignore[arg-type]
    if not done:
        return [Message(prompts.render("cadence/nothing_open", what="skip"), private=True)]
    return [Message(prompts.render("cadence/skipped", kind=occurrence.kind, next_when=""))]


async def start_prompt(turn: Turn, occurrence: Occurrence | None, kind: str) -> list[Message]:
    """Open the conversation of a prompt (or of `kind` when asked for directly)."""
    if occurrence is not None:
        async with turn.db.session() as session:
            await store.mark_answered(session, occurrence.id, turn.now)  # type: ignore[arg-type]
    return await start_conversation(turn, kind, occurrence)


class PromptButtons:
    """A click on a prompt's button, claimed before any conversation in progress can
    take "cadence:later:42" for an answer to its own question."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if (turn.event.action or "").startswith(ACTION_PREFIX):
            return await PromptResponder().respond(turn)
        return None


class PromptResponder:
    """Answers to a delivered prompt: its buttons anywhere, and the typed words
    `start`, `later`, `snooze 2h`, `tomorrow`, `skip` while a prompt is open. It runs
    after the conversation responder, so `skip` inside a conversation skips a question,
    not a prompt."""

    WORDS = {"start", "go", "later", "tomorrow", "skip", "not now"}

    async def respond(self, turn: Turn) -> list[Message] | None:
        action = turn.event.action or ""
        if action.startswith(ACTION_PREFIX):
            verb, _, rest = action[len(ACTION_PREFIX):].partition(":")
            occurrence_id = int(rest) if rest.isdigit() else None
            return await self._answer(turn, verb, "", occurrence_id, clicked=True)
        words = turn.text.lower().strip(" .!")
        verb, _, rest = words.partition(" ")
        if words == "not now":  # a plain "later", not a snooze of "now"
            verb, rest = "later", ""
        if words in self.WORDS or verb == "snooze":
            return await self._answer(turn, verb, rest, None, clicked=False)
        return None

    async def _answer(self, turn: Turn, verb: str, rest: str, occurrence_id: int | None,
                      clicked: bool) -> list[Message] | None:
        async with turn.db.session() as session:
            occurrence = await store.open_prompt(session, turn.person.id, occurrence_id)  # type: ignore[arg-type]
        if occurrence is None:
            if not clicked:
                return None  # a typed "skip" with nothing open is not ours to answer
            return [Message(prompts.render("cadence/nothing_open", what=verb), private=True)]
        if verb in {"start", "go"}:
            return await start_prompt(turn, occurrence, occurrence.kind)
        if verb == "skip":
            return await skip_prompt(turn, occurrence)
        span = parse_snooze("tomorrow" if verb == "tomorrow" else rest)
        if span is None:
            return [Message(prompts.render("cadence/snooze_help"), private=True)]
        return await snooze_prompt(turn, occurrence, span)


# --- /okr snooze, /okr out ---------------------------------------------------------------


async def snooze_command(turn: Turn, args: str) -> list[Message]:
    """/okr snooze [2h | 30m | tomorrow]: push back the open prompt."""
    span = parse_snooze(args)
    if span is None:
        return [Message(prompts.render("cadence/snooze_help"), private=True)]
    async with turn.db.session() as session:
        occurrence = await store.open_prompt(session, turn.person.id)  # type: ignore[arg-type]
    if occurrence is None:
        return [Message(prompts.render("cadence/nothing_open", what="snooze"), private=True)]
    return await snooze_prompt(turn, occurrence, span)


_RANGE = re.compile(r"^(?:from\s+)?(?P<first>.+?)\s+(?:to|until|till|-|–)\s+(?P<last>.+)$", re.IGNORECASE)


def parse_absence(args: str, today: date, timezone: str) -> tuple[date, date] | str:
    """"until March 3" -> (today, March 3); "2027-03-01 to 2027-03-03" -> that range.
    Returns a problem code when the dates make no sense."""
    from conversations.validators import parse_date

    text = args.strip()
    text = re.sub(r"^(?:until|till|til|through)\s+", "", text, flags=re.IGNORECASE)
    if not text:
        return "missing"
    match = _RANGE.match(args.strip())
    if match and not re.match(r"^(?:until|till|til|through)\b", args.strip(), re.IGNORECASE):
        first = parse_date(match.group("first"), today, timezone)
        last = parse_date(match.group("last"), today, timezone)
    else:
        first, last = today, parse_date(text, today, timezone)
    if first is None or last is None:
        return "unreadable"
    if last < today:
        return "past"
    if last < first:
        return "backwards"
    if (last - first).days > 366:
        return "too_long"
    return max(first, today), last


async def out_command(turn: Turn, args: str) -> list[Message]:
    """/okr out until DATE (or FROM to TO, or `back`): no prompts on those local days;
    prompts already planned for them are re-planned (moved or skipped) right away."""
    from bot.scheduler import replan

    person = turn.person
    tz = person.timezone or "UTC"
    today = turn.now.astimezone(cadence.zone(tz)).date()
    if args.strip().lower() in {"back", "cancel", "off", "over"}:
        async with turn.db.session() as session:
            ended = await store.end_absences(session, person.id, today)  # type: ignore[arg-type]
        if ended:
            await replan(turn.db, [person.id], turn.now)  # type: ignore[list-item]
        return [Message(prompts.render("cadence/out_back" if ended else "cadence/out_none"))]
    parsed = parse_absence(args, today, tz)
    if isinstance(parsed, str):
        problem = "" if parsed in {"missing", "unreadable"} else prompts.render("cadence/out_problem", code=parsed)
        return [Message(prompts.render("cadence/out_help", problem=problem), private=True)]
    first, last = parsed
    async with turn.db.session() as session:
        await store.add_absence(session, person.id, first, last, "out of office")  # type: ignore[arg-type]
    horizon = timedelta(days=(last - today).days + 16)
    await replan(turn.db, [person.id], turn.now, horizon)  # type: ignore[list-item]
    async with turn.db.session() as session:
        rows = await store.occurrences_between(session, turn.now - timedelta(days=1), turn.now + horizon, [person.id])  # type: ignore[list-item]
    skipped = sum(1 for row in rows if row.status == store.SKIPPED and (row.reason or "").startswith("absence:"))
    return [Message(prompts.render("cadence/out_recorded", first=first.strftime("%a %d %b"),
                                   last=last.strftime("%a %d %b %Y"), skipped=skipped))]


# --- /okr checkin ---------------------------------------------------------------------


async def checkin_command(turn: Turn, args: str) -> list[Message]:
    """/okr checkin: the OKR check-in now, answering the open check-in prompt if any
    (even one put back for later, or followed by a WIG prompt)."""
    async with turn.db.session() as session:
        occurrence = await store.open_prompt(session, turn.person.id, kind=OKR_CHECKIN, snoozed=True)  # type: ignore[arg-type]
    return await start_prompt(turn, occurrence, OKR_CHECKIN)


# --- the conversations --------------------------------------------------------------


def local_day(person: Person, now: datetime) -> date:
    return now.astimezone(cadence.zone(person.timezone)).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def session_weeks(day: date) -> tuple[date, date]:
    """(the week a WIG session reports on, the week its new commitments are for), as
    ISO Mondays. A session reports on the week that mostly lies behind it and commits
    for the week mostly ahead: Monday's session (or Sunday's, in a Sunday–Thursday
    week, or Tuesday's after a holiday) reports on last week and plans this one."""
    return monday(day - timedelta(days=4)), monday(day + timedelta(days=3))


def team_lead(person: Person) -> int:
    """Whose team's WIGs apply: a rep's manager's; a manager's (or admin's) own."""
    if person.role == "rep" and person.manager_id is not None:
        return person.manager_id
    return person.id  # type: ignore[return-value]


async def start_conversation(turn: Turn, kind: str, occurrence: Occurrence | None) -> list[Message]:
    """Start the check-in or the WIG session with what the person has on record."""
    person = turn.person
    day = occurrence.local_date if occurrence is not None else local_day(person, turn.now)
    subject_day = day.isoformat()
    base: dict[str, Any] = {
        "name": first_name(person.name),
        "occurrence_id": occurrence.id if occurrence is not None else None,
    }
    if kind == OKR_CHECKIN:
        async with turn.db.session() as session:
            found = await checkin_store.key_results(session, person.id)  # type: ignore[arg-type]
            manager = await people.get(session, person.manager_id) if person.manager_id else None
        base.update(
            subject=f"checkin:{subject_day}",
            manager_name=manager.name if manager is not None else "",
            key_results=[{"id": kr.id, "objective": objective.title, "title": kr.title,
                          "current": kr.current_value, "target": kr.target_value, "unit": kr.unit}
                         for objective, kr in found],
        )
        return await start_flow(turn, FLOWS[OKR_CHECKIN], base)
    report_week, commit_week = session_weeks(local_day(person, turn.now))
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(person))
        measures = await wig_store.measures(session, [w.id for w in wigs], person.id)  # type: ignore[misc]
        promised = await wig_store.commitments(session, person.id, report_week)  # type: ignore[arg-type]
    base.update(
        subject=f"wig:{commit_week.isoformat()}",
        report_week=report_week.isoformat(),
        commit_week=commit_week.isoformat(),
        wig_id=wigs[0].id if wigs else None,
        wigs=[{"title": w.title, "from_value": w.from_value, "to_value": w.to_value, "unit": w.unit,
               "by_date": w.by_date.strftime("%d %b %Y")} for w in wigs],
        commitments=[{"id": c.id, "text": c.text} for c in promised],
        measures=[{"id": m.id, "title": m.title, "weekly_target": m.weekly_target, "unit": m.unit,
                   "personal": m.owner_id is not None} for m in measures],
    )
    return await start_flow(turn, FLOWS[WIG], base)


async def _finish_occurrence(turn: Turn, context: dict[str, Any]) -> None:
    occurrence_id = context.get("occurrence_id")
    if occurrence_id:
        async with turn.db.session() as session:
            await store.mark_answered(session, int(occurrence_id), turn.now)


@action("record_checkin")
async def record_checkin(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the check-in, move the key results, and remind rep *and* manager to hold
    the 30–45 minute conversation (seed 003), the manager with the rep's answers."""
    answers, context = data.get("answers") or {}, data.get("context") or {}
    updates = [
        checkin_store.KeyResultUpdate(int(u["id"]), None if u.get("value") is None else float(u["value"]),
                                      u.get("confidence"))
        for u in answers.get("updates") or []
    ]
    person = turn.person
    async with turn.db.session() as session:
        await checkin_store.record_checkin(
            session, person.org_id, person.id, context.get("occurrence_id"), updates,  # type: ignore[arg-type]
            answers.get("blockers"), answers.get("change_next"))
        manager = await people.get(session, person.manager_id) if person.manager_id else None
    await _finish_occurrence(turn, context)
    if manager is not None:
        note = prompts.render("cadence/checkin/reminder_manager", rep=person.name,
                              updates=answers.get("updates") or [], blockers=answers.get("blockers"),
                              change=answers.get("change_next"))
        await turn.coach.send_copy(manager.id, [Message(note, title=prompts.render("cadence/checkin/title"))])  # type: ignore[arg-type]
    return [Message(prompts.render("cadence/checkin/reminder_rep",
                                   manager=manager.name.split()[0] if manager is not None else "your manager"))]


@action("record_wig_session")
async def record_wig_session(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the session (kept commitments, the week's numbers, new commitments) and
    show the person the team scorecard with their numbers on it."""
    answers, context = data.get("answers") or {}, data.get("context") or {}
    person = turn.person
    today = local_day(person, turn.now)
    default_report, default_commit = session_weeks(today)
    report_week = date.fromisoformat(context.get("report_week") or default_report.isoformat())
    commit_week = date.fromisoformat(context.get("commit_week") or default_commit.isoformat())
    kept = [(int(k["id"]), bool(k["kept"]), k.get("reason")) for k in answers.get("kept") or []]
    numbers = [(int(n["id"]), float(n["value"])) for n in answers.get("numbers") or []]
    async with turn.db.session() as session:
        await wig_store.save_session(session, person.id, report_week, commit_week, kept, numbers,  # type: ignore[arg-type]
                                     list(answers.get("new_commitments") or [])[:2], context.get("wig_id"))
        await checkin_store.record_wig_checkin(session, person.org_id, person.id, context.get("occurrence_id"))  # type: ignore[arg-type]
    await _finish_occurrence(turn, context)
    return [await scorecard_message(turn, report_week)]


async def scorecard_message(turn: Turn, week: date) -> Message:
    lead = team_lead(turn.person)
    async with turn.db.session() as session:
        wigs, measures, rows = await wig_store.scorecard(session, lead, week)
    text = prompts.render("cadence/wig/scorecard", wigs=wigs, measures=measures, rows=rows,
                          week=week.strftime("%d %b %Y"), leader=turn.person.role != "rep")
    return Message(text, title=prompts.render("cadence/wig/title"))


# --- /okr wig ---------------------------------------------------------------------------

_WIG = re.compile(r"^(?P<title>.+?)\s+from\s+(?P<from>.+?)\s+to\s+(?P<to>.+?)\s+by\s+(?P<when>.+)$", re.IGNORECASE)
_MEASURE = re.compile(
    r"^(?P<title>.+?)\s*[,:]\s*(?P<n>[\d.,]+\s*[kK]?)\s*(?P<unit>[^\d\s/]*?)\s*(?:per|a|/|each)\s*week"
    r"(?:\s+(?:for|on)\s+(?:wig\s*)?(?P<wig>\d))?\.?$",
    re.IGNORECASE,
)


def parse_amount(text: str) -> tuple[float, str] | None:
    """"1.2M" -> (1200000, ""), "$250k" -> (250000, "$"), "30%" -> (30, "%"),
    "12 deals" -> (12, "deals")."""
    from conversations.validators import parse_number_text

    value = parse_number_text(text)
    if value is None:
        return None
    unit = ""
    if "%" in text:
        unit = "%"
    elif (symbol := re.search(r"[$€£]", text)) is not None:
        unit = symbol.group(0)
    elif (word := re.search(r"\d[\d.,]*\s*[kKmM]?\s+([A-Za-z][\w ]*)$", text.strip())) is not None:
        unit = word.group(1).strip()
    return value, unit


async def wig_command(turn: Turn, args: str) -> list[Message]:
    """/okr wig [start | add … | measure … | close N]."""
    verb, _, rest = args.strip().partition(" ")
    verb = verb.lower()
    leader = turn.person.role in ("manager", "admin")
    if verb == "":
        return [await scorecard_message(turn, session_weeks(local_day(turn.person, turn.now))[0])]
    if verb in {"start", "session", "now"}:
        async with turn.db.session() as session:
            occurrence = await store.open_prompt(session, turn.person.id, kind=WIG, snoozed=True)  # type: ignore[arg-type]
        return await start_prompt(turn, occurrence, WIG)
    if verb in {"add", "set"}:
        return [await _add_wig(turn, rest.strip(), leader)]
    if verb in {"measure", "lead"}:
        return [await _add_measure(turn, rest.strip(), leader)]
    if verb in {"close", "done", "remove"}:
        return [await _close_wig(turn, rest.strip(), leader)]
    return [Message(prompts.render("cadence/wig/help", problem="", leader=leader), private=True)]


def _help(problem: str, leader: bool, detail: str = "") -> Message:
    return Message(prompts.render("cadence/wig/help", problem=problem, leader=leader, detail=detail), private=True)


async def _add_wig(turn: Turn, text: str, leader: bool) -> Message:
    from conversations.validators import parse_date

    if not leader:
        return _help("leaders_only", leader)
    match = _WIG.match(text)
    start = parse_amount(match.group("from")) if match else None
    target = parse_amount(match.group("to")) if match else None
    if match is None or start is None or target is None:
        return _help("format", leader)
    today = local_day(turn.person, turn.now)
    when = match.group("when").strip().rstrip(".")
    by_date = parse_date(when, today, turn.person.timezone)
    if by_date is None or by_date <= today:
        return _help("date", leader, when)
    unit = target[1] or start[1]
    async with turn.db.session() as session:
        wig = await wig_store.add_wig(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                      match.group("title").strip(), start[0], target[0], unit, by_date)
        count = len(await wig_store.active_wigs(session, turn.person.id))  # type: ignore[arg-type]
    if wig is None:
        return _help("too_many", leader)
    return Message(prompts.render("cadence/wig/added", kind="wig", number=count, title=wig.title,
                                  from_value=wig.from_value, to_value=wig.to_value, unit=wig.unit,
                                  by_date=wig.by_date.strftime("%d %b %Y")))


async def _add_measure(turn: Turn, text: str, leader: bool) -> Message:
    match = _MEASURE.match(text)
    target = parse_amount(match.group("n")) if match else None
    if match is None or target is None or target[0] <= 0:
        return _help("measure", leader)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(turn.person))
        if not wigs:
            return _help("no_wig", leader)
        index = int(match.group("wig") or 1) - 1
        if not 0 <= index < len(wigs):
            return _help("measure", leader)
        personal = None if leader else turn.person.id
        measure = await wig_store.add_measure(session, wigs[index].id, match.group("title").strip(),  # type: ignore[arg-type]
                                              target[0], (match.group("unit") or "").strip(), personal)
    return Message(prompts.render("cadence/wig/added", kind="measure", personal=personal is not None,
                                  wig=wigs[index].title, title=measure.title, target=measure.weekly_target))


async def _close_wig(turn: Turn, text: str, leader: bool) -> Message:
    if not leader:
        return _help("leaders_only", leader)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        number = text.lstrip("#").strip()
        if not number.isdigit() or not 1 <= int(number) <= len(wigs):
            return _help("close", leader)
        wig = wigs[int(number) - 1]
        await wig_store.close_wig(session, wig.id, turn.person.id)  # type: ignore[arg-type]
    return Message(prompts.render("cadence/wig/added", kind="closed", title=wig.title))
