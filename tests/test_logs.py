"""The operator's log (bot.core.logs) writes what outsiders send safely: no raw control
characters or line breaks from a message, its arguments or its ids (text and JSON),
at most MESSAGE_LIMIT characters of message with a note of what was left out, quiet
libraries held at WARNING whatever level they gave their loggers; tracebacks still
print on their own lines (review3)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.channels import server
from bot.core import logs
from bot.core.channel import Channels

EVIL = "hi\n2026-12-01 01:00:00,000 ERROR bot.runtime: FORGED\r\x1b[2J\x1b]0;pwned\x07\u202eevil\u2028x\x9b31m"


@pytest.fixture(params=["text", "json"])
def operator_log(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """logs.setup as `coachbot run` calls it, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet_levels = {name: logging.getLogger(name).level for name in logs.QUIET}
    written = io.StringIO()
    logs.setup("INFO", request.param, stream=written)
    yield written
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    for name, old in quiet_levels.items():
        logging.getLogger(name).setLevel(old)


def messages(written: str, field: str = "message") -> list[str]:
    """Each line's message (its ids with `field`) as the operator reads it."""
    return [json.loads(line)[field] if line.startswith("{") else line for line in written.splitlines()]


def assert_safe(written: str, lines: int) -> None:
    assert len(written.splitlines()) == lines, written
    for bad in ("\x1b", "\r", "\x07", "\u202e", "\u2028", "\x9b"):
        assert bad not in written


def test_control_characters_in_a_message_and_its_arguments_are_shown_escaped(operator_log: io.StringIO) -> None:
    log = logging.getLogger("tests.logs")
    log.warning("typed: %s", EVIL)
    log.warning(EVIL)
    written = operator_log.getvalue()
    assert_safe(written, 2)
    for line in messages(written):
        assert "hi\\n2026-12-01 01:00:00,000 ERROR bot.runtime: FORGED\\r\\x1b[2J\\x1b]0;pwned\\x07\\u202eevil" in line
    assert not any(line.startswith("2026-12-01 01:00:00,000") for line in written.splitlines())


def test_a_huge_message_is_cut_with_a_note_of_what_was_left_out(operator_log: io.StringIO) -> None:
    logging.getLogger("tests.logs").warning("body: %s", "a" * 1_000_000)
    written = operator_log.getvalue()
    assert_safe(written, 1)
    [message] = messages(written)
    assert len(message) < logs.MESSAGE_LIMIT + 200
    assert f"[{len('body: ') + 1_000_000 - logs.MESSAGE_LIMIT} more characters left out]" in written


def test_escaping_counts_towards_the_bound(operator_log: io.StringIO) -> None:
    logging.getLogger("tests.logs").warning("\x1b" * 100_000)
    written = operator_log.getvalue()
    assert_safe(written, 1)
    [message] = messages(written)
    assert len(message) < logs.MESSAGE_LIMIT + 200 and "\\x1b\\x1b" in message
    assert f"[{100_000 - logs.MESSAGE_LIMIT // 4} more characters left out]" in written


def test_ids_from_a_request_are_escaped_and_bounded(operator_log: io.StringIO) -> None:
    with logs.context(request_id="r\n" + "9" * 500 + "\x1b[2J"):
        logging.getLogger("tests.logs").warning("seen")
    written = operator_log.getvalue()
    assert_safe(written, 1)
    [shown] = messages(written, "request_id") if written.startswith("{") else [written.split("[request_id=")[1]]
    assert shown.startswith("r\\n999") and len(shown) < logs.ID_LIMIT + 50


def test_a_traceback_still_prints_on_its_own_lines(operator_log: io.StringIO) -> None:
    try:
        raise ValueError("bad value \x1b[2J")
    except ValueError:
        logging.getLogger("tests.logs").exception("it failed: %s", "x\ny")
    written = operator_log.getvalue()
    if written.startswith("{"):
        [line] = written.splitlines()
        event = json.loads(line)
        assert event["message"] == "it failed: x\\ny"
        traceback = event["exception"]
    else:
        first, *rest = written.splitlines()
        assert first.endswith("it failed: x\\ny")
        traceback = "\n".join(rest)
    assert traceback.startswith("Traceback (most recent call last):\n")
    assert traceback.splitlines()[-1] == "ValueError: bad value \\x1b[2J"
    assert "\x1b" not in written


def test_a_library_logger_with_its_own_level_is_still_held_at_warning(operator_log: io.StringIO) -> None:
    """What Bolt's get_bolt_logger does: the new logger gets the root's level (INFO)."""
    made = logging.getLogger("slack_bolt.SomethingNew")
    made.setLevel(logging.INFO)
    try:
        made.info("Invalid request signature detected (body: %s)", EVIL)
        logging.getLogger("slack_sdk.web.base_client").info("retrying %s", EVIL)
        made.warning("a real problem")
    finally:
        made.setLevel(logging.NOTSET)
    written = operator_log.getvalue()
    assert_safe(written, 1)
    assert "a real problem" in written and "FORGED" not in written


async def test_a_malformed_http_request_is_one_warning_line_without_a_traceback(
        operator_log: io.StringIO, unused_tcp_port: int) -> None:
    runner = await server.start(server.build_app(Channels()), unused_tcp_port, "127.0.0.1")
    try:
        for raw in (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\x1b[2Jb\r\n\r\n",
                    b"GET /\x1b[2J\nFORGED HTTP/1.1\r\nHost: x\r\n\r\n"):
            reader, writer = await asyncio.open_connection("127.0.0.1", unused_tcp_port)
            writer.write(raw)
            await writer.drain()
            assert (await asyncio.wait_for(reader.read(100), 5)).startswith(b"HTTP/1.0 400")
            writer.close()
    finally:
        await runner.cleanup()
    written = operator_log.getvalue()
    assert_safe(written, 2)
    assert "Traceback" not in written and "ERROR" not in written
    assert written.count("WARNING") == 2 and "BadHttpMessage" in written and "InvalidURLError" in written


async def test_a_callers_request_id_is_kept_only_when_it_looks_like_one(operator_log: io.StringIO) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    app = server.build_app(Channels())

    async def shout(_request: object) -> object:
        logging.getLogger("tests.logs").warning("handled")
        from aiohttp import web
        return web.Response(text="ok")

    app.router.add_get("/shout", shout)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for given in ("req-42", "evil id " + "x" * 100, "a" * 65):
            assert (await client.get("/shout", headers={"X-Request-Id": given})).status == 200
    ids = [line.rsplit("[request_id=", 1)[1].rstrip("]") if not line.startswith("{") else json.loads(line)["request_id"]
           for line in operator_log.getvalue().splitlines()]
    assert ids[0] == "req-42"
    assert all(len(i) == 16 and i.isalnum() for i in ids[1:]), ids
