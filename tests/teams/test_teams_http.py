"""POST real-shaped Teams activities to /api/messages on the real aiohttp app, with
the real botbuilder CloudAdapter; replies land on the fake connector (loopback)."""

from __future__ import annotations

from sqlmodel import select

from storage import people
from storage.models import ProcessedEvent, TeamsConversationRef
from teams.teamskit import TeamsKit


async def test_message_gets_an_adaptive_card_reply(teams: TeamsKit) -> None:
    response = await teams.activity("message_personal", text="okr help")
    assert response.status == 200
    [call] = teams.connector.sent
    assert call.path.startswith("/v3/conversations/a:1RaviPersonalChat-abc/activities")
    [attachment] = call.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "okr status" in card["body"][0]["text"]
    assert call.body["recipient"]["id"] == "29:1RaviTeamsUserId-xyz"


async def test_slash_and_plain_commands_are_the_same(teams: TeamsKit) -> None:
    for n, text in enumerate(("okr help", "/okr help", "OKR help")):
        await teams.activity("message_personal", text=text, id=f"cmd-{n}")
    cards = teams.connector.cards()
    assert len(cards) == 3
    assert cards[0]["body"] == cards[1]["body"] == cards[2]["body"]


async def test_channel_mention_answers_privately_in_the_personal_chat(teams: TeamsKit) -> None:
    # Ravi installed the app personally before, so his reference is known.
    await teams.activity("conversation_update_install")
    teams.connector.calls.clear()
    response = await teams.activity("message_channel_mention")
    assert response.status == 200
    paths = [c.path for c in teams.connector.sent]
    # help is private: the card goes to the personal chat, the channel gets a pointer
    assert any("a:1RaviPersonalChat-abc" in p for p in paths)
    assert any("19:salesTeamChannel" in p for p in paths)
    channel_text = [c for c in teams.connector.sent if "19:salesTeamChannel" in c.path]
    assert "personal chat" in str(channel_text[0].body)
    assert "okr status" not in str(channel_text[0].body)


async def test_install_stores_the_conversation_reference_and_greets(teams: TeamsKit) -> None:
    response = await teams.activity("conversation_update_install")
    assert response.status == 200
    async with teams.coach.db.session() as session:
        [ref] = (await session.exec(select(TeamsConversationRef))).all()
    assert (ref.tenant_id, ref.user_id, ref.aad_object_id) == (
        "tenant-1", "29:1RaviTeamsUserId-xyz", "aad-ravi")
    assert ref.reference["serviceUrl"] == teams.connector.url
    assert ref.reference["conversation"]["id"] == "a:1RaviPersonalChat-abc"
    assert "Ravi" in teams.connector.texts()  # the welcome card


async def test_installation_update_stores_reference_and_remove_forgets_it(teams: TeamsKit) -> None:
    await teams.activity("installation_update_add")
    async with teams.coach.db.session() as session:
        assert len((await session.exec(select(TeamsConversationRef))).all()) == 1
    await teams.activity("installation_update_add", action="remove", id="f:remove-1")
    async with teams.coach.db.session() as session:
        assert (await session.exec(select(TeamsConversationRef))).all() == []


async def test_unknown_person_is_told_to_ask_the_admin(teams: TeamsKit) -> None:
    stranger = {"id": "29:stranger", "name": "Who Ever", "aadObjectId": "aad-nobody"}
    await teams.activity("message_personal", **{"from": stranger})
    assert "team list" in teams.connector.texts()
    # the roster was asked for the stranger's e-mail before giving up
    assert any(c.method == "GET" and c.path.endswith("/members/29:stranger")
               for c in teams.connector.calls)


