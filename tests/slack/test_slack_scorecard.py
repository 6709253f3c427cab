"""Against the fake Slack Web API: the weekly scorecard is one channel post (its chart
inside, by slack_file) and everything after it goes in its thread; `/okr team` for
big teams keeps to five response_url posts, the rest by DM, nothing dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import SAMPLE_TEAM
from slackkit import Harness, fake_fixture, harness_fixture  # noqa: F401
from sqlmodel import select

from bot.channels.slack import blocks
from bot.channels.teams import cards
from bot.core.messages import Inbound
from bot.features import scorecard
from storage import people
from storage.db import Database
from storage.models import ScorecardPost
from storage.people import TeamRow


async def test_scorecard_posts_once_in_the_channel_then_replies_in_its_thread(harness: Harness) -> None:
    fake, maria = harness.fake, "U0MARIA"
    year = datetime.now(UTC).year + 2  # a WIG's finish line is at most three years ahead of the real clock
    for text in (f"wig add New logos from 100 to 200 by July 1 {year}", "wig measure Discovery calls, 10 per week"):
        await harness.command(text, user=maria)
        await harness.settle()
    await harness.command("scorecard here", user=maria, channel="C0SALES", hook="here")
    await harness.settle()
    assert "goes to this channel every Tuesday" in json.dumps([r for r in fake.responses if r["hook"] == "here"])
    moment = datetime(year, 1, 8, 23, tzinfo=UTC)
    moment += timedelta(days=(2 - moment.weekday()) % 7)  # a Wednesday: past that week's Tuesday noon
    assert await scorecard.post_scorecards(harness.coach, moment) == 1
    root = fake.posted("C0SALES")
    assert len(root) == 1 and "thread_ts" not in root[0]
    shown = json.loads(root[0]["blocks"]) if isinstance(root[0]["blocks"], str) else root[0]["blocks"]
    image = next(b for b in shown if b["type"] == "image")
    assert image["slack_file"]["id"].startswith("F") and "New logos" in image["alt_text"]
    assert fake.calls_to("files.completeUploadExternal")[0].body.get("channel_id") is None  # not shared apart
    await harness.command("scorecard comment Great week, team!", user=maria, hook="comment")
    await harness.settle()
    replies = fake.posted("C0SALES")[1:]
    async with harness.coach.db.session() as session:
        posts = (await session.exec(select(ScorecardPost))).all()
    assert len(posts) == 1 and posts[0].thread_ref and posts[0].channel_ref == "C0SALES"
    assert len(replies) == 1 and replies[0]["thread_ts"] == posts[0].thread_ref
    assert "Great week, team!" in replies[0]["text"]
    assert "Posted in the team channel" in json.dumps([r for r in fake.responses if r["hook"] == "comment"])


async def big_team(db: Database, org: int, size: int) -> None:
    rows = list(SAMPLE_TEAM) + [
        TeamRow(f"rep{n:04d}@example.com", f"Rep {n:04d}", "rep", "maria@example.com", "Europe/Oslo")
        for n in range(size - 2)]
    async with db.session() as session:
        await people.upsert_team(session, org, rows)


@pytest.mark.parametrize("size", [99, 600])
async def test_okr_team_keeps_to_five_response_url_posts(harness: Harness, db: Database, size: int) -> None:
    await big_team(db, harness.team["org"], size)
    await harness.command("team", user="U0MARIA", hook="team")
    await harness.settle()
    answers = [r for r in harness.fake.responses if r["hook"] == "team"]
    dms = harness.fake.posted("U0MARIA") + harness.fake.posted("DU0MARIA")
    assert 1 <= len(answers) <= blocks.MAX_RESPONSES
    for post in answers + dms:
        shown = post.get("blocks") or []
        shown = json.loads(shown) if isinstance(shown, str) else shown
        assert len(shown) <= blocks.MAX_BLOCKS
        assert all(len(b.get("text", {}).get("text", "")) <= blocks.MAX_SECTION for b in shown)
    everything = json.dumps(answers + dms, ensure_ascii=False)
    missing = [n for n in range(size - 2) if f"Rep {n:04d}" not in everything]
    assert missing == [] and "Ravi Rep" in everything and "Sam Seller" in everything
    if size == 600:
        assert dms and "in our direct messages" in json.dumps(answers[-1])
        assert len(dms) < 20  # condensed: many reps per DM post, not one post each


@pytest.mark.parametrize("size", [99, 600])
async def test_okr_team_on_teams_is_few_cards_under_the_size_limit(harness: Harness, db: Database,
                                                                   size: int) -> None:
    await big_team(db, harness.team["org"], size)
    replies = await harness.coach.handle(Inbound(person_id=harness.team["maria"], platform="teams",
                                                 text="/okr team"))
    found = cards.cards_for(replies)
    largest = max(cards.size(c) for c in found)
    assert largest <= cards.MAX_CARD_BYTES
    assert len(found) <= max(1, len(replies) // 20)   # grouped: many reps to a card, not one card each
    text = json.dumps(found, ensure_ascii=False)
    assert all(f"Rep {n:04d}" in text for n in range(size - 2))
    print(f"/okr team for {size}: {len(found)} Teams cards, largest {largest / 1000:.1f} KB")
