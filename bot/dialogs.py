"""The bridge between the coach and the pure flow engine.

The engine decides what to ask and what to store; this module does everything that
touches the world: it loads and saves the person's conversation after every step,
renders the engine's template names into Messages, offers to park a conversation
when another one starts, and runs the end actions that write OKRs, discovery notes
and salary talks.

End actions are found by name. Modules that register more of them with `@action`
are listed in ACTION_MODULES below; each is imported before a flow runs (a module
that is not there yet is skipped), and `check_actions()` refuses a flow whose `end:`
names an action nobody registered.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import prompts
from bot.cadence import OKR_CHECKIN, available_at, default_rule, parse_working_days
from bot.channel import DeliveryError
from bot.messages import Choice, Message
from conversations import engine
from conversations.engine import Flow, Reply, Say
from conversations.loader import FlowError, flows
from conversations.validators import Env, find_person
from storage import accounts, conversations, okrs, people, salary
from storage.models import Conversation, Person

if TYPE_CHECKING:
    from bot.coach import Coach, Turn

log = logging.getLogger(__name__)

# Modules that register end actions with @action (imported before any flow runs).
# bot.checkins (the cadence flows okr_checkin / wig_session) registers
# record_checkin and record_wig_session.
ACTION_MODULES: tuple[str, ...] = ("bot.checkins",)

Action = Callable[["Turn", dict[str, Any]], Awaitable[list[Message]]]
ACTIONS: dict[str, Action] = {}
_modules_loaded = False


def action(name: str) -> Callable[[Action], Action]:
    """Register an end action: `end: <name>` in a flow file calls it with the flow's
    result; it returns extra messages for the person (possibly none)."""

    def register(function: Action) -> Action:
        ACTIONS[name] = function
        return function

    return register


def load_action_modules() -> None:
    """Import the modules of ACTION_MODULES once, so their @action lines run."""
    global _modules_loaded
    if _modules_loaded:
        return
    for module in ACTION_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise
            log.debug("action module %s is not installed yet", module)
    _modules_loaded = True


def check_actions(found: Mapping[str, Flow] | None = None) -> None:
    """Raise FlowError when a flow ends with an action no module registered."""
    load_action_modules()
    for flow in (found or flows()).values():
        for name, step_id in flow.actions().items():
            if name not in ACTIONS:
                raise FlowError(flow.source, step_id, f"unknown end action {name!r}; "
                                f"registered: {', '.join(sorted(ACTIONS))}")


# --- time and rendering ----------------------------------------------------------------


def local_today(person: Person, now: datetime) -> date:
    """The person's own calendar day: "next Friday" means theirs, not the server's."""
    try:
        zone = ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def render(flow: Flow, says: Iterable[Say]) -> list[Message]:
    """The engine's template names and values, as neutral messages. A message with
    buttons gets a key of its own, so a channel can accept one click per card."""
    out: list[Message] = []
    for say in says:
        choices = [Choice(prompts.render(o.labels, value=o.value), o.value) for o in say.choices]
        key = f"{flow.name}:{uuid.uuid4().hex[:16]}" if choices else None
        out.append(Message(prompts.render(say.template, **say.values), choices=choices,
                           private=flow.private, key=key))
    return out


def title(flow: Flow, state: Mapping[str, Any]) -> str:
    return prompts.render(flow.title, context=state.get("context") or {},
                          answers=state.get("answers") or {})


async def _env(turn: Turn, flow: Flow, state: Mapping[str, Any]) -> Env:
    step = flow.steps.get(state.get("step", ""))
    directory: list[dict[str, Any]] = []
    if step is not None and step.validate == "person":
        async with turn.db.session() as session:
            directory = await conversations.directory(session, turn.person.org_id)
    return Env(local_today(turn.person, turn.now), turn.person.timezone, directory)


def _flow(name: str) -> Flow:
    load_action_modules()
    return flows()[name]


# --- playing a flow --------------------------------------------------------------------


async def _apply(turn: Turn, flow: Flow, conversation_id: int, reply: Reply) -> list[Message]:
    """Run the end actions, then save the new state; the state is saved only when the
    actions succeeded, so a failure leaves the person at their last question."""
    extra: list[Message] = []
    try:
        for store in reply.store:
            extra.extend(await ACTIONS[store.action](turn, store.data))
    except Exception:
        log.exception("end action of flow %s failed for person %s", flow.name, turn.person.id)
        return [Message(prompts.render("flows/common/action_failed"), private=flow.private)]
    waiting: list[Message] = []
    async with turn.db.session() as session:
        conversation = await conversations.get(session, conversation_id)
        if conversation is not None:
            await conversations.save(session, conversation, reply.state, reply.status)
        if reply.finished:
            waiting = _waiting(await conversations.parked_for(session, turn.person.id))  # type: ignore[arg-type]
    return render(flow, reply.say) + extra + waiting


def _waiting(parked: Iterable[Conversation]) -> list[Message]:
    """When a conversation ends, offer to pick up the ones parked for it."""
    known = [(c, flows()[c.flow]) for c in parked if c.flow in flows()]
    if not known:
        return []
    names = [title(flow, c.state) for c, flow in known]
    choices = [Choice(prompts.render(engine.LABEL, value="resume", name=name), f"resume:{c.id}")
               for (c, _), name in zip(known, names, strict=True)]
    return [Message(prompts.render("flows/common/waiting", names=names), choices=choices,
                    private=any(flow.private for _, flow in known))]


class DialogResponder:
    """Claims a turn when the person has a conversation in progress."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        async with turn.db.session() as session:
            conversation = await conversations.active(session, turn.person.id)  # type: ignore[arg-type]
        if conversation is None:
            return await _resume_parked(turn)
        load_action_modules()
        flow = flows().get(conversation.flow)
        if flow is None:  # the flow file was removed: let the message go elsewhere
            async with turn.db.session() as session:
                await conversations.set_status(session, conversation, "cancelled")
            return None
        said = turn.event.action or turn.text
        if turn.event.action and turn.event.action.startswith("resume:"):
            # an old "continue …" button while another conversation runs: stay with it
            kept = Message(prompts.render("flows/common/kept", current=title(flow, conversation.state)),
                           private=flow.private)
            today = local_today(turn.person, turn.now)
            return [kept] + render(flow, engine.repeat(flow, conversation.state, today).say)
        if conversation.state.get("pending"):
            answered = await _answer_pending(turn, conversation, flow, said)
            if answered is not None:
                return answered
            async with turn.db.session() as session:
                conversation = await conversations.get(session, conversation.id)  # type: ignore[arg-type,assignment]
            assert conversation is not None
        reply = engine.advance(flow, conversation.state, said, await _env(turn, flow, conversation.state))
        return await _apply(turn, flow, conversation.id, reply)  # type: ignore[arg-type]


