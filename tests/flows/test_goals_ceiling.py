"""A key result that must stay under a level ("Keep churn below 3%") is read as a
ceiling in goal setting, the kind picker offers a ceiling, and the stored key result
reads as one in `/okr status` (the reviewer saw "67% … below the floor of 3%")."""

from __future__ import annotations

from conftest import say
from freezegun import freeze_time
from test_goals_transcript import NOW, REFLECTION, objectives, run

from bot.core.coach import Coach
from bot.core.messages import Inbound
from storage.db import Database


@freeze_time(NOW, real_asyncio=True)
async def test_keep_churn_below_is_a_ceiling_and_the_picker_offers_one(
        coach: Coach, team: dict[str, int], db: Database) -> None:
    ravi = team["ravi"]
    await say(coach, ravi, "/okr goals")
    read = await run(coach, ravi, REFLECTION + ["Keep my customers", "done", "skip",
                                                "Keep churn below 3% by December 31"])
    assert "as a level to stay under (a ceiling)" in read and "at or below 3%" in read
    assert "floor" not in read
    replies = await coach.handle(Inbound(person_id=ravi, platform="test", text="no"))   # the rep may correct it
    labels = [c.label.replace("\\", "") for m in replies for c in m.choices]   # labels come escaped
    assert labels[2:] == ["A level to keep (a floor)", "A level to stay under (a ceiling)"]
    await run(coach, ravi, ["4", "no"])                          # the fourth option: a ceiling
    await run(coach, ravi, ["skip"] * 4 + ["skip"] * 6 + ["Better discovery", "Coaching", "Lead", "Books",
                                                         "biweekly", "yes"])
    stored = await objectives(db, ravi)
    churn = stored[0][1][0]
    assert (churn.kind, churn.target_value, churn.unit) == ("ceiling", 3.0, "%")
    churn.current_value = 2.0
    assert churn.progress == 1.0
    churn.current_value = 8.0
    assert churn.progress < 1.0                                   # 8% is over the ceiling, not "holding"
