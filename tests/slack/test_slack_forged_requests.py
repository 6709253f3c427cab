"""Forged requests to /slack/events (review3): nothing an unauthenticated caller sends
reaches the operator's log, and a header no Slack request could carry (a timestamp of
hundreds of digits, a signed '+' or '-', a signature of kilobytes) is a 401 that
changes nothing, never a 500 with an ERROR traceback."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest
from slack_sdk.signature import SignatureVerifier
from slackkit import (  # noqa: F401 (fixtures)
    SECRET,
    Harness,
    event_body,
    fake_fixture,
    harness_fixture,
    sign,
)
from test_slack_http import row_counts

from bot.core import logs

FORGED = "2026-12-01 01:00:00,000 ERROR bot.runtime: FORGED"


def dm_body(event_id: str) -> str:
    return event_body({"type": "message", "channel_type": "im", "channel": "DU0RAVI",
                       "user": "U0RAVI", "text": "hi", "ts": "1.1"}, event_id)


@pytest.fixture
def operator_log() -> Iterator[io.StringIO]:
    """Logging as `coachbot run` sets it up (bot.core.logs.setup at INFO, before the
    Bolt app is built), writing to a buffer the test reads; restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    bolt_level = logging.getLogger("slack_bolt").level
    written = io.StringIO()
    logs.setup("INFO", stream=written)
    yield written
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    logging.getLogger("slack_bolt").setLevel(bolt_level)


async def test_a_timestamp_of_hundreds_of_digits_is_401_not_500(harness: Harness,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    body = dm_body("EvBig")
    before = await row_counts(harness)
    for stamp in ("9" * 400, "9" * 5000, "9" * 12):
        headers = {**sign(body), "X-Slack-Request-Timestamp": stamp}
        response = await harness.post(body, headers, "application/json")
        assert response.status == 401, (len(stamp), response.status)
    await harness.settle()
    assert await row_counts(harness) == before and harness.recorder.turns == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("stamp", ["", "-1700000000", "+{now}", "1e9", "0x65f0a1b2", "17 00000000"])
async def test_a_timestamp_slack_never_sends_is_401_even_when_signed_with_it(
        harness: Harness, stamp: str, caplog: pytest.LogCaptureFixture) -> None:
    """Signed with the odd stamp itself: the HMAC matches, yet Slack never sends one."""
    stamp = stamp.format(now=int(time.time()))
    body = dm_body("EvOdd")
    headers = {"X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""}
    response = await harness.post(body, headers, "application/json")
    assert response.status == 401, (stamp, response.status)
    await harness.settle()
    assert harness.recorder.turns == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_whitespace_around_a_real_timestamp_is_what_slack_signed(harness: Harness) -> None:
    """HTTP drops the blanks around a header's value, so the stamp Slack signed is read."""
    body = dm_body("EvSpaced")
    headers = sign(body)
    headers["X-Slack-Request-Timestamp"] = f"  {headers['X-Slack-Request-Timestamp']} "
    response = await harness.post(body, headers, "application/json")
    assert response.status == 200
    await harness.settle()
    assert [t.text for t in harness.recorder.turns] == ["hi"]


@pytest.mark.parametrize("signature", ["v0=" + "0" * 5000, "v0=" + "a" * 129, "", "v0="])
async def test_an_absurd_or_empty_signature_is_401(harness: Harness, signature: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    body = dm_body("EvSig")
    response = await harness.post(body, {**sign(body), "X-Slack-Signature": signature}, "application/json")
    assert response.status == 401
    await harness.settle()
    assert harness.recorder.turns == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_request_with_a_bad_signature_writes_nothing_of_its_body_to_the_log(
        operator_log: io.StringIO, harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Bolt's RequestVerification logs the whole body of every request with a bad
    signature at INFO (up to the 1 MiB aiohttp accepts): without the fix anyone on the
    internet wrote forged log lines, raw ANSI/OSC escapes to the operator's terminal,
    and 1 MB of log per request."""
    body = f"text=hi\n{FORGED} \x1b[2J\x1b]0;pwned\x07" + "a" * 20_000
    headers = {**sign(body), "X-Slack-Signature": "v0=" + "0" * 64}
    response = await harness.post(body, headers, "application/x-www-form-urlencoded")
    assert response.status == 401
    recorded = "\n".join(r.getMessage() for r in caplog.records)
    written = operator_log.getvalue()
    for log in (recorded, written):
        assert "\x1b" not in log and "FORGED" not in log and "pwned" not in log and len(log) < 10_000


async def test_a_signed_request_is_still_served_with_operator_logging(operator_log: io.StringIO,
                                                                      harness: Harness) -> None:
    """The quieter Bolt loggers change nothing for Slack's own requests."""
    response = await harness.dm("hello", event_id="EvOk")
    assert response.status == 200
    await harness.settle()
    assert [t.text for t in harness.recorder.turns] == ["hello"]