async def _resume_parked(turn: Turn) -> list[Message] | None:
    """A "resume:<id>" button from the end of another conversation: carry on with that
    parked one (only the person's own, and only while it is still parked)."""
    picked = turn.event.action or ""
    if not picked.startswith("resume:") or not picked[7:].isdigit():
        return None
    async with turn.db.session() as session:
        waiting = await conversations.get(session, int(picked[7:]))
        if waiting is None or waiting.person_id != turn.person.id or waiting.status != "parked" \
                or waiting.flow not in flows():
            return None
        await conversations.set_status(session, waiting, "active")
    flow = flows()[waiting.flow]
    resumed = Message(prompts.render("flows/common/resumed", current=title(flow, waiting.state)),
                      private=flow.private)
    return [resumed] + render(flow, engine.repeat(flow, waiting.state,
                                                   local_today(turn.person, turn.now)).say)


REMINDER_HOURS = (8, 18)  # a reminder is not a prompt: only in the local working day


async def reachable_now(coach: Coach, person_ids: Iterable[int], moment: datetime) -> set[int]:
    """Who may get a reminder at `moment`: a working day that is not a holiday or an
    absence, outside their quiet hours, between 08:00 and 18:00 their time. The others
    are tried again at the next run, so a Friday-evening silence is reminded on Monday."""
    from bot.scheduler import load_population

    ids = set(person_ids)
    if not ids:
        return set()
    population = await load_population(coach.db, moment, ids, days=1)
    reachable: set[int] = set()
    for person_id in ids:
        calendar = population.calendars.get(person_id)
        if calendar is None or available_at(calendar, moment) > moment:
            continue
        if REMINDER_HOURS[0] <= moment.astimezone(calendar.zone).hour < REMINDER_HOURS[1]:
            reachable.add(person_id)
    return reachable


