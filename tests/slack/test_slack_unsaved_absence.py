"""An absence read back with Save / Cancel in Slack, then something else typed in the
DM: the reply says the days are not saved yet and that the card's Save still keeps
them (a Slack button stays under its message), and the Save pressed afterwards does
store them. Real coach, real Slack payloads against the local fake Slack API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slackkit import TEAM, FakeSlack, Harness, fake_fixture, real_harness_fixture  # noqa: F401 (fixtures)
from test_slack_checkin_e2e import click

from storage import schedule


def everything(harness: Harness) -> list[dict[str, Any]]:
    """What the bot said, posted or through a response_url, in order of kind."""
    return [*harness.fake.responses, *harness.fake.posted()]


async def absences(harness: Harness) -> list[tuple[date, date]]:
    ravi = harness.team["ravi"]
    async with harness.coach.db.session() as session:
        found = await schedule.absences_between(session, date(2020, 1, 1), date(2100, 1, 1), [ravi])
    return found.get(ravi, [])


async def test_typing_past_an_unsaved_absence_says_its_save_still_works(harness: Harness) -> None:
    await harness.command("out next week")
    await harness.settle()
    [card] = [m for m in everything(harness) if "Save" in json.dumps(m)]
    await harness.dm("what's on my plate?", event_id="EvOther1")
    await harness.settle()
    said = json.dumps(everything(harness), ensure_ascii=False)
    assert "are not saved yet: press Save on that card to keep them" in said
    assert not await absences(harness)
    await harness.interact(click(card, next(v for v in _values(card) if v.startswith("absence:save"))))
    await harness.settle()
    assert len(await absences(harness)) == 1
    # told once: the next line says nothing more about it
    before = json.dumps(everything(harness), ensure_ascii=False).count("not saved")
    await harness.dm("thanks", event_id="EvOther2")
    await harness.settle()
    assert json.dumps(everything(harness), ensure_ascii=False).count("not saved") == before


def _values(post: dict[str, Any]) -> list[str]:
    from bot.core.cards import unseal

    return [unseal(e["value"])[0] for b in post.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]
