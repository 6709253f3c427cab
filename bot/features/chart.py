"""The scorecard's picture (matplotlib, no GUI backend): each WIG's lag measure
against its straight-line pace, and each rep's lead measures against target.

Built for speed, since a team's post must draw in well under 200 ms: a Figure without
pyplot (no global state, safe on the event loop's thread), 80 dpi, a fixed layout
instead of tight_layout, few ticks (text layout is most of matplotlib's time), and
dates as day numbers with four labels instead of a date locator.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import prompts
from bot.features.pace import MeasureLine, expected_on, reading_day, start_of
from storage.models import Wig, WigReading


def scorecard_png(wigs: Sequence[Wig], readings: dict[int, list[WigReading]],
                  lines: Sequence[MeasureLine], today: date) -> bytes:
    """A PNG: the lag measure(s) against pace on the left (as a share of the way from
    X to Y, so two WIGs of different units share an axis), lead measures per rep on
    the right (share of target, 100 % = on target)."""
    # imported on first use (~1.5 s): a restarted `coachbot run` delivers before it draws
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3), dpi=80)
    FigureCanvasAgg(figure)
    lag = figure.add_axes((0.06, 0.2, 0.4, 0.68))
    lead = figure.add_axes((0.56, 0.2, 0.42, 0.68))
    first = min((start_of(w) for w in wigs), default=today)
    last = max((w.by_date for w in wigs), default=today)

    def x(day: date) -> int:
        return (day - first).days

    for wig in wigs:
        span = (wig.to_value - wig.from_value) or 1.0
        lag.plot([x(start_of(wig)), x(wig.by_date)], [0, 100], linestyle="--", color="grey", linewidth=1)
        points = readings.get(wig.id, [])  # type: ignore[arg-type]
        if points:
            lag.plot([x(reading_day(r)) for r in points], [(r.value - wig.from_value) / span * 100 for r in points],
                     marker="o", markersize=2, linewidth=1.2, label=wig.title[:30])
        lag.plot([x(today)], [(expected_on(wig, today) - wig.from_value) / span * 100], "o", color="grey",
                 markersize=3)
    ticks = [first + (last - first) * n / 3 for n in range(4)]
    lag.set_xticks([x(t) for t in ticks], [t.strftime("%b %y") for t in ticks], fontsize=7)
    lag.set_yticks([0, 50, 100], ["0%", "50%", "100%"], fontsize=7)
    lag.set_title(prompts.render("scorecard/chart_lag"), fontsize=9)
    if any(readings.get(w.id) for w in wigs):  # type: ignore[arg-type]
        lag.legend(fontsize=7, loc="upper left", frameon=False)
    names = sorted({name for line in lines for _, name, _, _ in line.reps})
    width = 0.8 / max(1, len(lines))
    for i, line in enumerate(lines):
        shares = {name: (actual or 0.0) / target * 100 if target else 0.0 for _, name, actual, target in line.reps}
        lead.bar([n + i * width for n in range(len(names))], [shares.get(name, 0.0) for name in names],
                 width=width, label=line.measure.title[:24])
    lead.axhline(100, color="grey", linestyle="--", linewidth=0.8)
    lead.set_xticks([n + 0.4 - width / 2 for n in range(len(names))],
                    [name.split(" ")[0][:8] for name in names], fontsize=6, rotation=60)
    lead.set_yticks([0, 100, 200], ["0%", "100%", "200%"], fontsize=7)
    lead.set_title(prompts.render("scorecard/chart_lead"), fontsize=9)
    if lines:
        lead.legend(fontsize=6, frameon=False, loc="upper right")
    out = io.BytesIO()
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()
