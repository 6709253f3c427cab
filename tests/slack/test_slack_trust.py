"""Trust boundaries of the Slack channel: a workspace is bound only on purpose, an
identity only within its workspace, a rep's words never notify or link when they
reach a manager, and malformed requests get a clear 4xx."""

from __future__ import annotations

import json
import time

from fake_slack import FakeSlack
from slackkit import (  # noqa: F401 (fixtures)
    SECRET,
    TEAM,
    Harness,
    event_body,
    fake_fixture,
    harness_fixture,
    make_harness,
    sign,
    slack_settings,
)
from sqlmodel import select

import prompts
from bot.channels.slack import blocks
from bot.core.messages import Message
from storage import people
from storage.db import Database
from storage.models import ChatIdentity, Workspace

EVIL = "T0EVIL"  # a workspace that never installed coachbot (Slack Connect, another Grid workspace)
NASTY = ("<!channel> <!here> <@U0MARIA> <http://evil.example|click> "
         "[sign in again](http://evil.example) **URGENT** _now_ ~gone~ `code` & <b>")


async def workspaces(db: Database) -> set[str]:
    async with db.session() as session:
        return set((await session.exec(select(Workspace.external_id))).all())


async def maria_identity(db: Database, team: dict[str, int]) -> tuple[str, str | None]:
    async with db.session() as session:
        row = (await session.exec(select(ChatIdentity).where(
            ChatIdentity.person_id == team["maria"], ChatIdentity.platform == "slack"))).one()
        return row.user_id, row.tenant


async def test_the_tokens_workspace_is_bound_and_a_foreign_one_is_a_stranger(
        db: Database, team: dict[str, int], fake: FakeSlack) -> None:
    """Single-token mode on a fresh database: the bot token's own workspace is bound on
    first use; a signed request from another workspace naming the manager's user id,
    or a user there whose profile e-mail is the manager's, is answered as a stranger,
    binds nothing, and leaves the manager's stored identity alone."""
    fake.add_user(EVIL, "U0EVILMARIA", "maria@example.com")
    async for harness in make_harness(db, team, fake, slack_settings(db, fake)):
        await harness.command("status", user="U0MARIA", team=EVIL, hook="evil1")
        await harness.command("status", user="U0EVILMARIA", team=EVIL, hook="evil2")
        await harness.settle()
        answers = {r["hook"]: r["text"] for r in fake.responses}
        unknown = blocks.escape(Message(prompts.render("core/unknown_person")).plain())
        assert answers["evil1"] == unknown
        assert answers["evil2"] == answers["evil1"]
        assert harness.recorder.turns == []
        assert EVIL not in await workspaces(db)
        assert await maria_identity(db, team) == ("U0MARIA", None)

        await harness.command("status", user="U0MARIA", team=TEAM, hook="home")
        await harness.settle()
        assert await workspaces(db) == {TEAM}  # the token's workspace (auth.test), bound on purpose
        [home] = [r["text"] for r in fake.responses if r["hook"] == "home"]
        assert home != unknown  # Maria, in her own workspace, is answered as herself


async def test_an_email_match_in_a_second_workspace_never_takes_over_an_identity(
        harness: Harness, db: Database, team: dict[str, int]) -> None:
    async with db.session() as session:  # a second workspace of the same company
        await people.bind_workspace(session, team["org"], "slack", "T0SECOND")
    harness.fake.tokens["xoxb-test"] = "T0SECOND"
    harness.fake.add_user("T0SECOND", "U0MARIA2", "maria@example.com")
    await harness.command("status", user="U0MARIA2", team="T0SECOND", hook="second")
    await harness.settle()
    assert harness.recorder.turns == []
    assert await maria_identity(db, team) == ("U0MARIA", None)


