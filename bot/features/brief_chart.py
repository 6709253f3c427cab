"""The brief's one chart: each key result's progress over the year, the pace it
needs (a straight line from its start to 100 % on its due day) and the rep's
confidence at each check-in as marks. Drawn headless (matplotlib's Agg backend, no
display needed) into a PNG of WIDTH x HEIGHT pixels, small enough for a Teams card
(well under its ~80 KB limit once base64-encoded)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: never look for a display
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import prompts  # noqa: E402
from bot.core.messages import Image  # noqa: E402

WIDTH, HEIGHT, DPI = 800, 400, 100
MARKS = {"on_track": ("o", "#2e7d32"), "at_risk": ("^", "#ef6c00"), "off_track": ("X", "#c62828")}


def _ratio(value: float, start: float, target: float) -> float:
    span = target - start
    if span == 0:
        return 1.0 if value >= target else 0.0
    return max(0.0, min(1.2, (value - start) / span))


def draw(key_results: Sequence[dict[str, Any]], history: dict[int, list[tuple[datetime, float, str | None]]],
         now: datetime, rep_name: str) -> Image | None:
    """The chart, or None when no key result has a single check-in to plot."""
    plotted = [kr for kr in key_results if history.get(kr["id"])]
    if not plotted:
        return None
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    axes = figure.add_subplot()
    for kr in plotted[:6]:
        points = history[kr["id"]]
        xs = [at for at, _, _ in points] + [now]
        ys = [_ratio(v, kr["start"], kr["target"]) * 100 for _, v, _ in points] + [kr["progress"] * 100]
        line = axes.plot(xs, ys, linewidth=1.8, label=kr["title"][:40])[0]
        begin = kr["created"] if kr.get("created") and kr["created"] < points[0][0] else points[0][0]
        due = kr.get("due_on")
        end = datetime(due.year, due.month, due.day, tzinfo=now.tzinfo) if due else begin + timedelta(days=365)
        axes.plot([begin, end], [0, 100], linestyle="--", linewidth=1, color=line.get_color(), alpha=0.6)
        groups: dict[str, tuple[list[datetime], list[float]]] = {}
        for at, value, confidence in points:  # one marker call per confidence: fast for a year of weeks
            group = groups.setdefault(confidence or "", ([], []))
            group[0].append(at)
            group[1].append(_ratio(value, kr["start"], kr["target"]) * 100)
        for confidence, (when, where) in groups.items():
            marker, colour = MARKS.get(confidence, ("o", "#607d8b"))
            axes.plot(when, where, linestyle="none", marker=marker, color=colour, markersize=4, zorder=3)
    axes.set_ylim(0, 110)
    axes.set_xlim(min(at for kr in plotted for at, _, _ in history[kr["id"]]) - timedelta(days=3),
                  now + timedelta(days=7))
    axes.set_ylabel(prompts.render("one_on_ones/chart_axis"))
    axes.set_title(prompts.render("one_on_ones/chart_title", name=rep_name), fontsize=11)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    alt = prompts.render("one_on_ones/chart_alt", name=rep_name, krs=plotted)
    return Image(buffer.getvalue(), alt, "key-results.png")