async def remind_abandoned(coach: Coach, idle: timedelta = timedelta(hours=20)) -> int:
    """Nudge people who stopped in the middle of a conversation, once per silence.

    For the scheduler to call now and then; returns how many were reminded. A person
    no channel can reach is skipped (and tried again next time)."""
    from bot.clock import now

    reminded = 0
    async with coach.db.session() as session:
        quiet = await conversations.abandoned(session, now() - idle)
    awake = await reachable_now(coach, {c.person_id for c in quiet}, now())
    for conversation in quiet:
        flow = flows().get(conversation.flow)
        if flow is None or conversation.person_id not in awake:
            continue
        async with coach.db.session() as session:
            person = await people.get(session, conversation.person_id)
        if person is None or not person.active:
            continue
        text = prompts.render("flows/common/reminder", current=title(flow, conversation.state))
        question = render(flow, engine.repeat(flow, conversation.state, local_today(person, now())).say)
        try:
            await coach.deliver(conversation.person_id, [Message(text, private=flow.private), *question])
        except DeliveryError:
            continue
        async with coach.db.session() as session:
            await conversations.mark_reminded(session, conversation)
        reminded += 1
    return reminded


async def remind_salary_follow_ups(coach: Coach) -> int:
    """Remind managers, privately, when the follow-up date of a salary talk has come in
    their own calendar (seed 003: check after a few months that the rep is still happy).
    For the scheduler to call daily; each talk is reminded once. Returns how many."""
    from bot.clock import now

    moment = now()
    reminded = 0
    async with coach.db.session() as session:
        due = await salary.follow_ups_due(session, moment.date() + timedelta(days=1))
    awake = await reachable_now(coach, {t.manager_id for t in due}, moment)
    for talk in due:
        if talk.manager_id not in awake:
            continue
        async with coach.db.session() as session:
            manager = await people.get(session, talk.manager_id)
            rep = await people.get(session, talk.rep_id)
        if manager is None or rep is None or not manager.active:
            continue
        if talk.follow_up_on is None or talk.follow_up_on > local_today(manager, moment):
            continue
        text = prompts.render("flows/salary/follow_up_due", rep_name=rep.name,
                              rep_first_name=_first(rep.name), agreed=talk.outcome.get("agreed"),
                              satisfied=talk.outcome.get("satisfied"),
                              talked_on=local_date(talk.updated_at, manager))
        try:
            await coach.deliver(manager.id, [Message(text, private=True)])  # type: ignore[arg-type]
        except DeliveryError:
            continue
        async with coach.db.session() as session:
            current = await salary.get(session, talk.id)  # type: ignore[arg-type]
            if current is not None:
                await salary.mark_follow_up_reminded(session, current)
        reminded += 1
    return reminded


