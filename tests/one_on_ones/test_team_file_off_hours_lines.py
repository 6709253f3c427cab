"""`coachbot team import` names each off-hours one-on-one series on a line of its own
(with two or more, the template's inner loop once ran them together: "...(outside
08:00–18:00)- Maria Manager and Kiri Rep: ...")."""

from __future__ import annotations

import prompts


def test_two_off_hours_series_are_two_lines() -> None:
    one = {"name": "Ravi Rep", "when": "Tue 20:30", "other_zone": True, "day_off": False,
           "off_hours": True, "hours": "08:00–18:00"}
    two = {**one, "name": "Kiri Rep", "when": "Tue 03:00"}
    text = prompts.render("cli/one_on_ones_off_hours", shown=5, series=[
        {"manager": "Maria Manager", "rep": "Ravi Rep", "outside": [one]},
        {"manager": "Maria Manager", "rep": "Kiri Rep", "outside": [two]}])
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, text
    assert lines[1].startswith("- Maria Manager and Kiri Rep: Kiri Rep Tue 03:00 their time"), text
