"""The scorecard's picture (matplotlib, no GUI backend): each WIG's lag measure
against its straight-line pace, and each rep's lead measures against target.

The Figure is built without pyplot (no global state, safe on the event loop's thread)
and small (96 dpi) so a team's chart draws in tens of milliseconds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import prompts
from bot.features.pace import MeasureLine, expected_on, reading_day, start_of
from storage.models import Wig, WigReading


def scorecard_png(wigs: Sequence[Wig], readings: dict[int, list[WigReading]],
                  lines: Sequence[MeasureLine], today: date) -> bytes:
    """A PNG: the lag measure(s) against pace on the left, lead measures per rep
    (share of target, 100 % = on target) on the right."""
    figure = Figure(figsize=(9, 3.6), dpi=96)
    FigureCanvasAgg(figure)
    lag, lead = figure.subplots(1, 2)
    for wig in wigs:
        start = start_of(wig)
        lag.plot([start, wig.by_date], [wig.from_value, wig.to_value], linestyle="--", color="grey",
                 label=prompts.render("scorecard/chart_pace", title=wig.title))
        points = readings.get(wig.id, [])  # type: ignore[arg-type]
        if points:
            lag.plot([reading_day(r) for r in points], [r.value for r in points], marker="o",
                     label=wig.title[:40])
        lag.axvline(min(max(today, start), wig.by_date), color="#cccccc", linewidth=0.8)
        lag.scatter([today], [expected_on(wig, today)], color="grey", s=10)
    lag.set_title(prompts.render("scorecard/chart_lag"), fontsize=10)
    lag.tick_params(labelsize=7)
    if wigs:
        lag.legend(fontsize=7, loc="upper left")
    figure.autofmt_xdate()
    names = sorted({name for line in lines for _, name, _, _ in line.reps})
    width = 0.8 / max(1, len(lines))
    for i, line in enumerate(lines):
        shares = {name: (actual or 0.0) / target * 100 if target else 0.0 for _, name, actual, target in line.reps}
        lead.bar([n + i * width for n in range(len(names))], [shares.get(name, 0.0) for name in names],
                 width=width, label=line.measure.title[:30])
    lead.axhline(100, color="grey", linestyle="--", linewidth=0.8)
    lead.set_xticks([n + 0.4 - width / 2 for n in range(len(names))])
    lead.set_xticklabels([name.split(" ")[0] for name in names], fontsize=7, rotation=45)
    lead.set_title(prompts.render("scorecard/chart_lead"), fontsize=10)
    lead.tick_params(labelsize=7)
    if lines:
        lead.legend(fontsize=7)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