async def _answer_pending(turn: Turn, conversation: Conversation, flow: Flow,
                          said: str) -> list[Message] | None:
    """The person was asked whether to park the current conversation for a new one."""
    state = dict(conversation.state)
    pending = state.pop("pending")
    word = said.strip().lower()
    async with turn.db.session() as session:
        current = await conversations.get(session, conversation.id)  # type: ignore[arg-type]
        assert current is not None
        if word in ("park", "1", "yes", "y"):
            await conversations.save(session, current, state, "parked")
        else:
            await conversations.save(session, current, state)
    name = title(flow, state)
    if word in ("park", "1", "yes", "y"):
        parked = Message(prompts.render("flows/common/parked", current=name), private=flow.private)
        return [parked] + await start_flow(turn, pending["flow"], pending.get("context") or {})
    if word in ("stay", "2", "no", "n"):
        kept = Message(prompts.render("flows/common/kept", current=name), private=flow.private)
        return [kept] + render(flow, engine.repeat(flow, state, local_today(turn.person, turn.now)).say)
    return None  # anything else is an answer to the current question


async def start_flow(turn: Turn, flow_name: str, context: dict[str, Any]) -> list[Message]:
    """Start (or resume) a flow for the person of `turn`.

    Same flow and subject already active: the current question is asked again. Another
    flow active: ask whether to park it. A parked one of this flow and subject: resume
    it where it stopped. Otherwise a fresh start. Other modules (the check-in prompt)
    call this too; `context["subject"]` tells conversations of one flow apart.
    """
    flow = _flow(flow_name)
    subject = context.get("subject")
    today = local_today(turn.person, turn.now)
    person_id: int = turn.person.id  # type: ignore[assignment]
    async with turn.db.session() as session:
        current = await conversations.active(session, person_id)
        if current is not None:
            same = current.flow == flow_name and (current.state.get("context") or {}).get("subject") == subject
            current_flow = flows().get(current.flow)
            if same and current_flow is not None:
                resumed = Message(prompts.render("flows/common/resumed", current=title(flow, current.state)),
                                  private=flow.private)
                return [resumed] + render(flow, engine.repeat(flow, current.state, today).say)
            if current_flow is not None:
                state = dict(current.state)
                state["pending"] = {"flow": flow_name, "context": context}
                await conversations.save(session, current, state)
                question = prompts.render("flows/common/park_question", current=title(current_flow, state),
                                          wanted=title(flow, {"context": context}))
                choices = [Choice(prompts.render(engine.LABEL, value=v), v) for v in ("park", "stay")]
                return [Message(question, choices=choices, private=current_flow.private or flow.private)]
            await conversations.set_status(session, current, "cancelled")
        waiting = await conversations.parked(session, person_id, flow_name, subject)
        if waiting is not None:
            await conversations.set_status(session, waiting, "active")
            resumed = Message(prompts.render("flows/common/resumed", current=title(flow, waiting.state)),
                              private=flow.private)
            return [resumed] + render(flow, engine.repeat(flow, waiting.state, today).say)
        reply = engine.start(flow, context, today)
        conversation = await conversations.start(session, person_id, flow_name, reply.state, "active")
    return await _apply(turn, flow, conversation.id, reply)  # type: ignore[arg-type]


# --- the commands that start flows -----------------------------------------------------


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else name


def goal_year(today: date, args: str) -> int:
    """Goals are set for the coming year from October on (seed 002: Q4 or early Q1)."""
    for word in args.split():
        if word.isdigit() and len(word) == 4:
            return int(word)
    return today.year + 1 if today.month >= 10 else today.year


async def start_goals(turn: Turn, args: str) -> list[Message]:
    """`/okr goals [YEAR]`: the New Year goal-setting conversation."""
    year = goal_year(local_today(turn.person, turn.now), args)
    manager: Person | None = None
    if turn.person.manager_id is not None:
        async with turn.db.session() as session:
            manager = await people.get(session, turn.person.manager_id)
    context = {
        "subject": f"goals:{year}",
        "year": str(year),
        "first_name": _first(turn.person.name),
        "rep_name": turn.person.name,
        "manager_name": _first(manager.name) if manager else prompts.render("flows/goals/no_manager"),
        "has_manager": manager is not None,
    }
    return await start_flow(turn, "goals", context)


