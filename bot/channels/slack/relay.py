"""The coachbot side of the acknowledging front (`bot.channels.slack.front`): starts
that process when SLACK_ACK_PORT is set, takes its requests over a Unix socket and
hands them to the Slack channel's Bolt app, and starts it again if it dies.

The socket lives in a directory only this user can open (mode 0700), and the front
must first send the random token it was started with; a request that arrives this way
was checked by the front (signature, replay) and is dispatched like a Socket Mode
request, which Bolt does not verify again (its verification is for HTTP requests,
whose timestamps may have aged while a busy coachbot read its queue).

Requests are dispatched one after the other in the order Slack's requests reached the
front (a listener only starts its work and returns), so two messages of one person
are taken in the order they were sent. An answer the front waits for (a modal's
`response_action`) is dispatched beside the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.channels.slack import gate
from bot.channels.slack.background import note_arrival
from bot.channels.slack.front import MAX_FRAME, read_frame, write_frame
from bot.core import metrics

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)
# How long start-up waits for the front to listen and connect (its imports take ~0.5 s).
CONNECT_WITHIN = 20.0
# A front that died is started again after this pause (and its death logged), doubled
# up to RESTART_AT_MOST while it keeps dying within RESTART_AFTER_LIVED seconds.
RESTART_AFTER = 1.0
RESTART_AT_MOST = 30.0
RESTART_AFTER_LIVED = 10.0
# A connection to the socket must send its token first, within this many seconds and
# bytes: anything else is not the front, and is not read for long (nor 8 MiB of it).
HELLO_WITHIN = 5.0
HELLO_LARGEST = 1024


class Relay:
    """Runs the front process for `app` on `host`:`port` while started."""

    def __init__(self, app: AsyncApp, signing_secret: str, host: str, port: int,
                 replays: gate.Replays | None = None, log_level: str = "INFO", log_format: str = "text") -> None:
        self.app = app
        # coachbot's own, as parsed (the variables may be spelled "debug" or "JSON")
        self.log_level, self.log_format = log_level, log_format
        self.replays = replays or gate.Replays()
        self.signing_secret = signing_secret
        self.host = host
        self.port = port
        self.connected = asyncio.Event()
        self._token = secrets.token_hex(16)
        self._folder: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False
        self._answers: set[asyncio.Task[None]] = set()
        self._readers: set[asyncio.Task[Any]] = set()

    @property
    def socket_path(self) -> str:
        assert self._folder is not None
        return os.path.join(self._folder, "front.sock")

    async def start(self) -> None:
        """Listen on the socket, start the front and wait until it is connected.
        Raises SettingsError (SLACK_ACK_PORT, HOST) when the front cannot listen there,
        RuntimeError when it exits first or does not connect within CONNECT_WITHIN."""
        from bot.channels import server

        await server.check_address(self.host, self.port, "SLACK_ACK_PORT")
        self._folder = tempfile.mkdtemp(prefix="coachbot-slack-")  # mode 0700
        self._server = await asyncio.start_unix_server(self._serve, self.socket_path, limit=MAX_FRAME)
        await self._spawn()
        assert self._process is not None
        connected = asyncio.ensure_future(self.connected.wait())
        exited = asyncio.ensure_future(self._process.wait())
        await asyncio.wait({connected, exited}, timeout=CONNECT_WITHIN, return_when=asyncio.FIRST_COMPLETED)
        connected.cancel()
        exited.cancel()
        if not self.connected.is_set():
            code = self._process.returncode
            await self.stop()
            if code is not None:  # its own error is above, on stderr
                raise RuntimeError(f"the Slack front exited with {code} before it listened on {self.port}")
            raise RuntimeError(f"the Slack front did not start within {CONNECT_WITHIN:g} s")
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        """Stop the front (no more acknowledgements), take in what it acknowledged,
        then close the socket."""
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        if self._readers:  # the front closed its end: read to it
            await asyncio.wait(list(self._readers), timeout=5)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    async def _spawn(self) -> None:
        env = {**os.environ, "COACHBOT_SLACK_FRONT_SOCKET": self.socket_path,
               "COACHBOT_SLACK_FRONT_TOKEN": self._token, "SLACK_SIGNING_SECRET": self.signing_secret,
               "HOST": self.host, "SLACK_ACK_PORT": str(self.port),
               "COACHBOT_LOG_LEVEL": self.log_level, "COACHBOT_LOG_FORMAT": self.log_format}
        self.connected.clear()
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.channels.slack.front", env=env, stdin=asyncio.subprocess.DEVNULL)

    async def _watch(self) -> None:
        """Start the front again when it exits while coachbot runs."""
        pause = RESTART_AFTER
        while not self._stopping and self._process is not None:
            started = time.monotonic()
            code = await self._process.wait()
            if self._stopping:
                return
            pause = RESTART_AFTER if time.monotonic() - started > RESTART_AFTER_LIVED else pause
            log.error("Slack front (SLACK_ACK_PORT %s) exited with %s; starting it again in %g s",
                      self.port, code, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RESTART_AT_MOST)
            await self._spawn()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One front's connection: its token, then its requests in order."""
        reading = asyncio.current_task()
        assert reading is not None
        self._readers.add(reading)
        try:
            try:
                hello = await asyncio.wait_for(read_frame(reader, HELLO_LARGEST), HELLO_WITHIN)
            except TimeoutError:
                hello = None
            token = str((hello or {}).get("token", "")).encode()
            if not hmac.compare_digest(token, self._token.encode()):
                log.warning("Slack front socket: a connection without the token was closed")
                return
            self.connected.set()
            while (frame := await read_frame(reader)) is not None:
                if "counted" in frame:
                    metrics.inbound("slack", int(frame["counted"]), float(frame.get("seconds", 0.0)))
                elif not self._first_time(frame):
                    if "id" in frame:  # the front is waiting: Bolt's answer to a bad signature
                        write_frame(writer, {"id": frame["id"], "status": 401, "content_type": "application/json",
                                             "body": '{"error": "invalid request"}'})
                elif "id" in frame:
                    task = asyncio.get_running_loop().create_task(self._answer(frame, writer))
                    self._answers.add(task)
                    task.add_done_callback(self._answers.discard)
                else:
                    await self._dispatch(frame)
        except ValueError as error:
            log.error("Slack front socket: %s; connection closed", error)
        finally:
            self._readers.discard(reading)
            writer.close()

    def _first_time(self, frame: dict[str, Any]) -> bool:
        """Whether a request's signature is new to this process too. The front refuses
        replays with a 401, but its memory starts empty when it is started again; this
        one lasts as long as coachbot, so a replay sent to a new front changes nothing."""
        pair = gate.signed_pair(CIMultiDict(frame.get("headers") or {}))
        if pair is None or self.replays.claim(*pair):
            return True
        log.info("Replayed Slack request dropped (signed at %d)", pair[0])
        return False

    async def _dispatch(self, frame: dict[str, Any]) -> Any:
        request = AsyncBoltRequest(body=str(frame.get("body", "")), headers=frame.get("headers") or {},
                                   mode="socket_mode")
        try:
            response = await self.app.async_dispatch(request)
        except Exception:
            log.exception("Slack request from the front failed")
            return None
        # counted with the front's own time to its acknowledgement
        metrics.inbound("slack", response.status, float(frame.get("seconds", 0.0)))
        return response

    async def _answer(self, frame: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        # this task's own context: counted from the front's arrival (the front waits
        # REPLY_WITHIN from then), not from now (requests before it may have held it here)
        note_arrival(float(frame.get("arrived") or time.monotonic()))
        response = await self._dispatch(frame)
        status, body, kind = 500, "", "text/plain"
        if response is not None:
            status, body = response.status, response.body
            kind = (response.first_headers().get("content-type") or kind).split(";")[0].strip()
        if not writer.is_closing():
            write_frame(writer, {"id": frame["id"], "status": status, "body": body, "content_type": kind})
