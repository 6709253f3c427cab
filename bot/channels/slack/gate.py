"""What /slack/events lets through to Bolt, and how the install pages reach it.

Bolt decodes a request's body (JSON, a form, the form's `payload` JSON) while it
builds its request object, and checks the signature only afterwards, in a
middleware. So 1.5 KB of "[" from anyone was a RecursionError and a 500 with a
traceback in the log. Here the signature is checked first, on the bytes as they came,
and only a body Slack signed is decoded; one that does not decode into an object is
a 400 and one WARNING line.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

# Slack signs with "v0=" and 64 hex digits, at a Unix time in seconds (10 digits until
# 2286). Anything far longer was never Slack's: int() of 400 digits overflows the
# clock arithmetic (a 500), and a long signature is only work.
MAX_STAMP_DIGITS = 11
MAX_SIGNATURE_LENGTH = 128


def refused() -> web.Response:
    """The answer to a request Slack did not sign (Bolt's own words and status)."""
    return web.json_response({"error": "invalid request"}, status=401)


def plausible_stamp(stamp: str) -> bool:
    """Whether a timestamp header could be Slack's: 1 to MAX_STAMP_DIGITS ASCII digits."""
    return stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_STAMP_DIGITS


async def admit(request: web.Request, signing_secret: str | None) -> AsyncBoltRequest | web.Response:
    """Bolt's request for an events request Slack signed with `signing_secret` (HTTP
    mode cannot start without one; None checks nothing), else the answer to give: 401 for
    anything Slack did not sign (odd headers, bytes that are not UTF-8, a wrong or
    stale signature), 400 for a signed body that does not decode."""
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    signature = request.headers.get("X-Slack-Signature", "")
    if (stamp is not None and not plausible_stamp(stamp.strip())) \
            or not signature.isascii() or len(signature) > MAX_SIGNATURE_LENGTH:
        # Slack signs with ASCII digits and hex. The verifier would fail with a 500 on
        # int("abc") or int("²"), on abs(now - int("9" * 400)) (OverflowError), and in
        # hmac.compare_digest on a non-ASCII signature.
        return refused()
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:  # Slack sends UTF-8; this was never Slack's
        return refused()
    if signing_secret and not SignatureVerifier(signing_secret).is_valid_request(body, dict(request.headers)):
        return refused()
    decoded = _decoded(body, request)
    if decoded is None:
        return web.json_response({"error": "unparsable request"}, status=400)
    return decoded


def _decoded(body: str, request: web.Request) -> AsyncBoltRequest | None:
    """What `to_bolt_request` builds, from the text whose signature was checked; None,
    logged once, when the body does not decode into an object: a RecursionError on
    deep nesting, a ValueError on bad JSON or an integer of thousands of digits, a
    list or a number where Slack sends an object."""
    try:
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string,
                                        headers=request.headers)  # type: ignore[arg-type]
        if isinstance(bolt_request.body, dict):
            return bolt_request
        problem = f"a JSON {type(bolt_request.body).__name__}, not an object"
    except (ValueError, RecursionError, AttributeError, TypeError) as error:
        problem = type(error).__name__
    log.warning("Signed Slack request of %d bytes does not decode: %s", len(body), problem)
    return None


def page_request(request: web.Request) -> AsyncBoltRequest:
    """Bolt's request for an install page (a GET): its query and headers only. Those
    pages read no body, and decoding one would let anyone send the deep JSON above."""
    return AsyncBoltRequest(body="", query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