async def start_discovery(turn: Turn, args: str) -> list[Message]:
    """`/okr discover ACCOUNT`: the customer's-year questions, answers kept on the account."""
    name = args.strip().strip('"')
    if not name:
        return [Message(prompts.render("flows/discovery/usage"), private=True)]
    async with turn.db.session() as session:
        account = await accounts.find_or_create(session, turn.person.org_id, name, turn.person.id)
        last = await accounts.latest_note(session, account.id)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "subject": f"account:{account.id}",
        "account_id": account.id,
        "account_name": account.name,
        "first_name": _first(turn.person.name),
        "last": dict(last.answers) if last else None,
        "last_date": local_date(last.recorded_at, turn.person).isoformat() if last else None,
    }
    return await start_flow(turn, "discovery", context)


def local_date(instant: datetime, person: Person) -> date:
    return local_today(person, instant)


async def resolve_report(turn: Turn, args: str) -> dict[str, Any] | None:
    """The person `args` names, if the asker may see them: their own direct report for a
    manager, anyone in the organisation for an admin."""
    async with turn.db.session() as session:
        directory = await conversations.directory(session, turn.person.org_id)
    found = find_person(args, directory) if args.strip() else None
    if found is None or found["id"] == turn.person.id:
        return None
    if turn.person.role == "admin" or found.get("manager_id") == turn.person.id:
        return dict(found)
    return None


async def start_salary_prep(turn: Turn, args: str) -> list[Message]:
    """`/okr salary-prep @rep`: prepare the talk, or after it, follow it up. Private."""
    rep = await resolve_report(turn, args)
    if rep is None:
        return [Message(prompts.render("flows/salary/usage", given=args.strip()), private=True)]
    async with turn.db.session() as session:
        talk = await salary.open_talk(session, turn.person.id, rep["id"])  # type: ignore[arg-type]
        since = turn.now - timedelta(days=365)
        figures = await salary.performance(session, rep["id"], since)
    context: dict[str, Any] = {
        "subject": f"salary:{rep['id']}",
        "rep_id": rep["id"],
        "rep_name": rep["name"],
        "rep_first_name": _first(rep["name"]),
        "first_name": _first(turn.person.name),
        "figures": figures,
    }
    if talk is not None and talk.status == "prepared":
        context["talk_id"] = talk.id
        context["preparation"] = dict(talk.preparation)
        return await start_flow(turn, "salary_followup", context)
    return await start_flow(turn, "salary_prep", context)


# --- end actions -----------------------------------------------------------------------


REVIEW_INTERVALS = ("weekly", "biweekly", "monthly")


def review_rule(choice: str, working_days: str | None) -> tuple[str, str, date | None]:
    """The check-in rule for the review rhythm a rep chose: the built-in check-in day
    and time (the second working day of their week), every one, two weeks or the
    first such day of each month. Returns (rrule, local time, anchor)."""
    base = default_rule(OKR_CHECKIN, parse_working_days(working_days))
    day = next(p for p in base.rrule.split(";") if p.startswith("BYDAY="))[len("BYDAY="):]
    rules = {
        "weekly": f"FREQ=WEEKLY;BYDAY={day}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        "monthly": f"FREQ=MONTHLY;BYDAY=+1{day}",
    }
    return rules[choice], base.local_time.strftime("%H:%M"), base.anchor_on


def _key_results(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"title": kr.get("text") or "", "target": kr.get("target") or 0, "start": kr.get("start"),
         "unit": kr.get("unit") or "", "due": kr.get("due")}
        for kr in items
    ]


