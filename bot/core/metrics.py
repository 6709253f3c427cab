"""The numbers an operator watches, in the Prometheus text format (prometheus-client).

Counters and histograms live in one registry of this process and are served at
`/metrics` by the HTTP server. Parts of the bot record what they do through the small
functions below (one line at the place it happens); figures that the database already
knows (prompts by cadence and status, conversations in progress) are read from
storage when `/metrics` is scraped, so every process reports the same truth.

Units: seconds for durations. Labels: `cadence` is the prompt kind (`okr_checkin`,
`wig`); `platform` is `slack` or `teams`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core.clock import now

if TYPE_CHECKING:
    import aiohttp

REGISTRY = CollectorRegistry()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

PROMPTS = Counter("coachbot_prompts", "Prompts by what happened to them in this process (sent, failed, retried).",
                  ["cadence", "outcome"], registry=REGISTRY)
PROMPTS_STORED = Gauge("coachbot_prompts_stored", "Prompts in the database by cadence and status "
                       "(pending = planned and not yet sent).", ["cadence", "status"], registry=REGISTRY)
LAG = Histogram("coachbot_dispatch_lag_seconds", "From a prompt's due time to the platform accepting it.",
                ["cadence"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600),
                registry=REGISTRY)
API_CALLS = Counter("coachbot_platform_api_calls", "Outbound platform API calls by method and HTTP status.",
                    ["platform", "method", "status"], registry=REGISTRY)
INBOUND = Counter("coachbot_inbound_events", "Requests received from a platform, by route and status.",
                  ["platform", "status"], registry=REGISTRY)
ACK = Histogram("coachbot_inbound_ack_seconds", "Time to answer a platform's request (Slack wants < 3 s).",
                ["platform"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
                registry=REGISTRY)
CONVERSATIONS = Gauge("coachbot_conversations_active", "Scripted conversations in progress.", registry=REGISTRY)


def prompt(cadence: str, outcome: str, due_at: datetime | None = None) -> None:
    """A prompt was `sent`, `failed` or `retried`; a sent one with its due time also
    feeds the lag histogram."""
    _counted(cadence, outcome).inc()
    if outcome == "sent" and due_at is not None:
        _lag(cadence).observe(max(0.0, (now() - due_at).total_seconds()))


# A dispatch counts thousands of prompts of a few kinds: each labelled child is looked up once.
_counted = cache(PROMPTS.labels)
_lag = cache(LAG.labels)


def inbound(platform: str, status: int, seconds: float) -> None:
    INBOUND.labels(platform, str(status)).inc()
    ACK.labels(platform).observe(seconds)


def stored(prompts_by_status: Mapping[tuple[str, str], int], conversations: int) -> None:
    """Set the gauges read from storage: (cadence, status) -> count, and conversations."""
    PROMPTS_STORED.clear()
    for (cadence, status), count in prompts_by_status.items():
        PROMPTS_STORED.labels(cadence, status).set(count)
    CONVERSATIONS.set(conversations)


def api_tracing(platform: str, method: Callable[[str, Any], str] | None = None) -> aiohttp.TraceConfig:
    """An aiohttp trace config counting each outbound call by API method and HTTP
    status (`error` when none came back: a reset, a timeout). The method is the last
    path segment (`chat.postMessage`) unless `method` names it from the HTTP verb and
    the URL (Teams' paths end in ids: `activities.send`)."""
    import aiohttp

    trace = aiohttp.TraceConfig()

    async def done(_session: Any, _context: SimpleNamespace, params: Any) -> None:
        status = str(params.response.status) if hasattr(params, "response") else "error"
        name = method(params.method, params.url) if method else params.url.path.rsplit("/", 1)[-1] or "/"
        API_CALLS.labels(platform, name, status).inc()

    trace.on_request_end.append(done)
    trace.on_request_exception.append(done)
    return trace


def text() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)
