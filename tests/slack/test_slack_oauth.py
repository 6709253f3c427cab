"""OAuth install on several workspaces, installations and states in our database, and
no workspace ever reaching another organisation's people."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_slack import FakeSlack
from slackkit import SECRET, Harness, event_body, fake_fixture, harness_fixture, make_harness, sign, slack_settings  # noqa: F401 (fixtures)
from sqlmodel import select

from bot.core.messages import Message
from storage import people
from storage.db import Database
from storage.models import ChatIdentity, SlackInstallation, SlackOAuthState, Workspace
from storage.people import TeamRow


def oauth_answer(team: str, installer: str) -> dict[str, Any]:
    return {"ok": True, "app_id": "A1", "access_token": f"xoxb-{team}", "token_type": "bot",
            "scope": "commands,chat:write", "bot_user_id": "UBOT",
            "team": {"id": team, "name": f"Workspace {team}"}, "enterprise": None,
            "authed_user": {"id": installer}, "is_enterprise_install": False}


@pytest.fixture
async def multi(db: Database, team: dict[str, int], fake: FakeSlack) -> AsyncIterator[Harness]:
    """Two companies: Example Inc (the `team` fixture) and Other Ltd."""
    async with db.session() as session:
        other = await people.ensure_org(session, "Other Ltd", "Europe/Berlin")
        await people.upsert_team(session, other.id, [  # type: ignore[arg-type]
            TeamRow("otto@other.example", "Otto Owner", "admin", None, "Europe/Berlin"),
            TeamRow("olga@other.example", "Olga Seller", "rep", "otto@other.example", "Europe/Berlin"),
        ])
    team["other"] = other.id  # type: ignore[assignment]
    fake.tokens.clear()
    fake.tokens.update({"xoxb-T1": "T1", "xoxb-T2": "T2", "xoxb-T3": "T3"})
    for user, email in (("U0ADA", "ada@example.com"), ("U0RAVI", "ravi@example.com"),
                        ("U0SAM", "sam@example.com")):
        fake.add_user("T1", user, email)
    fake.add_user("T2", "U0OTTO", "otto@other.example")
    fake.add_user("T2", "U0OLGA", "olga@other.example")
    fake.add_user("T2", "U0RAVI", "ravi@example.com")  # same id and e-mail, other company
    fake.add_user("T3", "U0EVE", "eve@evil.example")
    fake.oauth_codes.update({"code-T1": oauth_answer("T1", "U0ADA"),
                             "code-T2": oauth_answer("T2", "U0OTTO"),
                             "code-T3": oauth_answer("T3", "U0EVE")})
    settings = slack_settings(db, fake, bot_token=None, client_id="111.222",
                              client_secret="client-secret", signing_secret=SECRET)
    async for h in make_harness(db, team, fake, settings):
        yield h


async def install(h: Harness, code: str) -> tuple[int, str]:
    page = await h.client.get("/slack/install")
    assert page.status == 200
    html = await page.text()
    assert "slack.com/oauth/v2/authorize" in html and "client_id=111.222" in html
    state = re.search(r"state=([\w-]+)", html).group(1)  # type: ignore[union-attr]
    assert f"slack-app-oauth-state={state}" in page.headers["Set-Cookie"]
    done = await h.client.get(f"/slack/oauth_redirect?code={code}&state={state}",
                              headers={"Cookie": f"slack-app-oauth-state={state}"})
    await h.settle()
    return done.status, await done.text()


async def test_install_stores_the_installation_and_binds_the_admins_company(multi: Harness) -> None:
    status, page = await install(multi, "code-T1")
    assert status == 200 and "Workspace T1" in page and "check-ins" in page
    async with multi.coach.db.session() as session:
        [row] = (await session.exec(select(SlackInstallation))).all()
        [workspace] = (await session.exec(select(Workspace))).all()
        states = (await session.exec(select(SlackOAuthState))).all()
    assert (row.client_id, row.team_id, row.user_id) == ("111.222", "T1", "U0ADA")
    assert row.data["bot_token"] == "xoxb-T1"
    assert (workspace.external_id, workspace.org_id) == ("T1", multi.team["org"])
    assert states == []  # consumed
    # after install, people without a Slack id were looked up by e-mail with the new token
    assert {c.token for c in multi.fake.calls_to("users.lookupByEmail")} == {"xoxb-T1"}


async def test_a_state_cannot_be_used_twice_or_forged(multi: Harness) -> None:
    page = await multi.client.get("/slack/install")
    state = re.search(r"state=([\w-]+)", await page.text()).group(1)  # type: ignore[union-attr]
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    first = await multi.client.get(f"/slack/oauth_redirect?code=code-T1&state={state}", headers=cookie)
    again = await multi.client.get(f"/slack/oauth_redirect?code=code-T1&state={state}", headers=cookie)
    forged = await multi.client.get("/slack/oauth_redirect?code=code-T1&state=made-up",
                                    headers={"Cookie": "slack-app-oauth-state=made-up"})
    assert first.status == 200 and again.status == 401 and forged.status == 401


async def test_workspaces_never_see_each_others_people(multi: Harness) -> None:
    assert (await install(multi, "code-T1"))[0] == 200
    assert (await install(multi, "code-T2"))[0] == 200
    await multi.dm("from Example", user="U0RAVI", team="T1", event_id="Ev1")
    await multi.dm("from Other", user="U0RAVI", team="T2", event_id="Ev2")
    await multi.dm("Olga here", user="U0OLGA", team="T2", event_id="Ev3")
    await multi.settle()
    by_text = {t.text: t.person_id for t in multi.recorder.turns}
    ravi = multi.team["ravi"]
    assert by_text["from Example"] == ravi
    assert "from Other" not in by_text  # same user id and e-mail, other company: a stranger
    assert by_text["Olga here"] not in multi.team.values()
    tokens = [(c.body["channel"], c.token, c.body["text"]) for c in multi.fake.calls_to("chat.postMessage")]
    assert ("DU0RAVI", "xoxb-T1", "heard: from Example") in tokens
    assert any(ch == "DU0RAVI" and tok == "xoxb-T2" and "admin" in text for ch, tok, text in tokens)
    async with multi.coach.db.session() as session:
        ravi_ids = (await session.exec(select(ChatIdentity).where(
            ChatIdentity.person_id == ravi, ChatIdentity.platform == "slack"))).all()
    assert [(i.user_id, i.org_id) for i in ravi_ids] == [("U0RAVI", multi.team["org"])]
    # proactive delivery to Olga goes with her own workspace's token
    olga = by_text["Olga here"]
    await multi.coach.deliver(olga, [Message("Your WIG session")])
    assert multi.fake.calls_to("chat.postMessage")[-1].token == "xoxb-T2"


async def test_a_workspace_installed_by_a_stranger_stays_unbound(multi: Harness) -> None:
    status, page = await install(multi, "code-T3")
    assert status == 200 and "does not know which company" in page
    await multi.dm("let me in", user="U0EVE", team="T3", event_id="EvEve")
    await multi.settle()
    assert multi.recorder.turns == []
    async with multi.coach.db.session() as session:
        assert (await session.exec(select(Workspace))).all() == []


async def test_uninstall_forgets_the_workspace_tokens(multi: Harness) -> None:
    await install(multi, "code-T2")
    await multi.dm("before", user="U0OTTO", team="T2", event_id="EvBefore")  # bot now cached
    body = event_body({"type": "app_uninstalled"}, "EvUninstall", team="T2")
    response = await multi.post(body, sign(body), "application/json")
    assert response.status == 200
    await multi.settle()
    async with multi.coach.db.session() as session:
        assert (await session.exec(select(SlackInstallation))).all() == []
    await multi.dm("after", user="U0OTTO", team="T2", event_id="EvAfter")
    await multi.settle()
    assert [t.text for t in multi.recorder.turns] == ["before"]