@action("save_goals")
async def save_goals(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Store the objectives and key results, then send the plan to the manager."""
    answers, context = data["answers"], data["context"]
    year = str(context["year"])
    year_end = f"{year}-12-31"
    org_id, owner_id = turn.person.org_id, turn.person.id
    async with turn.db.session() as session:
        await okrs.replace_period(session, owner_id, year)  # type: ignore[arg-type]
        for objective in answers.get("objectives") or []:
            await okrs.create_objective(
                session, org_id, owner_id, objective["title"], year,  # type: ignore[arg-type]
                objective.get("priority"), _key_results(objective.get("key_results") or []))
        numbers: list[dict[str, Any]] = []
        quota = answers.get("quota") or {}
        if quota.get("amount"):
            numbers.append({"title": prompts.render("flows/goals/kr_quota", quota=quota, year=year),
                            "target": quota["amount"], "start": (answers.get("booked") or {}).get("amount"),
                            "unit": quota.get("currency") or "", "due": year_end})
        if answers.get("new_customers"):
            numbers.append({"title": prompts.render("flows/goals/kr_new_customers",
                                                    count=answers["new_customers"], year=year),
                            "target": answers["new_customers"], "unit": "customers", "due": year_end})
        if answers.get("retention") is not None:
            numbers.append({"title": prompts.render("flows/goals/kr_retention",
                                                    share=answers["retention"], year=year),
                            "target": round(answers["retention"] * 100, 2), "unit": "%", "due": year_end})
        if numbers:
            await okrs.create_objective(
                session, org_id, owner_id,  # type: ignore[arg-type]
                prompts.render("flows/goals/objective_numbers", year=year), year, None, numbers)
        cadence = answers.get("cadence")
        if cadence in REVIEW_INTERVALS:
            rrule, local_time, anchor = review_rule(cadence, turn.person.working_days)
            await okrs.set_person_cadence(session, org_id, owner_id, OKR_CHECKIN,  # type: ignore[arg-type]
                                          rrule, local_time, anchor)
    manager_name = context.get("manager_name") if context.get("has_manager") else None
    sent = False
    if turn.person.manager_id is not None:
        plan = prompts.render("flows/goals/for_manager", answers=answers, context=context)
        sent = await turn.coach.send_copy(turn.person.manager_id, [Message(plan)])
    return [Message(prompts.render("flows/goals/sent_to_manager", sent=sent, manager_name=manager_name))]


@action("save_discovery")
async def save_discovery(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the customer's answers on the account, dated."""
    async with turn.db.session() as session:
        await accounts.add_note(session, int(data["account_id"]), turn.person.id,  # type: ignore[arg-type]
                                data["answers"])
    return []


@action("save_salary_prep")
async def save_salary_prep(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Keep the manager's preparation, private to them, until the follow-up."""
    async with turn.db.session() as session:
        await salary.save_preparation(session, turn.person.org_id, turn.person.id,  # type: ignore[arg-type]
                                      int(data["rep_id"]), data["answers"])
    return []


@action("save_salary_outcome")
async def save_salary_outcome(turn: Turn, data: dict[str, Any]) -> list[Message]:
    """Record what was agreed; send the rep the summary only if the manager chose to."""
    answers, context = data["answers"], data["context"]
    summary: str | None = answers.get("summary")
    sent_at: datetime | None = None
    reply: list[Message] = []
    if summary and answers.get("send") == "send":
        text = prompts.render("flows/salary/summary_for_rep", summary=summary,
                              manager_name=turn.person.name, rep_first_name=context["rep_first_name"])
        if await turn.coach.send_copy(int(context["rep_id"]), [Message(text, private=True)]):
            sent_at = turn.now
        reply.append(Message(prompts.render("flows/salary/summary_sent", sent=sent_at is not None,
                                            rep_first_name=context["rep_first_name"]), private=True))
    follow_up = answers.get("follow_up")
    async with turn.db.session() as session:
        talk = await salary.get(session, int(context["talk_id"]))
        if talk is None or talk.manager_id != turn.person.id:
            raise LookupError(f"salary talk {context['talk_id']} is not this manager's")
        await salary.save_outcome(session, talk, answers, summary,
                                  date.fromisoformat(follow_up) if follow_up else None, sent_at)
    return reply
