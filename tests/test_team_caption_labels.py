"""Review lowD: under each objective's bar, `/okr team` says what its numbers count
("2 key results, both ⚪ not rated yet"), never a bare "2"."""

from __future__ import annotations

import pytest
from test_status import ask, seed

import prompts
from bot.core.coach import Coach
from storage.db import Database


async def test_the_team_view_labels_the_key_results_under_each_bar(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    await seed(db, team["org"], team["ravi"])
    ravi = (await ask(coach, team["maria"], "/okr team"))[1]
    captions = {b.label: b.caption for b in ravi.progress}
    assert captions == {"Win mid-market": "2 key results: 1 🟡 at risk, 1 ⚪ not rated yet",
                        "Keep customers": "1 key result, 🔴 off track"}, captions
    assert "50% 1 key result, 🔴 off track" in ravi.plain()


@pytest.mark.parametrize(("confidence", "count", "caption"), [
    ({"unrated": 2}, 2, "2 key results, both ⚪ not rated yet"),
    ({"on_track": 3, "at_risk": 0}, 3, "3 key results, all 🟢 on track"),
    ({"on_track": 1, "unrated": 2}, 3, "3 key results: 1 🟢 on track, 2 ⚪ not rated yet"),
])
def test_the_team_caption_names_what_it_counts(confidence: dict[str, int], count: int, caption: str) -> None:
    assert prompts.render("status/team_caption", summary={"confidence": confidence, "key_results": count}) == caption
