"""Bodies that do not decode, at /slack/events (review4): Bolt decodes a body before
it checks the signature, so 1.5 KB of "[" from anyone was a RecursionError, a 500 and
a 36-line traceback. Now the signature is checked first: whatever an unsigned caller
sends is a 401 that logs nothing, and a body Slack signed that still does not decode
into an object is a 400 and one WARNING line. Never a 500, never an ERROR."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import pytest
from slackkit import (  # noqa: F401 (fixtures)
    SECRET,
    Harness,
    event_body,
    fake_fixture,
    harness_fixture,
    sign,
)
from test_slack_http import row_counts
from test_slack_oauth import multi  # noqa: F401 (fixture)

JSON, FORM = "application/json", "application/x-www-form-urlencoded"
DEEP = "[" * 1500
# What no Slack request is, each a different way for a decoder to fail or to return
# something other than an object.
UNDECODABLE = [
    pytest.param(DEEP, JSON, id="deep-json-array"),
    pytest.param("payload=" + DEEP, FORM, id="deep-payload-array"),
    pytest.param('{"a":' * 1500, JSON, id="deep-json-object"),
    pytest.param("payload=" + '{"a":' * 1500, FORM, id="deep-payload-object"),
    pytest.param("1e999999", JSON, id="huge-float"),
    pytest.param("1" * 5000, JSON, id="integer-of-5000-digits"),
    pytest.param("payload=" + "9" * 5000, FORM, id="payload-integer-of-5000-digits"),
    pytest.param("-" * 10**5, JSON, id="100k-minus-signs"),
    pytest.param("[1, 2]", JSON, id="json-list"),
    pytest.param("42", JSON, id="json-number"),
    pytest.param('"text"', JSON, id="json-string"),
    pytest.param("payload=[]", FORM, id="payload-list"),
    pytest.param("payload=7", FORM, id="payload-number"),
    pytest.param("payload=%7Bnot-json", FORM, id="payload-not-json"),
]


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("body,ctype", [(DEEP, JSON), ("payload=" + DEEP, FORM)])
async def test_deeply_nested_body_without_any_header_is_401_not_500(
        harness: Harness, body: str, ctype: str, caplog: pytest.LogCaptureFixture) -> None:
    """The reviewer's request: 1.5 KB, no Slack headers at all."""
    response = await harness.post(body, {}, ctype)
    assert response.status == 401
    assert not errors(caplog) and not warnings(caplog)


@pytest.mark.parametrize("body,ctype", UNDECODABLE)
async def test_an_undecodable_body_with_a_wrong_signature_is_401_and_logs_nothing(
        harness: Harness, body: str, ctype: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = await harness.post(body, {**sign(body), "X-Slack-Signature": "v0=" + "0" * 64}, ctype)
    assert response.status == 401
    assert await response.json() == {"error": "invalid request"}
    assert not errors(caplog) and not warnings(caplog)


async def test_a_deep_body_signed_with_another_secret_or_too_long_ago_is_401(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    stale = sign(DEEP, timestamp=1_700_000_000)
    other = sign(DEEP, secret="someone-elses-secret")
    for headers in (stale, other):
        assert (await harness.post(DEEP, headers, JSON)).status == 401
    assert not errors(caplog) and not warnings(caplog)


@pytest.mark.parametrize("body,ctype", UNDECODABLE)
async def test_a_signed_body_that_does_not_decode_is_400_with_one_warning(
        harness: Harness, body: str, ctype: str, caplog: pytest.LogCaptureFixture) -> None:
    """Slack (or whoever holds the secret) signed it: the operator hears of it once."""
    before = await row_counts(harness)
    response = await harness.post(body, sign(body), ctype)
    assert response.status == 400, response.status
    assert await response.json() == {"error": "unparsable request"}
    assert not errors(caplog)
    assert len(warnings(caplog)) == 1, [r.getMessage() for r in warnings(caplog)]
    assert body[:50] not in caplog.text  # the line names the fault, it does not repeat the body
    await harness.settle()
    assert await row_counts(harness) == before and harness.recorder.turns == []


async def test_signed_bytes_that_are_not_utf8_are_401(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Slack sends UTF-8; a signature over other bytes was never Slack's."""
    raw = b'{"type": "event_callback", "team_id": "\xff\xfe"}'
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": JSON, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
    response = await harness.client.post("/slack/events", data=raw, headers=headers)
    assert response.status == 401
    assert not errors(caplog)


async def test_after_all_of_them_a_signed_direct_message_is_still_heard(harness: Harness,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    for param in UNDECODABLE:
        body, ctype = param.values
        assert (await harness.post(body, sign(body), ctype)).status == 400  # type: ignore[arg-type]
    body = event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI", "user": "U0RAVI",
                       "text": "still here", "ts": "1.1"}, "EvAfter")
    assert (await harness.post(body, sign(body), JSON)).status == 200
    await harness.settle()
    assert [t.text for t in harness.recorder.turns] == ["still here"]
    assert not errors(caplog)


async def test_the_install_pages_never_decode_a_body(multi: Harness,  # noqa: F811 (the fixture)
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """The OAuth pages are GETs anyone may open; Bolt would decode a body sent with one."""
    for path in ("/slack/install", "/slack/oauth_redirect?code=x&state=y"):
        response = await multi.client.get(path, data=DEEP, headers={"Content-Type": JSON})
        assert response.status < 500, (path, response.status)
    assert not errors(caplog)


@pytest.mark.parametrize("depth", [900, 990, 1500])
async def test_a_signed_event_carrying_deep_nesting_is_never_a_500(harness: Harness, depth: int,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Nesting inside a real event, around where the decoder's recursion limit lies."""
    shape = event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI", "user": "U0RAVI",
                        "text": "hi", "ts": "1.1", "metadata": "DEEP"}, f"EvDeep{depth}")
    body = shape.replace('"DEEP"', '{"a":' * depth + "1" + "}" * depth)
    response = await harness.post(body, sign(body), JSON)
    assert response.status in (200, 400), response.status
    await harness.settle()
    assert not errors(caplog)
