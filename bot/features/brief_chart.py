"""The brief's one chart: each key result's progress over the year, the pace it
needs (a straight line from its start to 100 % on its due day) and the rep's
confidence at each check-in as marks. Drawn headless with matplotlib's
object-oriented API on the Agg canvas (no pyplot, no display) into a PNG of
WIDTH x HEIGHT pixels, small enough for a Teams card (well under its ~80 KB limit
once base64-encoded).

Speed (issue #12: the chart < 300 ms, a 1,000-manager Monday < 60 s of CPU): one
figure is built per process and per thread and reused. Its frame, grid, ticks,
axis label and title are drawn once per x range and kept as pixels; a chart
restores them and draws only its own lines, marks and labels (Agg blitting). The
layout is a fixed rectangle (no tight_layout, no bbox_inches="tight", no automatic
label placement), the title names no one (the alt text and the brief do), and the
PNG is a 64-colour palette image at a fast zlib level. A chart is drawn only when
it says more than the text: some key result has two check-ins or more (a single
point is no trend). Figures: bench/brief_bench.py.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator
from PIL import Image as PILImage

import prompts
from bot.core.messages import Image
from storage.models import KeyResult

WIDTH, HEIGHT, DPI = 720, 360, 90  # pixels; DPI only scales the fonts and lines
MAX_KRS = 6  # more lines than this are unreadable; the text lists every key result
MIN_POINTS = 2  # a key result needs this many check-ins to be a line worth drawing
BACKGROUNDS = 16  # x ranges kept as pixels per process (a day has one or two)
PALETTE = 64  # colours: lines, marks, grey text and their anti-aliased edges
PNG_LEVEL = 1  # zlib level: a chart's flat colours compress about as well as at 6, much faster
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
MARKS = {"on_track": ("o", "#2e7d32"), "at_risk": ("^", "#ef6c00"), "off_track": ("X", "#c62828"),
         "": ("o", "#607d8b")}


def _ratio(value: float, start: float, target: float, kind: str = "total") -> float:
    """A past figure's progress: a total's way from start to target (up to 1.2, so an
    overshoot shows); any other kind (a floor, a ceiling, a rate, a quota) by
    `KeyResult.progress`, the one rule for those."""
    if kind != "total":
        return KeyResult(objective_id=0, title="", kind=kind, start_value=start, target_value=target,
                         current_value=value).progress
    span = target - start
    if span == 0:
        return 1.0 if value >= target else 0.0
    return max(0.0, min(1.2, (value - start) / span))


class _Template:
    """One reusable figure: axes, labels, grid and a pool of artists (per key result:
    its progress line, its pace line, one marker line per confidence and its label).

    The pool is "animated" (left out of a full draw): the background — frame, grid,
    ticks, axis label — is drawn once per x range and kept as pixels; a chart
    restores those pixels and draws only its own artists on top (Agg blitting)."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.add_axes((0.08, 0.1, 0.9, 0.8))
        axes.set_ylim(0, 110)
        axes.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
        axes.set_ylabel(prompts.render("one_on_ones/chart_axis"), fontsize=9)
        axes.yaxis.set_label_coords(-0.06, 0.5)  # fixed places: no measuring of tick labels
        axes.xaxis.set_label_coords(0.5, -0.1)
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
        axes.xaxis_date()
        locator = AutoDateLocator(minticks=3, maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.set_title(prompts.render("one_on_ones/chart_title"), fontsize=10, y=1.01)  # the same for everyone
        self.pool: list[tuple[Line2D, Line2D, dict[str, Line2D], Text]] = []
        for slot, colour in enumerate(COLOURS):
            progress = axes.plot([], [], linewidth=1.8, color=colour, animated=True)[0]
            pace = axes.plot([], [], linestyle="--", linewidth=1, color=colour, alpha=0.6, animated=True)[0]
            marks = {confidence: axes.plot([], [], linestyle="none", marker=marker, color=mark_colour,
                                           markersize=4, zorder=3, animated=True)[0]
                     for confidence, (marker, mark_colour) in MARKS.items()}
            label = axes.text(0.01, 0.96 - slot * 0.065, "", transform=axes.transAxes, color=colour, fontsize=7,
                              va="top", animated=True)
            self.pool.append((progress, pace, marks, label))
        self.backgrounds: dict[tuple[float, float], Any] = {}

    def _background(self, limits: tuple[float, float]) -> Any:
        found = self.backgrounds.get(limits)
        if found is None:
            if len(self.backgrounds) >= BACKGROUNDS:
                self.backgrounds.clear()
            self.axes.set_xlim(*limits)
            self.canvas.draw()
            found = self.backgrounds[limits] = self.canvas.copy_from_bbox(self.figure.bbox)
        return found

    def render(self, plotted: Sequence[dict[str, Any]], history: dict[int, list[tuple[datetime, float, str | None]]],
               now: datetime) -> bytes:
        now_x = date2num(now)
        first = min(history[kr["id"]][0][0] for kr in plotted)
        # the x range in whole days (first of the first point's month to a week after
        # today), so the reps of one day mostly share one background
        limits = (float(date2num(datetime(first.year, first.month, 1, tzinfo=first.tzinfo))),
                  float(date2num(datetime(now.year, now.month, now.day, tzinfo=now.tzinfo) + timedelta(days=8))))
        self.canvas.restore_region(self._background(limits))
        drawn: list[Any] = []
        for kr, (progress, pace, marks, label) in zip(plotted, self.pool, strict=False):
            points = history[kr["id"]]
            xs = date2num([at for at, _, _ in points])
            ys = [_ratio(v, kr["start"], kr["target"], kr.get("kind") or "total") * 100 for _, v, _ in points]
            progress.set_data([*xs, now_x], [*ys, kr["progress"] * 100])
            begin = kr["created"] if kr.get("created") and kr["created"] < points[0][0] else points[0][0]
            due = kr.get("due_on")
            end = datetime(due.year, due.month, due.day, tzinfo=now.tzinfo) if due else begin + timedelta(days=365)
            pace.set_data(date2num([begin, end]), [0, 100])
            for confidence, line in marks.items():
                chosen = [(x, y) for x, y, (_, _, c) in zip(xs, ys, points, strict=True) if (c or "") == confidence]
                line.set_data([x for x, _ in chosen], [y for _, y in chosen])
                if chosen:
                    drawn.append(line)
            label.set_text(prompts.render("one_on_ones/chart_label", title=kr["title"][:40]))
            drawn[1:1] = [pace, progress]
            drawn.append(label)
        for artist in drawn:
            self.axes.draw_artist(artist)
        buffer = io.BytesIO()
        PILImage.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
            .convert("RGB").quantize(PALETTE, method=PILImage.Quantize.FASTOCTREE) \
            .save(buffer, format="png", compress_level=PNG_LEVEL)
        return buffer.getvalue()


_local = threading.local()


def _template() -> _Template:
    found = getattr(_local, "template", None)
    if found is None:
        found = _local.template = _Template()
    return found


def draw(key_results: Sequence[dict[str, Any]], history: dict[int, list[tuple[datetime, float, str | None]]],
         now: datetime, rep_name: str) -> Image | None:
    """The chart, or None when no key result has MIN_POINTS check-ins to plot."""
    plotted = [kr for kr in key_results if len(history.get(kr["id"], ())) >= MIN_POINTS][:MAX_KRS]
    if not plotted:
        return None
    png = _template().render(plotted, history, now)
    alt = prompts.render("one_on_ones/chart_alt", name=rep_name, krs=plotted)
    return Image(png, alt, "key-results.png")
