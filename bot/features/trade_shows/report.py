"""An event's result (seed 003: a lead's chance to close halves within days, so the
follow-up is what counts): leads per person and temperature, the share followed up
by the deadline, the median time from capture to first follow-up, meetings booked,
opportunities and their value, and a chart (matplotlib, Agg backend: no display).
Per-person figures are shown only for people the reader may see; the others are
summed in one unnamed row (the event's totals stay whole).
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import prompts
from bot.core.messages import Image, Message
from bot.features.access import may_see
from storage import conversations, people
from storage import trade_shows as store
from storage.db import Database
from storage.models import Event, Lead, Person


@dataclass
class PersonFigures:
    name: str
    person_id: int = 0
    others: int = 0  # > 0: the summed figures of this many people the reader may not see
    captured: int = 0
    temperatures: Counter[str] = field(default_factory=Counter)
    followed: int = 0
    on_time: int = 0


@dataclass
class Figures:
    """The report's numbers. Percentages are 0..100; hours are wall-clock hours."""

    captured: int
    temperatures: dict[str, int]
    with_deadline: int
    on_time: int
    on_time_percent: float | None
    median_hours: float | None
    meetings: int
    opportunities: int
    value: float
    currency: str | None
    people: list[PersonFigures]
    hours: list[float]


def figures(leads: Iterable[Lead], names: Mapping[int, str]) -> Figures:
    """The figures of these leads, credited to whoever captured each one. On time: the
    first follow-up at or before the deadline, among leads that had a deadline."""
    per: dict[int, PersonFigures] = {}
    temperatures: Counter[str] = Counter()
    hours: list[float] = []
    with_deadline = on_time = meetings = opportunities = 0
    value = 0.0
    currencies: set[str] = set()
    rows = list(leads)
    for lead in rows:
        who = lead.captured_by or lead.owner_id
        person = per.setdefault(who, PersonFigures(names.get(who, f"#{who}"), who))
        person.captured += 1
        temperature = lead.temperature or "unrated"
        person.temperatures[temperature] += 1
        temperatures[temperature] += 1
        if lead.followed_up_at is not None:
            person.followed += 1
            hours.append((lead.followed_up_at - lead.captured_at).total_seconds() / 3600)
        if lead.due_at is not None:
            with_deadline += 1
            if lead.followed_up_at is not None and lead.followed_up_at <= lead.due_at:
                on_time += 1
                person.on_time += 1
        if lead.status == "meeting":
            meetings += 1
        if lead.status == "opportunity":
            opportunities += 1
            value += lead.value or 0.0
            if lead.currency:
                currencies.add(lead.currency)
    return Figures(
        captured=len(rows),
        temperatures={t: temperatures[t] for t in ("hot", "warm", "cold", "unrated") if temperatures[t]},
        with_deadline=with_deadline, on_time=on_time,
        on_time_percent=round(100 * on_time / with_deadline, 1) if with_deadline else None,
        median_hours=round(statistics.median(hours), 1) if hours else None,
        meetings=meetings, opportunities=opportunities, value=value,
        currency=currencies.pop() if len(currencies) == 1 else None,
        people=sorted(per.values(), key=lambda p: (-p.captured, p.name)), hours=hours)


def chart(found: Figures, title: str) -> bytes:
    """Two panels as PNG: leads per person by temperature (stacked bars), and the days
    from capture to first follow-up (histogram)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), dpi=100)
    left, right = figure.subplots(1, 2)
    labels = [p.name for p in found.people]
    bottom = [0] * len(labels)
    for temperature, colour in (("hot", "#d62728"), ("warm", "#ff7f0e"), ("cold", "#1f77b4"),
                                ("unrated", "#999999")):
        counts = [p.temperatures.get(temperature, 0) for p in found.people]
        if any(counts):
            left.bar(labels, counts, bottom=bottom, label=temperature, color=colour)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    left.set_title(prompts.render("trade_shows/chart_leads"))
    left.legend(fontsize=8)
    left.tick_params(axis="x", labelrotation=30, labelsize=8)
    days = [h / 24 for h in found.hours]
    right.hist(days or [0], bins=max(1, min(10, len(days))), color="#2ca02c")
    right.set_title(prompts.render("trade_shows/chart_timing"))
    right.set_xlabel(prompts.render("trade_shows/chart_days"))
    figure.suptitle(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def only_visible(found: Figures, visible: Callable[[int], bool]) -> Figures:
    """The figures with each person the reader may not see folded into one "others"
    row (their sums, no names); the event's totals stay whole."""
    shown = [p for p in found.people if visible(p.person_id)]
    hidden = [p for p in found.people if not visible(p.person_id)]
    if not hidden:
        return found
    others = PersonFigures("", others=len(hidden))
    for p in hidden:
        others.captured += p.captured
        others.followed += p.followed
        others.on_time += p.on_time
        others.temperatures.update(p.temperatures)
    others.name = prompts.render("trade_shows/others_label", count=len(hidden))
    return replace(found, people=[*shown, others])


async def report_messages(db: Database, event: Event, moment: datetime,
                          viewer: Person | None = None) -> list[Message]:
    """The report as messages: figures per person and overall, and the chart. For a
    `viewer`, per-person figures only of people they may see (`access.may_see`: their
    own, their direct reports', anyone's for an admin); the rest summed in one row."""
    async with db.session() as session:
        leads = await store.leads_of_event(session, event.id)  # type: ignore[arg-type]
        team = await store.attendees(session, event.id)  # type: ignore[arg-type]
        directory = await conversations.directory(session, event.org_id)
    names: dict[int, str] = defaultdict(str, {p.id: p.name for _, p in team})  # type: ignore[misc]
    missing = {lead.captured_by or lead.owner_id for lead in leads} - set(names)
    if missing:
        async with db.session() as session:
            for pid in missing:
                person = await people.get(session, pid)
                names[pid] = person.name if person is not None else f"#{pid}"
    found = figures(leads, names)
    if viewer is not None:
        rows = {int(p["id"]): p for p in directory}
        found = only_visible(found, lambda pid: may_see(viewer, rows.get(pid)))
    values: dict[str, Any] = {"event": event, "f": found}
    text = prompts.render("trade_shows/report", **values)
    image = Image(chart(found, event.name), prompts.render("trade_shows/chart_alt", **values),
                  f"{event.name.replace(' ', '_')}_report.png") if found.captured else None
    return [Message(text, title=prompts.render("trade_shows/report_title", event=event), image=image)]
