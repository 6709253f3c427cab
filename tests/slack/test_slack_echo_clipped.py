"""A 40,000-character command on Slack, by the /okr slash command and typed in the
DM: every reply quotes at most the start of it (`prompts.clip`), so no answer is
anywhere near the size of what was typed."""

from __future__ import annotations

import json

import pytest
from slackkit import Harness, fake_fixture, real_harness_fixture  # noqa: F401 (fixtures)

HUGE = "Zq" * 20_000  # 40,000 characters


@pytest.mark.parametrize("command", ["{}", "status {}", "wig update 1 {}", "out {}", "lead {}", "1on1 @{}",
                                     "brief {}", "export {}", "discover {}", "snooze {}"])
async def test_a_huge_slash_command_and_dm_get_short_replies(harness: Harness, command: str) -> None:
    await harness.command(command.format(HUGE), user="U0MARIA")
    await harness.dm("/okr " + command.format(HUGE), user="U0MARIA", event_id="EvHuge1")
    await harness.dm(HUGE, user="U0MARIA", event_id="EvHuge2")
    await harness.settle()
    answers = harness.fake.responses + harness.fake.posted()
    assert len(answers) >= 3, answers
    for answer in answers:
        shown = json.dumps(answer, ensure_ascii=False)
        assert len(shown) < 6_000, shown[:300]
        assert "Zq" * 200 not in shown  # never more than the clipped start of it
