"""The acknowledging front: a process of its own that answers Slack's HTTP requests
on SLACK_ACK_PORT and hands each one, in order, to the coachbot process over a local
socket (`bot.channels.slack.relay` starts it and takes the requests).

Why a process: Slack wants its acknowledgement within three seconds and a team feels
every millisecond of it, but the answer behind a request (the coach's turn, its
statements, the post to `response_url`) is ~2 ms of CPU in the same event loop. At
200 `/okr status` a second on PostgreSQL the acknowledgement's p99 was 1.8-2.0x a bare
Bolt app's in one process; with the acknowledgements written here, 0.9-1.0x
(`python bench/slack_ack_bench.py`, README "Speed").

What is answered here, before the coachbot process sees the request: 401 for anything
Slack did not sign or already sent (`gate.admit`, the same checks as /slack/events on
PORT), 400 for a body that does not decode, 503 while the coachbot process is not
connected (nothing was taken in: Slack retries an event, and a person sees their
command fail rather than vanish). Everything else is acknowledged at once with an
empty 200, as every coachbot listener acknowledges, except the kinds whose
acknowledgement carries an answer (a modal's `response_action`, the URL check's
challenge): those wait for the coachbot process's answer, up to REPLY_WITHIN.

The frames: a 4-byte big-endian length, then UTF-8 JSON. To the coachbot process:
first {"token"} (the secret it started this process with), then per request
{"body", "headers", "seconds"[, "id", "arrived"]} ("seconds" to its acknowledgement,
for `/metrics`; "id" when an answer is awaited, with "arrived", its `time.monotonic()`
here, the machine's clock: the coachbot process counts the answer's time from then)
or {"counted": status, "seconds"} for a request refused here (so `/metrics` still
counts it). Back:
{"id", "status", "body", "content_type"}.

Run by the coachbot process only: `python -m bot.channels.slack.front`, configured by
COACHBOT_SLACK_FRONT_SOCKET and _TOKEN, SLACK_SIGNING_SECRET, HOST, SLACK_ACK_PORT and
COACHBOT_LOG_LEVEL and _FORMAT (all as coachbot parsed them, `relay.Relay._spawn`).
It exits when the coachbot process closes the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import logging
import os
import signal
import struct
import time
from collections import deque
from typing import Any

from aiohttp import web

from bot.channels.slack import gate

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
FRAME = struct.Struct(">I")
MAX_FRAME = 8 * 1024 * 1024  # aiohttp takes request bodies up to 1 MiB; headers and JSON's \u escapes on top
# Request kinds whose acknowledgement carries the answer (Bolt's `ack(response_action=…)`,
# Slack's URL verification challenge, options for an external select).
CARRIES_AN_ANSWER = frozenset({"view_submission", "url_verification", "block_suggestion"})
# Slack waits 3 s for an acknowledgement; past this the modal is closed with an empty
# 200 and the coachbot process's answer follows as a DM (as `forms` does when the coach is slow).
REPLY_WITHIN = 2.8
# How long after its acknowledgement is written a request is handed over (s): the
# acknowledgement's bytes still need a core in the processes that carry them (a reverse
# proxy on the same machine, the benchmark's load generator), and the answer's CPU and
# its database server's would take the small machine's cores first (as
# `background.ACK_HEAD_START` in one process). Requests are handed over in arrival order.
HEAD_START = 0.002
# Requests written to the coachbot process and not yet read by it beyond this: a 503
# (Slack retries) rather than memory without bound while it is stuck.
MAX_BACKLOG = 16 * 1024 * 1024


def write_frame(writer: asyncio.StreamWriter, payload: dict[str, Any]) -> None:
    # ASCII escapes: aiohttp keeps a header's bytes that are not UTF-8 (a proxy's
    # Latin-1) as lone surrogates, which UTF-8 cannot encode; escaped, they go over.
    data = json.dumps(payload, separators=(",", ":")).encode()
    writer.write(FRAME.pack(len(data)) + data)


async def read_frame(reader: asyncio.StreamReader, largest: int = MAX_FRAME) -> dict[str, Any] | None:
    """The next frame; None when the other side closed the socket. Raises ValueError for
    a frame over `largest` bytes or one that is not a JSON object (nested too deep included)."""
    try:
        size = FRAME.unpack(await reader.readexactly(FRAME.size))[0]
        if size > largest:
            raise ValueError(f"a frame of {size} bytes")
        frame = json.loads(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    except RecursionError:
        raise ValueError("a frame nested too deep") from None
    if not isinstance(frame, dict):
        raise ValueError("a frame that is not an object")
    return frame


def kind_of(body: dict[str, Any]) -> str:
    """The request's kind as Slack names it: `type` of an event or interaction payload,
    "command" for a slash command."""
    return "command" if "command" in body else str(body.get("type") or "")


class Front:
    """The front's request handler, over its connection to the coachbot process."""

    def __init__(self, signing_secret: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.signing_secret = signing_secret
        self.reader = reader
        self.writer = writer
        self.replays = gate.Replays()
        self.closed = asyncio.Event()
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._queued: deque[dict[str, Any]] = deque()
        self._flush: asyncio.TimerHandle | None = None

    async def handle(self, request: web.Request) -> web.Response:
        started, arrived = time.perf_counter(), time.monotonic()
        admitted = await gate.admit(request, self.signing_secret, self.replays)
        if isinstance(admitted, web.Response):
            self._count(admitted.status, started)
            return admitted
        if self.closed.is_set() or self.writer.transport.get_write_buffer_size() > MAX_BACKLOG:
            pair = gate.signed_pair(request.headers)
            if pair is not None:  # not taken in: the same request may come again
                self.replays.release(*pair)
            return web.json_response({"error": "coachbot is not ready"}, status=503)
        frame: dict[str, Any] = {"body": admitted.raw_body, "headers": dict(request.headers),
                                 "seconds": time.perf_counter() - started}
        if kind_of(admitted.body) in CARRIES_AN_ANSWER:
            return await self._answered({**frame, "arrived": arrived})
        response = web.Response(status=200)
        with contextlib.suppress(ConnectionError):  # the caller left: the request was taken in all the same
            await response.prepare(request)
            await response.write_eof()
        self._hand_over(frame)
        return response

    def _hand_over(self, frame: dict[str, Any]) -> None:
        """Queue `frame` for the coachbot process, which gets the queue HEAD_START later."""
        self._queued.append(frame)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(HEAD_START, self._write_queued)

    def _write_queued(self) -> None:
        self._flush = None
        while self._queued:
            write_frame(self.writer, self._queued.popleft())

    async def _answered(self, frame: dict[str, Any]) -> web.Response:
        """Hand over a request whose acknowledgement is the coachbot process's answer."""
        request_id = next(self._ids)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        self._hand_over({**frame, "id": request_id})
        try:
            reply = await asyncio.wait_for(answer, REPLY_WITHIN)
        except TimeoutError:
            log.warning("Slack: no answer from coachbot within %.1f s; acknowledged empty", REPLY_WITHIN)
            return web.Response(status=200)
        finally:
            self._waiting.pop(request_id, None)
        return web.Response(status=int(reply.get("status", 200)), text=str(reply.get("body") or ""),
                            content_type=str(reply.get("content_type") or "text/plain"))

    async def close(self) -> None:
        """Hand over what was acknowledged and not yet handed over, then close the socket."""
        if self._flush is not None:
            self._flush.cancel()
        if not self.writer.is_closing():
            self._write_queued()
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()
            self.writer.close()

    def _count(self, status: int, started: float) -> None:
        if not self.closed.is_set():
            write_frame(self.writer, {"counted": status, "seconds": time.perf_counter() - started})

    async def read_answers(self) -> None:
        """Route the coachbot process's answers to the requests waiting for them, until it
        closes the socket (then `closed` is set)."""
        try:
            while (frame := await read_frame(self.reader)) is not None:
                waiting = self._waiting.get(int(frame.get("id", 0)))
                if waiting is not None and not waiting.done():
                    waiting.set_result(frame)
        except ValueError as error:
            log.error("Slack front: unreadable frame from coachbot (%s)", error)
        finally:
            self.closed.set()


async def serve(socket_path: str, token: str, signing_secret: str, host: str, port: int) -> None:
    """Connect to the coachbot process, listen on `host`:`port`, and serve until the
    coachbot process closes the socket or SIGTERM arrives."""
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=MAX_FRAME)
    front = Front(signing_secret, reader, writer)
    app = web.Application()
    app.router.add_post(EVENTS_PATH, front.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    write_frame(writer, {"token": token})  # listening: coachbot counts this front as started
    gc.collect()  # start-up's objects out of the collector's walks (see `bot.runtime.settle_heap`)
    gc.freeze()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, front.closed.set)
    answers = loop.create_task(front.read_answers())
    try:
        await front.closed.wait()
    finally:
        await runner.cleanup()  # requests in progress finish (shutdown_timeout)
        await front.close()
        answers.cancel()


def main() -> None:
    from bot.core import logs

    env = os.environ
    logs.setup(env.get("COACHBOT_LOG_LEVEL") or "INFO", env.get("COACHBOT_LOG_FORMAT") or "text")
    asyncio.run(serve(env["COACHBOT_SLACK_FRONT_SOCKET"], env["COACHBOT_SLACK_FRONT_TOKEN"],
                      env["SLACK_SIGNING_SECRET"], env.get("HOST") or "0.0.0.0", int(env["SLACK_ACK_PORT"])))


if __name__ == "__main__":
    main()
