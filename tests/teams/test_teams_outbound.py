"""Teams outbound calls: bounded by timeouts on one aiohttp session (a hanging
connector does not stall other sends), counted in /metrics by operation and status,
and a prompt's activity carries its delivery tag."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.cadence.dispatcher import Dispatcher, delivery_tag
from bot.channels import server
from bot.channels.teams.channel import TeamsChannel
from bot.channels.teams.connector import CONNECT_TIMEOUT, TOTAL_TIMEOUT, ConnectorHttp, operation
from bot.core.channel import Channels, DeliveryError, Recipient, TransientDeliveryError
from bot.core.clock import now
from bot.core.messages import Message
from storage import occurrences
from storage.db import Database
from teams.teamskit import FakeConnector, TeamsKit, anonymous_settings, payload


class HangingConnector(FakeConnector):
    """The fake connector, except that posting into conversations in `hang` never
    answers (a stuck TCP peer)."""

    hang: set[str]

    async def activity(self, request: web.Request) -> web.Response:
        if request.match_info["conversation"] in self.hang:
            await asyncio.sleep(3600)
        return await super().activity(request)


@pytest.fixture
async def hanging() -> AsyncIterator[HangingConnector]:
    fake = HangingConnector()
    fake.hang = set()
    test_server = TestServer(fake.app(), host="127.0.0.1")
    await test_server.start_server()
    fake.url = str(test_server.make_url("/"))
    yield fake
    await test_server.close()


async def _install(channel: TeamsChannel, connector: FakeConnector, people: int) -> list[Recipient]:
    """Store a personal-chat reference for `people` made-up Teams users."""
    from storage import teams as store

    recipients = []
    async with channel.coach.db.session() as session:
        for n in range(people):
            body = payload("message_personal", connector.url)
            body["conversation"]["id"] = f"a:chat-{n}"
            body["from"]["aadObjectId"] = f"aad-{n}"
            from botbuilder.core import TurnContext
            from botbuilder.schema import Activity

            reference = TurnContext.get_conversation_reference(Activity().deserialize(body)).serialize()
            await store.save_reference(session, "tenant-1", f"aad-{n}", f"aad-{n}", reference)
            recipients.append(Recipient(1000 + n, 1, f"p{n}@example.com", f"P{n}", "teams",
                                        user_id=f"aad-{n}", tenant="tenant-1"))
    return recipients


async def test_every_connector_call_has_a_connect_and_a_total_timeout() -> None:
    http = ConnectorHttp()
    session = http.session()
    try:
        assert session.timeout.total == TOTAL_TIMEOUT == 30
        assert session.timeout.sock_connect == CONNECT_TIMEOUT <= 5
        assert session.timeout.connect is None  # the wait for a pooled connection is not a network fault
    finally:
        await http.close()


async def test_a_hanging_connector_does_not_stall_other_sends(
        db: Database, team: dict[str, int], hanging: HangingConnector) -> None:
    """Eight chats hang, twenty answer. The twenty are delivered without waiting (no
    thread pool to exhaust: botbuilder's default sends through `requests` in a few
    threads with a 100 s timeout); the eight fail "not now" when the total timeout
    (4 s here, 30 s by default) ends."""
    settings = anonymous_settings(db)
    channels = Channels()
    from bot.runtime import build_coach

    coach = build_coach(db, settings, channels)
    channel = TeamsChannel(settings.channel("teams"), coach, retry_base_delay=0.01,
                           http=ConnectorHttp(timeout=4, connect_timeout=4))  # a busy CI took 2 s to connect
    channels.add(channel)
    recipients = await _install(channel, hanging, 28)
    hanging.hang = {f"a:chat-{n}" for n in range(8)}
    finished: dict[int, float] = {}
    start = time.perf_counter()

    async def send(recipient: Recipient) -> str | None:
        try:
            return await channel.deliver(recipient, [Message("hello")])
        finally:
            finished[recipient.person_id] = time.perf_counter() - start

    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(send(r) for r in recipients), return_exceptions=True), timeout=20)
    finally:
        await channel.stop()
    stuck, fine = results[:8], results[8:]
    assert all(isinstance(r, str) and r.startswith("1:sent-") for r in fine), fine
    # the twenty did not wait for the hung calls: all were done before the first hung
    # call gave up (the machine may be slow, so no absolute figure for them)
    assert max(finished[r.person_id] for r in recipients[8:]) < min(finished[r.person_id] for r in recipients[:8])
    assert all(isinstance(r, TransientDeliveryError) for r in stuck)
    assert all(4 <= finished[r.person_id] < 12 for r in recipients[:8])


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def test_teams_calls_are_counted_in_metrics(db: Database, teams: TeamsKit, team: dict[str, int]) -> None:
    """/metrics, parsed with prometheus-client's parser, counts the connector calls by
    operation and status: a send (201/200), a 403 refusal."""
    await teams.activity("installation_update_add")
    metrics_app = server.build_app(Channels(), server.Readiness(db, lambda: now()))
    client = TestClient(TestServer(metrics_app, host="127.0.0.1"))
    await client.start_server()
    try:
        before = await (await client.get("/metrics")).text()
        await teams.coach.deliver(team["ravi"], [Message("first")])
        teams.connector.fail_next = [403]
        with pytest.raises(DeliveryError):
            await teams.coach.deliver(team["ravi"], [Message("second")])
        after = await (await client.get("/metrics")).text()
    finally:
        await client.close()
    name = "coachbot_platform_api_calls_total"
    sent = {"platform": "teams", "method": "activities.send", "status": "200"}
    refused = {"platform": "teams", "method": "activities.send", "status": "403"}
    assert _sample(after, name, **sent) - _sample(before, name, **sent) == 1
    assert _sample(after, name, **refused) - _sample(before, name, **refused) == 1


def test_connector_paths_are_named_without_ids() -> None:
    base = "https://smba.trafficmanager.net/teams/v3/conversations"
    assert operation("POST", f"{base}") == "conversations.create"
    assert operation("POST", f"{base}/a:1x/activities") == "activities.send"
    assert operation("POST", f"{base}/a:1x/activities/1:2") == "activities.reply"
    assert operation("PUT", f"{base}/a:1x/activities/1:2") == "activities.update"
    assert operation("GET", f"{base}/a:1x/members/29:1y") == "members.get"


async def test_a_prompt_activity_carries_its_delivery_tag(teams: TeamsKit, team: dict[str, int]) -> None:
    """The occurrence key rides on the activity's channelData, and the activity id the
    connector returns is recorded as the delivery's message id at once."""
    await teams.activity("installation_update_add")
    teams.connector.calls.clear()
    due = now()
    async with teams.coach.db.session() as session:
        await occurrences.add_occurrence(session, f"wig:{team['ravi']}:teams", team["org"], team["ravi"],
                                         "wig", due, due.date())
    report = await Dispatcher(teams.coach).tick()
    assert report.delivered == 1
    [sent] = teams.connector.sent
    async with teams.coach.db.session() as session:
        from sqlmodel import select

        from storage.models import Delivery, Occurrence
        row = (await session.exec(select(Occurrence).where(Occurrence.key == f"wig:{team['ravi']}:teams"))).one()
        delivery = (await session.exec(select(Delivery).where(Delivery.occurrence_id == row.id))).one()
    assert sent.body["channelData"]["coachbot"]["tag"] == delivery_tag(row)
    assert delivery.message_id == "1:sent-1"


