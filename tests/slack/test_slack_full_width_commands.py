"""On Slack, a full-width command reaches the same parser by both paths: typed in the
DM ("／okr help", which Slack does not take for its slash command) and as the text of
the real /okr slash command ("/okr ｈｅｌｐ")."""

from __future__ import annotations

import json

from slackkit import Harness, fake_fixture, harness_fixture  # noqa: F401 (fixtures)


async def test_full_width_okr_help_in_a_dm_and_after_the_slash_command(harness: Harness) -> None:
    await harness.command("ｈｅｌｐ")
    await harness.settle()
    [answer] = harness.fake.responses
    assert "/okr status" in json.dumps(answer, ensure_ascii=False)
    await harness.dm("／ｏｋｒ　ｈｅｌｐ", event_id="EvWide1")
    await harness.settle()
    posted = json.dumps(harness.fake.posted(), ensure_ascii=False)
    assert "/okr status" in posted and "heard:" not in posted  # the coach's help, not the recorder
