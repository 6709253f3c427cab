"""Proactive messages: continue_conversation through stored references, against the
fake connector on loopback; people who cannot be reached are reported, not skipped."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.channel import DeliveryError, Recipient, TransientDeliveryError
from bot.core.messages import Choice, Message
from storage import teams as store
from storage.models import TeamsConversationRef
from teams.teamskit import TeamsKit

CHECKIN = Message("How far are you on 40 new meetings?", title="Check-in", key="c-1",
                  choices=[Choice("On track", "on_track"), Choice("At risk", "at_risk")])


async def test_installed_person_gets_a_proactive_card(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("conversation_update_install")
    teams.connector.calls.clear()
    sent_id = await teams.coach.deliver(team["ravi"], [Message("first"), CHECKIN])
    assert sent_id == "1:sent-3"  # welcome was 1; the last of these two is 3
    first, second = teams.connector.sent
    # a new message in the personal chat, not a reply to an old activity
    assert second.path == "/v3/conversations/a:1RaviPersonalChat-abc/activities"
    assert second.body["recipient"]["id"] == "29:1RaviTeamsUserId-xyz"
    card = second.body["attachments"][0]["content"]
    assert [a["title"] for a in card["actions"]] == ["On track", "At risk"]
    assert "Authorization" not in second.headers  # anonymous mode: no token requested


async def test_recipient_resolves_to_teams_with_the_tenant(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("message_personal")  # binds tenant-1 and stores the reference
    recipient = await teams.coach.recipient(team["ravi"])
    assert (recipient.platform, recipient.user_id, recipient.tenant) == (
        "teams", "aad-ravi", "tenant-1")


async def test_never_installed_is_a_delivery_error_naming_the_person(teams: TeamsKit,
                                                                     team: dict[str, int]) -> None:
    # Maria has a Teams id from the import but never installed the app.
    with pytest.raises(DeliveryError) as raised:
        await teams.coach.deliver(team["maria"], [CHECKIN])
    assert "maria@example.com" in str(raised.value)
    assert "installed" in str(raised.value)
    assert teams.connector.calls == []


async def test_no_teams_identity_is_a_delivery_error(teams: TeamsKit, team: dict[str, int]) -> None:
    recipient = Recipient(team["sam"], team["org"], "sam@example.com", "Sam Seller", "teams")
    with pytest.raises(DeliveryError, match="sam@example.com"):
        await teams.channel.deliver(recipient, [CHECKIN])


async def test_uninstalled_person_is_reported_again(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("installation_update_add")
    assert await teams.coach.deliver(team["ravi"], [CHECKIN])
    await teams.activity("installation_update_add", action="remove", id="f:rm")
    with pytest.raises(DeliveryError):
        await teams.coach.deliver(team["ravi"], [CHECKIN])


async def test_throttled_send_is_retried_with_backoff(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("installation_update_add")
    teams.connector.fail_next = [429, 429, 429]
    teams.connector.retry_after = None  # our own exponential back-off
    assert await teams.coach.deliver(team["ravi"], [CHECKIN]) == "1:sent-1"
    assert len(teams.connector.sent) == 4


async def test_throttling_that_never_ends_is_raised(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("installation_update_add")
    teams.connector.fail_next = [429] * 5
    with pytest.raises(TransientDeliveryError) as raised:
        await teams.coach.deliver(team["ravi"], [CHECKIN])
    assert not raised.value.uncertain  # a 429 was refused: the scheduler retries without looking
    assert len(teams.connector.sent) == 5


async def test_blocked_bot_is_a_delivery_error(teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("installation_update_add")
    teams.connector.fail_next = [403]
    with pytest.raises(DeliveryError, match="refused"):
        await teams.coach.deliver(team["ravi"], [CHECKIN])


async def test_teams_service_url_overrides_the_stored_one(teams: TeamsKit, team: dict[str, int]) -> None:
    async with teams.coach.db.session() as session:
        await store.save_reference(session, "tenant-1", "29:ravi", "aad-ravi", {
            "channelId": "msteams", "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "conversation": {"id": "a:ravi", "conversationType": "personal", "tenantId": "tenant-1"},
            "user": {"id": "29:ravi", "aadObjectId": "aad-ravi"},
            "bot": {"id": "28:coachbot-app-id"},
        })
    teams.channel.settings = teams.channel.settings.__class__(
        **{**teams.channel.settings.__dict__, "service_url": teams.connector.url})
    assert await teams.coach.deliver(team["ravi"], [CHECKIN])
    assert teams.connector.sent[0].path == "/v3/conversations/a:ravi/activities"


async def test_reference_is_refreshed_not_duplicated(teams: TeamsKit) -> None:
    await teams.activity("conversation_update_install")
    await teams.activity("message_personal", serviceUrl=teams.connector.url + "v2/")
    async with teams.coach.db.session() as session:
        [ref] = (await session.exec(select(TeamsConversationRef))).all()
    assert ref.reference["serviceUrl"].endswith("/v2/")



async def test_missed_install_is_recovered_by_opening_the_personal_chat(
        teams: TeamsKit, team: dict[str, int]) -> None:
    """Maria's install event never reached us, but Ravi's reference tells us the
    tenant's connector: coachbot opens Maria's personal chat by AAD object id."""
    await teams.activity("conversation_update_install")  # Ravi; binds tenant-1
    teams.connector.calls.clear()
    sent_id = await teams.coach.deliver(team["maria"], [CHECKIN])
    [created] = teams.connector.created
    assert created.body["members"] == [{"id": "aad-maria", "aadObjectId": "aad-maria",
                                        "name": "Maria Manager"}]
    assert created.body["channelData"] == {"tenant": {"id": "tenant-1"}}
    assert created.body["isGroup"] is False
    assert created.body["bot"]["id"] == "28:coachbot-app-id"
    [message] = teams.connector.sent
    assert message.path == "/v3/conversations/a:created-1/activities"
    assert message.body["recipient"]["id"] == "aad-maria"
    assert sent_id == "1:sent-2"  # 1 was Ravi's welcome
    # the new chat is remembered: the next prompt is a plain continuation
    await teams.coach.deliver(team["maria"], [CHECKIN])
    assert len(teams.connector.created) == 1
    assert teams.connector.sent[-1].path == "/v3/conversations/a:created-1/activities"


async def test_teams_refusing_the_personal_chat_means_not_installed(
        teams: TeamsKit, team: dict[str, int]) -> None:
    await teams.activity("conversation_update_install")
    teams.connector.calls.clear()
    teams.connector.fail_next = [403]
    with pytest.raises(DeliveryError, match="not installed"):
        await teams.coach.deliver(team["maria"], [CHECKIN])
    assert teams.connector.sent == []
    async with teams.coach.db.session() as session:
        assert await store.find_reference(session, "tenant-1", "aad-maria") is None


async def test_post_to_a_team_channel_then_reply_in_its_thread(teams: TeamsKit, team: dict[str, int]) -> None:
    from bot.core.channel import Place

    await teams.activity("conversation_update_install")  # a reference in the tenant: its service URL
    recipient = await teams.coach.recipient(team["ravi"])
    teams.connector.calls.clear()
    place = Place("teams", "19:sales-team@thread.tacv2", recipient.tenant)
    root = await teams.coach.post_to(place, [Message("Scorecard", title="Team scorecard")])
    reply = await teams.coach.post_to(place, [Message("Ravi reported late")], thread=root)
    first, second = teams.connector.sent
    assert root == "1:sent-2" and reply == "1:sent-3"
    assert first.path == "/v3/conversations/19:sales-team@thread.tacv2/activities"
    assert second.path == "/v3/conversations/19:sales-team@thread.tacv2;messageid=1:sent-2/activities"
    assert first.body["conversation"]["conversationType"] == "channel"
    with pytest.raises(DeliveryError):
        await teams.coach.post_to(Place("teams", "19:x@thread.tacv2", "unknown-tenant"), [Message("x")])