async def test_person_is_found_by_upn_and_remembered(teams: TeamsKit) -> None:
    sam = {"id": "29:sam", "name": "Sam Seller", "aadObjectId": "aad-sam-new"}
    teams.connector.members["29:sam"] = {
        "id": "29:sam", "name": "Sam Seller", "aadObjectId": "aad-sam-new",
        "email": "sam.seller@mail.example", "userPrincipalName": "Sam@Example.com",
    }
    await teams.activity("message_personal", **{"from": sam}, text="okr help", id="sam-1")
    assert "okr status" in teams.connector.texts()
    # second time: known by AAD object id, no roster lookup
    lookups = len([c for c in teams.connector.calls if c.method == "GET"])
    await teams.activity("message_personal", **{"from": sam}, text="okr help", id="sam-2")
    assert len([c for c in teams.connector.calls if c.method == "GET"]) == lookups


async def test_card_submit_updates_the_card_and_reaches_the_coach(teams: TeamsKit) -> None:
    await teams.activity("message_personal", text="ask me", id="ask-1")
    [asked] = teams.connector.cards()
    actions = asked["actions"]
    assert [a["title"] for a in actions] == ["On track", "Off track"]
    assert actions[0]["style"] == "positive" and actions[1]["style"] == "destructive"
    teams.connector.calls.clear()

    value = actions[1]["data"]
    response = await teams.activity("card_submit", value=value, replyToId="1:sent-1")
    assert response.status == 200
    [update] = teams.connector.updated
    assert update.path.endswith("/activities/1:sent-1")
    answered = update.body["attachments"][0]["content"]
    assert "actions" not in answered
    assert "Off track" in str(answered["body"])
    assert "noted: confidence:off_track" in teams.connector.texts()


async def test_a_card_cannot_be_answered_twice(teams: TeamsKit) -> None:
    await teams.activity("card_submit", id="click-1")
    await teams.activity("card_submit", id="click-2")  # second click, other client
    assert teams.connector.count("noted: confidence:at_risk") == 1
    assert teams.connector.count("already answered") == 1


async def test_adaptive_card_invoke_returns_the_answered_card(teams: TeamsKit) -> None:
    response = await teams.activity("card_invoke_execute")
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "On track" in str(body["value"]["body"])
    assert "actions" not in body["value"]
    assert "noted: confidence:on_track" in teams.connector.texts()


async def test_duplicate_activity_id_is_processed_once(teams: TeamsKit) -> None:
    for _ in range(3):
        response = await teams.activity("message_personal", text="okr help")
        assert response.status == 200
    assert len(teams.connector.sent) == 1
    async with teams.coach.db.session() as session:
        events = (await session.exec(select(ProcessedEvent))).all()
    assert len(events) == 1


async def test_duplicate_invoke_still_answers_but_once(teams: TeamsKit) -> None:
    first = await teams.activity("card_invoke_execute")
    second = await teams.activity("card_invoke_execute")
    assert first.status == second.status == 200
    assert (await first.json()) == (await second.json())
    assert teams.connector.count("noted: confidence:on_track") == 1


async def test_malformed_requests_get_400_and_the_server_keeps_serving(teams: TeamsKit) -> None:
    client = teams.client
    bad = [
        await client.post("/api/messages", data=b"{not json",
                          headers={"Content-Type": "application/json"}),
        await client.post("/api/messages", json=[1, 2, 3]),
        await client.post("/api/messages", json={"text": "no type"}),
        await client.post("/api/messages", json={"type": "message", "text": "hi"}),
        await client.post("/api/messages", json={"type": 42, "conversation": "x"}),
        await client.post("/api/messages", data=b"\xff\xfe", headers={"Content-Type": "application/json"}),
    ]
    assert [r.status for r in bad] == [400] * len(bad)
    wrong_type = await client.post("/api/messages", data=b"type=message")
    assert wrong_type.status == 415
    ok = await teams.activity("message_personal")
    assert ok.status == 200


async def test_a_failing_turn_is_logged_not_crashed(teams: TeamsKit, caplog) -> None:  # type: ignore[no-untyped-def]
    teams.connector.fail_next = [500] * 10  # the connector is down for the reply
    response = await teams.activity("message_personal")
    assert response.status == 200
    assert "Teams turn failed" in caplog.text
    teams.connector.fail_next = []
    assert (await teams.activity("message_personal", id="after")).status == 200