async def test_a_teams_claim_taken_over_mid_send_is_not_lost(teams: TeamsKit, team: dict[str, int]) -> None:
    """The connector cannot read a chat's history back (no GET of a conversation's
    activities for Teams; Graph would need Chat.Read.All), so a claim whose holder died
    between "sending" and "recorded" cannot be checked: it is sent again, once, with
    the same tag in channelData, rather than lost. What keeps this rare is that each
    send is recorded the moment the connector answers (one message in flight per
    send, not a batch) and that SIGTERM lets in-flight sends finish."""
    from storage import claims

    await teams.activity("installation_update_add")
    teams.connector.calls.clear()
    due = now()
    key = f"wig:{team['ravi']}:takeover"
    async with teams.coach.db.session() as session:
        await occurrences.add_occurrence(session, key, team["org"], team["ravi"], "wig", due, due.date())
        [claimed] = await claims.claim_due(session, due, "crashed", 10, due)
        assert await claims.mark_sending(session, claimed.id, "crashed")  # type: ignore[arg-type]
    report = await Dispatcher(teams.coach, instance="survivor").tick()
    assert (report.delivered, report.recovered) == (1, 0)
    [sent] = teams.connector.sent
    assert [c.method for c in teams.connector.calls] == ["POST"]  # no history call was tried
    assert sent.body["channelData"]["coachbot"]["tag"] == f"{key}#prompt"


async def test_the_signed_authorization_header_reaches_the_connector() -> None:
    """botbuilder's credentials policy signs a requests.Session (Authorization:
    Bearer …); the aiohttp driver sends that header with each call."""
    from msrest.universal_http import ClientRequest

    from bot.channels.teams.connector import AiohttpDriver

    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.json_response({"id": "1:x"}, status=201)

    app = web.Application()
    app.router.add_post("/v3/conversations/a:1/activities", handler)
    backend = TestServer(app, host="127.0.0.1")
    await backend.start_server()
    http = ConnectorHttp()
    try:
        driver = AiohttpDriver(http)
        driver.session.headers["Authorization"] = "Bearer token-123"
        request = ClientRequest("POST", str(backend.make_url("/v3/conversations/a:1/activities")))
        request.add_content({"type": "message"})
        response = await driver.send(request)
    finally:
        await http.close()
        await backend.close()
    assert (response.status_code, seen) == (201, ["Bearer token-123"])
    assert response.text() == '{"id": "1:x"}'