async def test_a_malformed_timestamp_is_401_not_500(harness: Harness) -> None:
    body = event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI",
                       "user": "U0RAVI", "text": "hi", "ts": "1.1"}, "EvTS")
    for stamp in ("abc", "", "12.5", "1e9"):
        headers = {**sign(body), "X-Slack-Request-Timestamp": stamp}
        response = await harness.post(body, headers, "application/json")
        assert response.status == 401, stamp
    ok = await harness.post(body, sign(body, int(time.time())), "application/json")
    assert ok.status == 200
    assert SECRET


async def test_non_ascii_signature_or_timestamp_is_401_not_500(harness: Harness, fake: FakeSlack) -> None:
    """`hmac.compare_digest` raises on non-ASCII text and `int("²")` on a digit Python
    calls one: either used to surface as a 500 with an ERROR traceback in the log."""
    body = event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI",
                       "user": "U0RAVI", "text": "hi", "ts": "1.1"}, "EvSig")
    for header, value in (("X-Slack-Signature", "v0=\u00e9"), ("X-Slack-Signature", "v0=\uff10" * 8),
                          ("X-Slack-Request-Timestamp", "\u00b2"), ("X-Slack-Request-Timestamp", "\u0661\u0662")):
        headers = {**sign(body), header: value}
        response = await harness.post(body, headers, "application/json")
        assert response.status == 401, (header, value)
    assert not fake.calls_to("chat.postMessage")


async def test_a_reps_words_never_notify_or_link_in_the_managers_dm(harness: Harness) -> None:
    """The rep's text, placed in a template and sent to the manager: Slack's
    notification `text` and the blocks carry no `<!channel>`, no `<@U…>`, no link,
    and no bold or italics made of the rep's asterisks and underscores."""
    message = Message(prompts.render("cadence/checkin/reminder_manager", rep="Ravi <@U0ADA>", updates=[],
                                     blockers=NASTY, change="[x](https://evil.example)",
                                     last_change=NASTY, did_change="yes", lost=[NASTY]))
    await harness.coach.deliver(harness.team["maria"], [message])
    [posted] = harness.fake.posted()
    shown = json.dumps(posted["blocks"], ensure_ascii=False) if isinstance(posted["blocks"], list) else posted["blocks"]
    for payload in (posted["text"], shown):
        for trap in ("<!channel>", "<!here>", "<@U0MARIA>", "<@U0ADA>", "<http", "|click>",
                     "<https://evil"):
            assert trap not in payload, (trap, payload)
    assert "*URGENT*" not in shown and "_now_" not in shown  # no formatting in what is shown
    assert "&lt;!channel&gt;" in posted["text"]
    assert "**\u200b" not in posted["text"]  # the plain text is plain
    assert "*\u200b*\u200bURGENT*\u200b*\u200b" in shown  # shown as typed, cannot pair
    assert "[sign in again](http://evil.example)" in posted["text"]


async def test_slack_markup_typed_by_a_rep_reaches_the_coach_as_plain_text(harness: Harness) -> None:
    harness.recorder.reply = lambda event: [Message(event.text)]  # echo, as a plain string
    await harness.dm("<!channel> see <http://evil.example|click> and **this**")
    await harness.settle()
    [turn] = harness.recorder.turns
    assert turn.text == "@channel see click (http://evil.example) and **this**"
    [posted] = harness.fake.posted()
    assert "<!channel>" not in posted["text"] and "<http" not in json.dumps(posted["blocks"])


async def test_nul_and_control_characters_never_reach_the_database(harness: Harness, db: Database) -> None:
    """On PostgreSQL a NUL in a text column fails the whole transaction, so a check-in
    could never be saved: the core's inbound edge strips it (and its kin)."""
    from storage.models import CheckInAnswer

    await harness.dm("blocked\x00 by legal\x07\x1b[31m, again\r\nnext week\tmaybe")
    await harness.settle()
    async with db.session() as session:
        [saved] = (await session.exec(select(CheckInAnswer.text))).all()
    assert saved == "blocked by legal[31m, again\nnext week\tmaybe"
