"""The lead form: the same capture as the one-line `/okr lead`, as fields to fill in
(a Slack modal, inputs on a Teams card), for people who prefer tapping fields to
typing commas. Opened by "Log a lead" (under `/okr lead`, on the before-event prompt,
after each saved lead) and by `/okr lead form`; a submission comes back as the
`LEAD_FORM` action with the fields' values and goes through `leads.save_lead`, with
the same rules (`parsing.lead_from_fields`), duplicate merge and event choice. A
problem draws the form again with what was typed and the problem at its field.
"""

from __future__ import annotations

from datetime import timedelta

import prompts
from bot.core.coach import Turn
from bot.core.feature import BEFORE_CONVERSATION, EVERYONE
from bot.core.messages import Choice, Form, FormField, Message
from bot.features.trade_shows.base import feature
from bot.features.trade_shows.leads import capture_line, my_leads, reassign, running_events, save_lead
from bot.features.trade_shows.parsing import LIMITS, lead_from_fields
from conversations.validators import row_number, typed_digits
from storage import trade_shows as store
from storage.models import Event

LEAD_FORM = "leadform:submit"
OPENER = "/okr lead form"
FIELDS = ("name", "company", "temperature", "email", "phone", "note", "event")
# Events offered in the form: those the person attends or registered from two weeks
# ago (leads logged on the way home) to a month ahead.
BACK, AHEAD = timedelta(days=14), timedelta(days=31)


def _label(key: str) -> str:
    return prompts.render("trade_shows/form_label", key=key)


async def candidate_events(turn: Turn) -> list[Event]:
    day = turn.now.date()
    async with turn.db.session() as session:
        return list(await store.events_of(session, turn.person.id, day - BACK, day + AHEAD,  # type: ignore[arg-type]
                                          created=True))


def form_message(events: list[tuple[str, str]], values: dict[str, str] | None = None,
                 problems: dict[str, str] | None = None, *, saved: bool = False,
                 open_now: bool = False, name_event: str | None = None) -> Message:
    """The form as a message, pure: `events` are (id, label) to choose from; `values`
    fill it in again after a problem. Its text says how to do the same in one line
    (what a channel without forms shows), naming the event `name_event` when none is
    running (a line without one is refused then); "" when the person has no event."""
    values, problems = dict(values or {}), dict(problems or {})

    def error(key: str) -> str | None:
        code = problems.get(key)
        return str(prompts.render("trade_shows/form_error", code=code, limits=LIMITS)) if code else None

    def field(key: str, kind: str = "text", **more: object) -> FormField:
        return FormField(key, _label(key), kind, value=values.get(key, ""), error=error(key), **more)  # type: ignore[arg-type]

    fields = [
        field("name", required=True, max_length=LIMITS["name"]),
        field("company", max_length=LIMITS["company"]),
        field("temperature", "choice", options=tuple(Choice(_label(t), t) for t in ("hot", "warm", "cold"))),
        field("email", "email", max_length=LIMITS["email"]),
        field("phone", "phone", max_length=LIMITS["phone"]),
        field("note", "long_text", max_length=LIMITS["note"]),
    ]
    if events:
        fields.append(field("event", "choice", required=True,
                            options=tuple(Choice(label, value) for value, label in events)))
    text = prompts.render("trade_shows/form_intro", saved=saved, problems=problems, limits=LIMITS,
                          field_labels={k: _label(k) for k in FIELDS}, name_event=name_event)
    form = Form(_label("title"), _label("submit"), LEAD_FORM, tuple(fields), OPENER, _label("button"),
                open_now=open_now)
    return Message(text, form=form, private=True)


def event_option(event_id: object, name: str, starts_on: object) -> tuple[str, str]:
    return str(event_id), str(prompts.render("trade_shows/form_event", name=name, starts_on=starts_on))


async def lead_form(turn: Turn, values: dict[str, str] | None = None, problems: dict[str, str] | None = None,
                    *, saved: bool = False) -> Message:
    """The form for this person: their events to choose from (the running one chosen
    when there is one); opened at once where a channel can, while an event runs."""
    values = dict(values or {})
    events = await candidate_events(turn)
    running = await running_events(turn)
    if "event" not in values and len(running) == 1:
        values["event"] = str(running[0].id)
    return form_message([event_option(e.id, e.name, e.starts_on) for e in events], values, problems,
                        saved=saved, open_now=bool(running) and not saved and not problems,
                        name_event=None if running else (events[0].name if events else ""))


async def submit(turn: Turn) -> list[Message]:
    """A filled-in form: checked like a line, the event the one chosen (or the one
    running), saved through the same path; then a fresh form for the next lead."""
    values = dict(turn.event.values or {})
    parsed, problems = lead_from_fields(values)
    events = {str(e.id): e for e in await candidate_events(turn)}
    chosen = events.get(values.get("event") or "")
    if chosen is None:
        running = await running_events(turn)
        if values.get("event") or len(running) != 1:
            problems["event"] = "event"
        else:
            chosen = running[0]
    if chosen is None and not events:  # no event of theirs to choose: say how to name one
        line = ", ".join(v for k in FIELDS[:-1] if (v := " ".join(values.get(k, "").split())))
        return [Message(prompts.render("trade_shows/which_event", running=[], known=[], line=line), private=True)]
    if parsed is None or chosen is None:
        return [await lead_form(turn, values, problems)]
    return [*await save_lead(turn, chosen, parsed), await lead_form(turn, saved=True)]


@feature.command("lead", "/okr lead NAME, COMPANY, hot|warm|cold, NOTE", EVERYONE)
async def lead_command(turn: Turn, args: str) -> list[Message]:
    """`/okr lead Jane Roe, Acme, hot, note` captures; `/okr lead` lists your open
    leads with their buttons and offers the form; `/okr lead form` the form alone;
    `/okr lead 12 owner @sam` reassigns (managers)."""
    words = args.split()
    if not words:
        return [*await my_leads(turn), await lead_form(turn)]
    if len(words) == 1 and words[0].lower() == "form":
        return [await lead_form(turn)]
    if len(words) >= 2 and words[1].lower() == "owner" and (typed := typed_digits(words[0])) is not None:
        if (number := row_number(typed)) is None:  # 40 digits: no lead has them (never captured as a name)
            return [Message(prompts.render("trade_shows/no_such_lead", lead_id=typed), private=True)]
        return await reassign(turn, number, " ".join(words[2:]))
    return await capture_line(turn, args)


class LeadFormAnswers:
    """A submitted lead form (before any conversation may read it as an answer)."""

    async def respond(self, turn: Turn) -> list[Message] | None:
        if turn.event.action != LEAD_FORM:
            return None
        return await submit(turn)


feature.responder(BEFORE_CONVERSATION, LeadFormAnswers())
