"""The `action_items` validator: action items agreed in a one-on-one, one a message or one per line,
each with an optional owner ("me:" or a person's name) and an optional due day.
Registered in `validators.VALIDATORS` when the package is imported."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from conversations.dates import date_words
from conversations.horizon import meant_day, years_after
from conversations.passed_days import JUST_PASSED_DAYS, last_passed
from conversations.validators import (
    _DATE_WORD,
    LISTS,
    VALIDATORS,
    Env,
    Invalid,
    Result,
    Valid,
    _due_date,
    find_person,
    items,
)

_OWNER = re.compile(r"^\s*(?P<owner>[^:]{1,60}?)\s*:\s*(?P<rest>.+)$")
_SELF = {"me", "i", "myself"}


def action_items(raw: str, env: Env, *, max_items: int = 10, max_length: int = 300) -> Result:
    """Action items, one per line (the engine takes them one a message too, `LISTS`;
    `line`: each item's words as typed, shown back): "Ravi: send ACME the proposal by Friday",
    "me: intro to the CFO by May 3", or without an owner (then the rep). An owner who
    is not "me" must be someone in `env.people`; an unknown one is asked again. A
    yearless due day that passed within `passed_days.JUST_PASSED_DAYS` ("by Nov 29"
    typed on 30 November) is asked about ("due_passed"), never read as next year's. A
    due day past `latest_due` ("by 2207-01-01", a year typed wrongly) is asked again
    ("due_too_far") with that day in the year ahead as the example. A due day worth
    reading back (`DateReading.needs_words`: "by 03/04", "by next Monday" on a Sunday,
    "by mid April") is, the first one, before the items are kept."""
    listed = items(raw, env, max_items=max_items, max_length=max_length)
    if isinstance(listed, Invalid):
        return listed
    found: list[dict[str, Any]] = []
    doubt: dict[str, Any] | None = None  # the first due day worth reading back ("by the 31st", "by 03/04")
    for line in listed.value:
        typed, owner = line, None
        match = _OWNER.match(line)
        if match is not None and not _DATE_WORD.search(match.group("owner")):
            word = match.group("owner").strip()
            if word.lower() in _SELF:
                owner = "me"
            else:
                person_ = find_person(word, env.people)
                if person_ is None:
                    return Invalid("unknown_owner", {"given": word})
                owner = int(person_["id"])
            line = match.group("rest").strip()
        body, due, said = _due_date(line, env)
        passed = last_passed(said.strip(" .!"), env.today, env.timezone, env.country) if due else None
        if passed is not None and (env.today - passed).days <= JUST_PASSED_DAYS:
            # "by Nov 29" typed on 30 November: asked, never due a year on unasked
            return Invalid("due_passed", {"line": line, "given": said.strip(" .!"), "passed": passed.isoformat(),
                                          "next": due.day.isoformat(),  # type: ignore[union-attr]
                                          "next_typed": f"{due.day.day} {due.day:%b %Y}"})  # type: ignore[union-attr]
        if due is not None and due.day > (latest := latest_due(env.today)):
            return Invalid("due_too_far", {"line": line, "given": said.strip(" .!"), "date": due.day.isoformat(),
                                           "latest": latest.isoformat(), "example": _year_ahead(due.day, env.today)})
        if due is not None and due.needs_words and doubt is None:
            doubt = date_words(due, said.strip(" .!"))
        found.append({"owner": owner, "text": body.strip(" ,;") or line, "due": due.day.isoformat() if due else None,
                      "line": typed})
    return Valid(found, doubt)


def latest_due(today: date) -> date:
    """The furthest day an action item may be due: one year after `today` (the
    person's local day; 29 February: the 28th). Tighter than a WIG's three years
    (`wig_text.latest_deadline`): an action item agreed in a one-on-one is due within
    weeks, at most months (it is reminded on its day and carried into the next
    briefs), so a year leaves room for the longest while a slip in the year
    ("2207" for 2027) lands far past it and is asked again."""
    return years_after(today, 1)


def _year_ahead(day: date, today: date) -> str:
    """`day`'s month and day in the year within `latest_due` most likely meant
    (`horizon.meant_day`: "1 Jan 2027" for a typed 2207-01-01), as the re-ask's example."""
    found = meant_day(day, today, 1)
    return f"{found.day} {found:%b %Y}"




VALIDATORS["action_items"] = action_items
LISTS.add("action_items")  # one item a message, as every list question
