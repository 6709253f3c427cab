"""A local fake of the Slack Web API (and response_url, file upload and Socket Mode
endpoints) on 127.0.0.1, recording every call's body.

The channel under test talks to it through SLACK_API_URL exactly as it would talk to
slack.com, so the real slack_sdk clients, retry handlers and Bolt run unchanged; no
test reaches the network.

It injects faults as a flaky Slack would: `refuse` (429 with Retry-After), `fail`
(HTTP 5xx), `reset` (the connection dropped without an answer) and `hang` (no answer
for a while), each on chosen arrivals of a method, or at random rates (`chaos`);
`accepted=True` makes the fault happen *after* Slack posted the message, which is
the case that tests exactly-once. Posted messages keep their metadata, and
`conversations.history` returns them, newest first.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None
    team: str | None
    at: float = field(default_factory=time.time)  # arrival, wall clock


@dataclass
class FakeSlack:
    """Workspaces by bot token; users by (team, user id)."""

    tokens: dict[str, str] = field(default_factory=lambda: {"xoxb-test": "T0001"})
    users: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    oauth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry_after: str = "1"
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._refuse: dict[str, set[int]] = defaultdict(set)
        self._faults: dict[str, dict[int, tuple[str, float, bool]]] = defaultdict(dict)
        self._chaos: dict[str, tuple[float, float, float, float, float]] = {}
        self._random = random.Random(13)
        self.faults: Counter[str] = Counter()  # injected faults by kind (and "-accepted")
        self._seen: dict[str, int] = defaultdict(int)
        self._ts = 0
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self.port = 0

    # --- set-up ---------------------------------------------------------------------------

    def add_user(self, team: str, user_id: str, email: str | None, **extra: Any) -> None:
        self.users[(team, user_id)] = {"id": user_id, "team_id": team,
                                       "profile": {"email": email} if email else {}, **extra}

    def refuse(self, method: str, *arrivals: int) -> None:
        """Answer 429 to the n-th calls (1-based) of `method`."""
        self._refuse[method].update(arrivals)

    def fail(self, method: str, *arrivals: int, status: int = 500, accepted: bool = False) -> None:
        """Answer HTTP `status` (5xx) to the n-th calls of `method`."""
        for n in arrivals:
            self._faults[method][n] = ("fail", float(status), accepted)

    def gateway(self, method: str, *arrivals: int, status: int = 502) -> None:
        """Answer the n-th calls of `method` as a proxy in front of Slack would: HTTP
        `status` with a plain-text page, not Slack's JSON."""
        for n in arrivals:
            self._faults[method][n] = ("html", float(status), False)

    def reset(self, method: str, *arrivals: int, accepted: bool = False) -> None:
        """Drop the connection of the n-th calls of `method` without answering."""
        for n in arrivals:
            self._faults[method][n] = ("reset", 0.0, accepted)

    def hang(self, method: str, *arrivals: int, seconds: float = 3600.0, accepted: bool = False) -> None:
        """Answer the n-th calls of `method` only after `seconds` (if ever)."""
        for n in arrivals:
            self._faults[method][n] = ("hang", seconds, accepted)

    def chaos(self, method: str, ratelimit: float = 0.0, fail: float = 0.0, reset: float = 0.0,
              hang: float = 0.0, hang_seconds: float = 60.0) -> None:
        """Random faults on every call of `method`, at these rates (0..1); half of
        the 5xx, resets and hangs happen after the message was posted."""
        self._chaos[method] = (ratelimit, fail, reset, hang, hang_seconds)

    def _fault(self, method: str, arrival: int) -> tuple[str, float, bool] | None:
        if arrival in self._faults[method]:
            return self._faults[method][arrival]
        if method not in self._chaos:
            return None
        ratelimit, fail, reset, hang, hang_seconds = self._chaos[method]
        roll, accepted = self._random.random(), self._random.random() < 0.5
        for kind, rate, arg in (("ratelimit", ratelimit, 0.0), ("fail", fail, 500.0),
                                ("reset", reset, 0.0), ("hang", hang, hang_seconds)):
            if roll < rate:
                return kind, arg, accepted and kind != "ratelimit"
            roll -= rate
        return None

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, hook: str = "1") -> str:
        return f"{self.url}/respond/{hook}"

    # --- queries for assertions ---------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [c.body for c in self.calls_to("chat.postMessage")
                if channel is None or c.body.get("channel") == channel]

    # --- handlers -------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body.update(await request.json())
            else:
                body.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or body.get("token")
        team = self.tokens.get(token or "")
        call = Call(method, body, token, team)
        self._seen[method] += 1
        fault = self._fault(method, self._seen[method])
        if fault is not None:
            self.faults[fault[0] + ("-accepted" if fault[2] else "")] += 1
        if self._seen[method] in self._refuse[method] or (fault and fault[0] == "ratelimit"):
            self.refused.append(call)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": self.retry_after})
        if fault is not None:
            kind, arg, accepted = fault
            answer = None
            if accepted and team is not None:  # Slack did the work, the answer is lost
                self.calls.append(call)
                answer = self._answer(method, body, team)
            else:
                self.refused.append(call)
            if kind == "fail":
                return web.json_response({"ok": False, "error": "internal_error"}, status=int(arg))
            if kind == "html":
                return web.Response(text=f"{int(arg)} from the gateway", content_type="text/plain",
                                    status=int(arg))
            if kind == "reset":
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=500)
            await asyncio.sleep(arg)  # hang
            return web.json_response(answer or {"ok": False, "error": "request_timeout"})
        self.calls.append(call)
        if method == "oauth.v2.access":
            found = self.oauth_codes.get(body.get("code", ""))
            return web.json_response(found or {"ok": False, "error": "invalid_code"})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if team is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, body, team))

    def _answer(self, method: str, body: dict[str, Any], team: str) -> dict[str, Any]:
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        if method == "auth.test":
            return {"ok": True, "team_id": team, "team": f"Team {team}", "user_id": "UBOT",
                    "bot_id": "BBOT", "url": f"https://{team.lower()}.slack.com/"}
        if method in {"chat.postMessage", "chat.postEphemeral"}:
            channel = str(body.get("channel", ""))
            if channel.startswith(("U", "W")):
                channel = f"D{channel}"
            message = {"ts": ts, "text": body.get("text")}
            if body.get("metadata"):
                message["metadata"] = _json(body["metadata"])
            self.history.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "conversations.history":
            messages = list(reversed(self.history.get(str(body.get("channel")), [])))
            metadata = str(body.get("include_all_metadata")).lower() in {"1", "true"}
            shown = [m if metadata else {k: v for k, v in m.items() if k != "metadata"}
                     for m in messages[: int(body.get("limit") or 100)]]
            return {"ok": True, "messages": shown, "has_more": False}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "users.info":
            user = self.users.get((team, str(body.get("user"))))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            for (t, _uid), user in self.users.items():
                if t == team and user.get("profile", {}).get("email") == body.get("email"):
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{body.get('users')}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._ts}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method in {"views.publish", "views.open", "views.update", "views.push"}:
            return {"ok": True, "view": {"id": f"V{self._ts}", **(_json(body.get("view")) or {})}}
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append({"hook": request.match_info["hook"], **(await request.json())})
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads[request.match_info["file"]] = data
        return web.Response(text="OK - 1")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A1"}})
        self._socket_ready.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return ws

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await asyncio.wait_for(self._socket_ready.wait(), 5)
        await self._sockets[-1].send_json(envelope)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