async def test_reply_throttled_with_429_is_retried(teams: TeamsKit) -> None:
    teams.connector.fail_next = [429, 429]
    response = await teams.activity("message_personal")
    assert response.status == 200
    assert len(teams.connector.sent) == 3  # two throttled attempts, then delivered


async def test_odd_shapes_never_get_a_500(teams: TeamsKit) -> None:
    url = teams.connector.url
    base = {"type": "message", "serviceUrl": url, "conversation": {"id": "a:odd"}}
    odd = [
        {**base, "conversation": "a:odd"},
        {**base, "from": "somebody"},
        {**base, "from": {"id": 5}, "text": ["okr", "help"]},
        {**base, "entities": "mention"},
        {**base, "entities": [{"type": "mention"}], "text": "<at>x</at> okr help"},
        {**base, "value": "not a dict", "replyToId": "1"},
        {**base, "channelData": {"tenant": "not a dict"}, "text": "okr help"},
        {**base, "type": "invoke", "name": "adaptiveCard/action", "value": "junk"},
        {**base, "type": "invoke", "name": "adaptiveCard/action", "value": {"action": {}}},
        {**base, "type": "invoke", "name": "task/fetch"},
        {**base, "type": "installationUpdate", "action": "remove"},
        {**base, "type": "conversationUpdate", "membersAdded": "everyone"},
        {**base, "type": "somethingNew"},
    ]
    for n, body in enumerate(odd):
        response = await teams.post({**body, "id": f"odd-{n}"})
        assert response.status != 500, (body, response.status)  # 501 = invoke not offered
    assert (await teams.activity("message_personal")).status == 200


async def test_a_second_tenant_cannot_claim_people_by_roster_email(
        teams: TeamsKit, team: dict[str, int]) -> None:
    """A single-company install binds the first tenant seen. Another tenant (anyone
    who sideloads the app with coachbot's bot id) must not be bound on the fly: its
    admin controls the e-mail on its users' profiles, so matching them by e-mail
    would let it take over the company's people."""
    await teams.activity("message_personal", text="okr help", id="home-1")  # binds tenant-1
    evil = {"id": "29:evil", "name": "Eve", "aadObjectId": "aad-evil"}
    teams.connector.members["29:evil"] = {
        "id": "29:evil", "name": "Eve", "aadObjectId": "aad-evil",
        "email": "sam@example.com", "userPrincipalName": "eve@evil.example",
    }
    teams.connector.calls.clear()
    await teams.activity("message_personal", **{"from": evil}, text="okr status", id="evil-1",
                         conversation={"conversationType": "personal", "tenantId": "tenant-evil",
                                       "id": "a:evil"},
                         channelData={"tenant": {"id": "tenant-evil"}})
    shown = teams.connector.texts()
    assert "team list" in shown and "Sam" not in shown
    async with teams.coach.db.session() as session:
        found = await people.reach(session, [team["sam"]])
    assert found[team["sam"]].identities == {}


async def test_a_question_asked_from_a_channel_is_answered_in_the_personal_chat(
        teams: TeamsKit) -> None:
    """A card with buttons posted in a team channel can be clicked by anyone there:
    a colleague's click would be taken as their own answer and close the card, so the
    asker's own answer would then be refused as "already answered". A conversation
    started from a channel goes on in the asker's personal chat, as on Slack; the
    channel only gets the pointer."""
    await teams.activity("conversation_update_install")  # Ravi's personal chat is known
    teams.connector.calls.clear()
    response = await teams.activity("message_channel_mention", text="<at>coachbot</at> ask me")
    assert response.status == 200
    in_channel = [c for c in teams.connector.sent if "19:salesTeamChannel" in c.path]
    in_private = [c for c in teams.connector.sent if "a:1RaviPersonalChat-abc" in c.path]
    assert "How confident are you?" in str([c.body for c in in_private])
    assert len(in_channel) == 1 and "personal chat" in str(in_channel[0].body)
    assert "actions" not in str(in_channel[0].body) and "confident" not in str(in_channel[0].body)
