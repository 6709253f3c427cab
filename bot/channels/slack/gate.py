"""What /slack/events lets through to Bolt, and how the install pages reach it.

Bolt decodes a request's body (JSON, a form, the form's `payload` JSON) while it
builds its request object, and checks the signature only afterwards, in a
middleware. So 1.5 KB of "[" from anyone was a RecursionError and a 500 with a
traceback in the log. Here the signature is checked first, on the bytes as they came,
and only a body Slack signed is decoded; one that does not decode into an object is
a 400 and one WARNING line.

Slack's signature has no nonce: the same bytes with the same two headers verify again
for as long as their timestamp is inside Slack's five-minute window, so a captured
request could be sent again (a replayed `/okr 1on1 … skip next` skipped two
meetings). `Replays` remembers each accepted signature until its timestamp leaves the
window, in this process's memory, and a repeat is refused like any unsigned request.
Slack signs every delivery when it sends it, so its own retries (`X-Slack-Retry-Num`,
seconds to minutes later) carry a new timestamp and signature and pass; the event id
in the database (storage.events) then stops them from being processed twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

# Slack signs with "v0=" and 64 hex digits, at a Unix time in seconds (10 digits until
# 2286). Anything far longer was never Slack's: int() of 400 digits overflows the
# clock arithmetic (a 500), and a long signature is only work.
MAX_STAMP_DIGITS = 11
MAX_SIGNATURE_LENGTH = 128
# Slack's window (slack_sdk's SignatureVerifier refuses |now - timestamp| > 5 minutes).
WINDOW_SECONDS = 300
# Signatures remembered at most: 200 requests a second for the whole window, with room
# to spare, at about 150 bytes each (15 MB). Beyond it the oldest second is forgotten
# early and every timestamp up to it refused from then on (see `Replays.claim`).
MAX_REMEMBERED = 100_000


def refused() -> web.Response:
    """The answer to a request Slack did not sign (Bolt's own words and status)."""
    return web.json_response({"error": "invalid request"}, status=401)


def plausible_stamp(stamp: str) -> bool:
    """Whether a timestamp header could be Slack's: 1 to MAX_STAMP_DIGITS ASCII digits."""
    return stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_STAMP_DIGITS


class Replays:
    """The (timestamp, signature) pairs of signed requests taken in, until the timestamp
    leaves Slack's window: a repeat inside the window is a replay.

    A pair is claimed when its request passes the gate (so two copies arriving together
    cannot both pass) and released when the request was not accepted after all (Bolt
    answered other than 2xx, or failed): such a request may be sent again. Kept per
    second of timestamp, so expiry drops whole seconds. At most `limit` pairs: when
    full, the oldest second is dropped and every timestamp up to it is refused from then
    on, so memory stays bounded without reopening the window to replays (a genuine
    request is signed the moment Slack sends it, far newer than that second).
    """

    def __init__(self, window: int = WINDOW_SECONDS, limit: int = MAX_REMEMBERED,
                 clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self.limit = limit
        self.clock = clock
        self.size = 0
        self._seconds: dict[int, set[bytes]] = {}
        self._floor = -1  # timestamps up to this one are refused (forgotten early)
        self._swept = 0
        self._warned = 0.0

    def claim(self, stamp: int, signature: str) -> bool:
        """True the first time a verified pair is seen (it is then remembered); False for
        a repeat, or a timestamp at or below a second forgotten early."""
        self._sweep()
        if stamp <= self._floor:
            return False
        key = _digest(signature)
        if key in self._seconds.get(stamp, ()):
            return False
        while self.size >= self.limit and self._seconds:
            self._forget_oldest()
            if stamp <= self._floor:
                return False
        self._seconds.setdefault(stamp, set()).add(key)
        self.size += 1
        return True

    def release(self, stamp: int, signature: str) -> None:
        """Forget a claimed pair whose request was not accepted (it may come again)."""
        seen = self._seconds.get(stamp)
        key = _digest(signature)
        if seen is not None and key in seen:
            seen.discard(key)
            self.size -= 1
            if not seen:
                del self._seconds[stamp]

    def _sweep(self) -> None:
        """Drop the seconds the window has left behind (at most once a second)."""
        now = int(self.clock())
        if now == self._swept:
            return
        self._swept = now
        for stamp in [s for s in self._seconds if s < now - self.window]:
            self.size -= len(self._seconds.pop(stamp))

    def _forget_oldest(self) -> None:
        oldest = min(self._seconds)
        self.size -= len(self._seconds.pop(oldest))
        self._floor = max(self._floor, oldest)
        now = self.clock()
        if now - self._warned > self.window:
            self._warned = now
            log.warning("More than %d signed Slack requests within %d s: requests signed at or "
                        "before %d are refused from now on", self.limit, self.window, oldest)


def _digest(signature: str) -> bytes:
    """A verified signature ("v0=" and 64 hex digits) as its 32 bytes."""
    try:
        return bytes.fromhex(signature.partition("=")[2])
    except ValueError:  # not Slack's shape; verified only when no secret is set
        return signature.encode()


def signed_pair(headers: Mapping[str, str]) -> tuple[int, str] | None:
    """(timestamp, signature) of a request whose headers passed the gate, else None."""
    stamp = (headers.get("X-Slack-Request-Timestamp") or "").strip()
    signature = headers.get("X-Slack-Signature") or ""
    return (int(stamp), signature) if plausible_stamp(stamp) and signature else None


async def admit(request: web.Request, signing_secret: str | None,
                replays: Replays | None = None) -> AsyncBoltRequest | web.Response:
    """Bolt's request for an events request Slack signed with `signing_secret` (HTTP
    mode cannot start without one; None checks nothing), else the answer to give: 401 for
    anything Slack did not sign (odd headers, bytes that are not UTF-8, a wrong or
    stale signature) and for a signed request already taken in (`replays`, which then
    remembers this one: the caller releases it if the request is not accepted), 400 for a
    signed body that does not decode."""
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
    pair = signed_pair(request.headers) if signing_secret and replays is not None else None
    if pair is not None and not replays.claim(*pair):  # type: ignore[union-attr]
        log.info("Replayed Slack request refused (signed at %d)", pair[0])
        return refused()
    decoded = _decoded(body, request)
    if decoded is None:
        if pair is not None:
            replays.release(*pair)  # type: ignore[union-attr]
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
