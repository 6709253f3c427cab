"""The weekly WIG session (4DX, seed 003): the prompt, `/okr wig` (the scorecard, a
session now, adding and closing wildly important goals and their lead measures),
the `wig_session` flow and its end action (kept commitments, the week's lead-measure
numbers, one or two new commitments), then the team scorecard. The session itself
(opening it, storing its answers) is `bot.features.wig_session`; this module
registers it and holds the commands."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import prompts
from bot.cadence import WIG, parse_working_days
from bot.core.clock import local_day
from bot.core.coach import Turn
from bot.core.feature import BEFORE_CONVERSATION, Feature, PromptKind
from bot.core.messages import Message
from bot.features import scorecard, wig_readback, wig_resume, wig_session
from bot.features.pace import standing
from bot.features.prompt_answers import card, nudge_card, open_prompt, start_prompt
from bot.features.weeks import session_weeks, team_lead, week_of, week_start_of
from bot.features.wig_replies import mark, whole, wig_help
from bot.features.wig_targets import close_wig, set_target
from conversations.amounts import (
    MONEY,
    AmbiguousNumber,
    Amount,
    ambiguity,
    read_amount,
    unit_kind,
)
from conversations.checkin_reading import is_increment, read_in_unit, typed_unit
from conversations.counts import MAX_WHOLE, doubt_details, is_count_unit
from conversations.dates import DateReading, date_words, read_date
from conversations.locales import ascii_digits, small_number
from conversations.passed_days import JUST_PASSED_DAYS, last_passed
from conversations.wig_text import (
    MAX_MEASURE_TITLE,
    MAX_WIG_TITLE,
    MAX_WIG_YEARS,
    example_ends,
    latest_deadline,
    measure_number,
    measure_title,
    money_without_currency,
    nearest_ahead,
    next_turn,
    read_measure,
    read_wig,
    too_many_digits,
    whole_ends,
    whole_value,
    wig_jump,
    wig_problem,
    with_currency,
    with_day,
    without_minus,
)
from storage import okrs as okr_store
from storage import scorecard as scorecard_store
from storage import wig as wig_store
from storage.db import AsyncSession

feature = Feature("wig")
feature.prompt_kind(PromptKind(WIG, card("cadence/prompt_wig"), nudge_card, wig_session.start_session))
feature.action("record_wig_session")(wig_session.record_wig_session)
feature.resumes(wig_resume.FLOW)(wig_resume.resume)  # a session picked up again: the WIGs as they are now


@feature.command("wig", "/okr wig [start | add … | measure … | close N]")
async def wig_command(turn: Turn, args: str) -> list[Message]:
    """/okr wig [start | add … | measure … | close N]. Digits of other scripts read as
    digits; a number whose separator reads two ways for the person ("1,5") is asked
    about with both readings (conversations.amounts)."""
    # single spaces: no pattern below rescans a long run of them (a Slack message holds 40,000 characters)
    args = " ".join(ascii_digits(args).split())
    try:
        return await _wig_command(turn, args)
    except AmbiguousNumber as doubt:
        return [_ambiguous(args, doubt_details(doubt, doubt.token, _counted_add(args)))]


def _counted_add(args: str) -> bool:
    """Whether `args` is `/okr wig add|set` of a WIG counted in whole things ("from 0
    to 1,5 deals"), whose "1,5 reads two ways" re-ask offers only the whole reading:
    "1.5 deals" would be refused (`wig_text.wig_problem`)."""
    verb, _, rest = args.partition(" ")
    try:
        line = read_wig(rest, ",") if verb.lower() in ("add", "set") else None
    except AmbiguousNumber:
        return False
    return line is not None and is_count_unit(line.unit)


def _ambiguous(args: str, doubt: dict[str, Any], **values: Any) -> Message:
    """The "1,5 reads two ways" re-ask. Its examples are the command exactly as typed
    (`args`: the alias — `value`, `now-at`, `set`, `lead` —, every other word and a
    trailing `confirm` kept), once with each reading in place of the doubtful number."""
    # the number ends where no digit follows ("1,5." at the end of the line ends in its full stop)
    args = args.rstrip(" .")
    pieces = re.split(rf"(?<![\d.,]){re.escape(str(doubt['number']))}(?![\d,]|\.\d)", args)
    return Message(prompts.render("cadence/wig/help", problem="ambiguous_number", leader=False, doubt=doubt,
                                  typed=pieces if len(pieces) > 1 else None, **values), private=True)


async def _wig_command(turn: Turn, args: str) -> list[Message]:
    verb, _, rest = args.strip().partition(" ")
    verb = verb.lower()
    leader = turn.person.role in ("manager", "admin")
    if verb == "":
        today = local_day(turn.now, turn.person.timezone)
        return await scorecard.scorecard_messages(turn.coach, team_lead(turn.person), session_weeks(today)[0],
                                                  today, leader=leader, timezone=turn.person.timezone,
                                                  week_start=week_start_of(turn.person))
    if verb in {"update", "now-at", "value"}:
        return [await _update_lag(turn, rest.strip(), leader, args)]
    if verb == "target":
        return [await set_target(turn, rest.strip(), leader)]
    if verb in {"start", "session", "now"}:
        occurrence, _ = await open_prompt(turn, kind=WIG, snoozed=True)
        return await start_prompt(turn, occurrence, WIG)
    if verb in {"add", "set"}:
        return [await _add_wig(turn, rest.strip(), leader, args.partition(" ")[0])]
    if verb in {"measure", "lead"}:
        return [await _add_measure(turn, rest.strip(), leader, args.partition(" ")[0])]
    if verb in {"close", "done", "remove"}:
        return [await close_wig(turn, rest.strip(), leader, args.partition(" ")[0])]
    return [Message(prompts.render("cadence/wig/help", problem="", leader=leader), private=True)]


async def _add_wig(turn: Turn, text: str, leader: bool, verb: str = "add") -> Message:
    """`/okr wig add WHAT from X to Y by WHEN [confirm]` (`verb`: `add` or `set`, as
    typed, for the re-asks' examples). Numbers as `conversations.wig_text` reads them
    (a count below zero asked again, money or a percentage below zero read back until
    `confirm`); a day more than `MAX_WIG_YEARS` years off is asked again, with the
    same month and day in the nearest year ahead as its example
    (`conversations.wig_text.latest_deadline`); the day is the nearest one ahead ("by December 31" typed on 30
    November is this year's), as the person reads it in their own zone. A yearless
    day that passed within `passed_days.JUST_PASSED_DAYS` ("by Nov 29" typed on
    30 November) is asked about with the year written, never set a year ahead
    unasked; one further back ("by Nov 20") is next year's. A day read from words a
    reader could doubt ("mid April", "first week of April", "next Monday", "the 31st"
    past a short month: `DateReading.needs_words`) is read back, as a key result's is,
    and set only with `confirm` or a plain `yes` next (`wig_readback`)."""
    if not leader:
        return wig_help("leaders_only", leader)
    line = read_wig(text, mark(turn))
    if line is None:
        return wig_help("format", leader)
    if len(line.title) > MAX_WIG_TITLE:  # refused whole, never cut short
        return wig_help("title_too_long", leader, line.title, limit=MAX_WIG_TITLE, what="wig")  # the template clips it
    today = local_day(turn.now, turn.person.timezone)

    def read(when: str, day: date) -> DateReading | None:
        return read_date(when, day, turn.person.timezone, country=turn.person.country,
                         working_days=parse_working_days(turn.person.working_days))

    reading = read(line.when, today)
    if reading is None or reading.day <= today or reading.far:
        # "by 29 Feb" four years off needs its year; "by December 31" on 31 December is today
        return wig_help("date", leader, line.when, read=reading.day if reading is not None else None, today=today,
                        next_day=next_turn(line.when, today, read) if reading is not None else None)
    passed = last_passed(line.when, today, turn.person.timezone, turn.person.country)
    if passed is not None and (today - passed).days <= JUST_PASSED_DAYS:
        # "by Nov 29" on 30 November: a slip more likely than a year's deadline; asked with the year
        return wig_help("date_passed", leader, line.when, passed=passed, read=reading.day,
                     typed=with_day(verb, text, line.when, reading.day))
    if reading.day > (latest := latest_deadline(today)):  # "by 2207-01-01": a year typed wrongly
        meant = nearest_ahead(reading.day, today)
        return wig_help("date_too_far", leader, line.when, read=reading.day, latest=latest, years=MAX_WIG_YEARS,
                     meant=meant, typed=with_day(verb, text, line.when, meant))
    if (problem := wig_problem(line)) is not None:
        held = problem == "negative" and await _hold_add(turn, f"{verb} {text}")
        return wig_help(problem, leader, text, limit=MAX_WHOLE, line=line, count=is_count_unit(line.unit),
                     ends=without_minus(line), one_unit=example_ends(line), whole=whole_ends(line), yes=held)
    if reading.needs_words and not line.sure:  # "mid April", "next Monday", "the 31st": read back, as key results are
        held = await _hold_add(turn, f"{verb} {text}")
        return wig_help("date_words", leader, line.when, words=date_words(reading, line.when), yes=held,
                        typed=f"{verb} {text}", day_typed=with_day(verb, text, line.when, reading.day),
                        other_typed=reading.other and with_day(verb, text, line.when, reading.other))
    async with turn.db.session() as session:
        wig = await wig_store.add_wig(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                      line.title, line.start, line.target, line.unit, reading.day, today)
        count = len(await wig_store.active_wigs(session, turn.person.id))  # type: ignore[arg-type]
    if wig is None:
        return wig_help("too_many", leader)
    code = await _currency(turn) if money_without_currency(line) else None
    return Message(prompts.render("cadence/wig/added", kind="wig", number=count, title=wig.title,
                                  from_value=wig.from_value, to_value=wig.to_value, unit=wig.unit,
                                  by_date=wig.by_date, currency=code,
                                  with_currency=code and with_currency(verb, text, code, wig.by_date)))


async def _currency(turn: Turn) -> str:
    """The currency a WIG named as money is offered in (newcomer F14): the one the
    organisation's plans count money in, else the manager's country's, else USD."""
    from babel.numbers import get_territory_currencies

    async with turn.db.session() as session:
        planned = await okr_store.plan_currency(session, turn.person.org_id, lambda u: unit_kind(u) == MONEY)
    local = get_territory_currencies(turn.person.country or "US", tender=True) if not planned else []
    return planned or (local[0] if local else "USD")


async def _hold_add(turn: Turn, line: str) -> bool:
    """Hold an `/okr wig add` line read back for a plain `yes` (`wig_readback`)."""
    async with turn.db.session() as session:
        return await wig_readback.hold_add(session, turn.person.id, line)  # type: ignore[arg-type]


async def _add_read_measure(turn: Turn, text: str, leader: bool, verb: str = "measure") -> Message | None:
    """`/okr wig measure overdue leads [for 2]`: a measure a feature reads (see
    `Feature.measure_source`), chosen by one of its phrases; None when none matches."""
    found = _READ.match(text)
    wanted = " ".join((found.group("what") if found else text).lower().split())
    source = next((s for s in turn.coach.features.measure_sources.values() if wanted in s.phrases), None)
    if source is None:
        return None
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(turn.person))
        if not wigs:
            return wig_help("no_wig", leader)
        index = (small_number(found.group("wig") or "1") or 0) - 1 if found else 0
        if not 0 <= index < len(wigs):  # "for 3" with two WIGs
            return wig_help("no_such_wig", leader, found.group("wig"), count=len(wigs),  # type: ignore[union-attr]
                         typed=(f"{verb} {text[:found.start('wig')]}", text[found.end('wig'):]))  # type: ignore[union-attr]
        personal = None if leader else turn.person.id
        measure = await wig_store.add_measure(session, wigs[index].id, str(prompts.render(source.title)),  # type: ignore[arg-type]
                                              0, source.unit, personal, source.name)
    return Message(prompts.render("cadence/wig/added", kind="read_measure", personal=personal is not None,
                                  wig=wigs[index].title, title=measure.title))


async def _add_measure(turn: Turn, text: str, leader: bool, verb: str = "measure") -> Message:
    """`/okr wig measure ACTIVITY, N per week [for 2]`: a weekly target is above zero;
    "-10", "(10)" or "0" per week is asked again saying so (`conversations.wig_text`)."""
    read = await _add_read_measure(turn, text, leader, verb)
    if read is not None:
        return read
    found = read_measure(text, mark(turn))
    if found == "measure_too_long" or (not isinstance(found, str) and len(found.title) > MAX_MEASURE_TITLE):
        return wig_help("title_too_long", leader, text, limit=MAX_MEASURE_TITLE, what="measure")
    if isinstance(found, str):
        return wig_help(found, leader, measure_number(text), limit=MAX_WHOLE, title=measure_title(text))
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, team_lead(turn.person))
        if not wigs:
            return wig_help("no_wig", leader)
        index = found.wig - 1
        if not 0 <= index < len(wigs):  # "for 3" with two WIGs: named, not the format help
            return wig_help("no_such_wig", leader, found.wig_typed, count=len(wigs),
                         typed=(f"{verb} {text[:found.wig_at]}", text[found.wig_at + len(found.wig_typed):]))
        personal = None if leader else turn.person.id
        measure = await wig_store.add_measure(session, wigs[index].id, found.title,  # type: ignore[arg-type]
                                              found.target, found.unit, personal)
    return Message(prompts.render("cadence/wig/added", kind="measure", personal=personal is not None,
                                  wig=wigs[index].title, title=measure.title, target=measure.weekly_target))


_READ = re.compile(r"^(?P<what>.+?)\s+(?:for|on)\s+(?:wig\s*)?(?P<wig>\d+)\.?$", re.IGNORECASE)
_LONE = re.compile(r"^#?(?P<n>\d+)(?:\s+confirm)?\.?$", re.IGNORECASE)
_UPDATE = re.compile(r"^#?(?P<n>\d+)\s+(?:to\s+|at\s+|=\s*)?(?P<value>.+?)(?P<sure>\s+confirm)?\.?$", re.IGNORECASE)


async def _update_lag(turn: Turn, text: str, leader: bool, typed: str) -> Message:
    """`/okr wig update 1 38` (or `value`, `now-at`; `typed` is the whole command as
    typed, for the re-ask's examples): the lag measure's value now (this ISO week's reading).
    Every re-ask's example names the WIG typed and a value in its unit (its target),
    after the command word the person used (`value`, `now-at` or `update`).
    A count is never negative and never past 15 digits (`MAX_WHOLE`): asked again. A
    value below zero in money or a plain number is read back and stored only when
    typed again with `confirm` after it, as the check-in confirms a negative. A value
    more than three times the last reading (the WIG's start before any), or less than
    a third of it, and more than half the WIG's distance from it, is read back and
    kept only with `confirm` (`conversations.wig_text.wig_jump`). A read-back is also
    kept by a plain `yes` as the person's very next message, within 15 minutes
    (`bot.features.wig_readback`)."""
    if not leader:
        return wig_help("leaders_only", leader)
    verb = typed.partition(" ")[0]  # "value", "now-at" or "update", as typed: the examples say it
    lone = _LONE.match(text)  # "1" or "1 confirm" alone: the value is missing, nothing unreadable
    match = None if lone is not None else _UPDATE.match(text)
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        picked = small_number(match.group("n")) if match is not None else None  # never int() of 40 digits
        if match is None or picked is None or not 1 <= picked <= len(wigs):
            if match is None:
                which = small_number(lone.group("n")) if lone is not None else None
                if which is not None and 1 <= which <= len(wigs):
                    return wig_help("update", leader, verb=verb, number=which, example=_example(wigs[which - 1]))
                return wig_help("update", leader, text, verb=verb)
            whole(match.group("value"), mark(turn))  # a doubtful "1,5" is asked about first
            head = typed[: len(typed) - len(text)] + text[: match.start("n")]  # "value #"
            return wig_help("no_such_wig", leader, match.group("n"), count=len(wigs),
                         typed=(head, text[match.end("n"):]))
        number = picked
        wig, raw = wigs[number - 1], match.group("value")
        count = is_count_unit(wig.unit)
        asked = {"number": number, "unit": wig.unit or "", "example": _example(wig), "verb": verb}
        # read in the WIG's own unit: "38 weeks" for deals is asked about, and so is
        # "1.5 deals" (a count is whole); an ambiguous "1,500 deals" is 1,500
        value, error = read_in_unit(raw, wig.unit or "", mark(turn))
        if error in ("wrong_unit", "fractional_count"):
            return wig_help("update_unit" if error == "wrong_unit" else "update_fraction", leader, raw,
                         typed_unit=typed_unit(raw, mark(turn)), **asked)
        if error == "ambiguous_number" and (doubt := ambiguity(raw, mark(turn))) is not None:
            # the examples are `typed` (the alias, "M" or "confirm" kept) with each reading
            return _ambiguous(typed, doubt_details(doubt, raw, count), **asked)
        if error == "too_large" or (value is not None and abs(value) > MAX_WHOLE) or too_many_digits(raw):
            return wig_help("update_too_large", leader, raw, limit=MAX_WHOLE, **asked)
        if error == "negative_count":  # the example: the same count without its minus
            size = read_amount(raw, words=True, decimal=mark(turn))
            below = size.value if isinstance(size, Amount) else -wig.to_value
            return wig_help("update_negative", leader, raw, count=True, **asked | {"example": below})
        if value is None:
            return wig_help("update", leader, text, **asked)
        # "+2" / "2 more" is a change that could be the new value too: asked, never stored either way
        if is_increment(raw):
            return wig_help("update_change", leader, raw, **asked | {"example": value})
        if value < 0 and (count or not (match.group("sure") or value >= min(wig.from_value, wig.to_value))):
            held = not count and await wig_readback.hold_update(session, turn.person.id, wig.id, value)  # type: ignore[arg-type]
            return wig_help("update_negative", leader, raw, count=count, yes=held, **asked | {"example": value})
        last = (await scorecard_store.readings(session, [wig.id]))[wig.id]  # type: ignore[list-item]
        before = last[-1].value if last else wig.from_value
        jump = None if match.group("sure") else wig_jump(before, wig.from_value, wig.to_value, value)
        if jump is not None:  # "150k" for 1.5: read back, kept by `confirm` or a plain `yes` next
            held = await wig_readback.hold_update(session, turn.person.id, wig.id, value)  # type: ignore[arg-type]
            if jump == "far":
                return wig_help("update_far", leader, raw, value=value, start=wig.from_value, yes=held, **asked)
            return wig_help("update_jump", leader, raw, before=before, value=value, started=not last, yes=held,
                            **asked)
        return await _store(turn, session, wig, number, value)


async def _store(turn: Turn, session: AsyncSession, wig: Any, number: int, value: float) -> Message:
    """Keep `value` as WIG `number`'s reading for this week, and say where it stands."""
    today = local_day(turn.now, turn.person.timezone)
    week = week_of(today, week_start_of(turn.person))  # stored by the ISO Monday of the person's own week
    reading = await scorecard_store.record_reading(session, wig.id, week, value, turn.person.id)  # type: ignore[arg-type]
    await wig_readback.hold_kept(session, turn.person.id, number, value, wig.unit or "")  # type: ignore[arg-type]
    return Message(prompts.render("cadence/wig/updated", s=standing(wig, [reading], today, turn.person.timezone),
                                   number=number),
                   private=True)


async def _keep_held(turn: Turn, what: str) -> list[Message]:
    """A `yes` right after a read-back (`bot.features.wig_readback`): the value held
    is kept as if typed with `confirm`. An update's WIG is found by its id, so a WIG
    closed meanwhile (the numbers shift) is never given another's value; an add's
    line is read again, with `confirm`, so whatever else it must pass still holds."""
    leader = turn.person.role in ("manager", "admin")
    if what.startswith(wig_readback.ADD):
        verb, _, text = what.removeprefix(wig_readback.ADD).partition(" ")
        return [await _add_wig(turn, f"{text} confirm", leader, verb)]
    wig_id, _, value = what.removeprefix(wig_readback.UPDATE).partition(":")
    async with turn.db.session() as session:
        wigs = await wig_store.active_wigs(session, turn.person.id)  # type: ignore[arg-type]
        found = [(n, w) for n, w in enumerate(wigs, 1) if str(w.id) == wig_id]
        if not leader or not found:
            return [Message(prompts.render("cadence/wig/readback", outcome="gone"), private=True)]
        return [await _store(turn, session, found[0][1], found[0][0], float(value))]


def _example(wig: Any) -> float:
    """The value a WIG's re-asks offer: its target, made whole for a count (a WIG
    "to 1.5 deals" set before fractions were refused offered "1.5", the very
    value "isn't a whole number" refused)."""
    return whole_value(wig.from_value, wig.to_value, wig.to_value) if is_count_unit(wig.unit) else wig.to_value


feature.holds(wig_readback.KIND, wig_readback.forgotten, keeps=wig_readback.answers)
feature.responder(BEFORE_CONVERSATION, wig_readback.Answer(_keep_held))
feature.responder(wig_readback.STRAY, wig_readback.Stray())
