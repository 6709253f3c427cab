"""Logging for operators: plain lines on a terminal, one JSON object per line when
`COACHBOT_LOG_FORMAT=json` (for a log collector), and on every line the id of what
is being done: the HTTP request (`request_id`) or the prompt being sent
(`occurrence`), carried in a context variable so code in between need not pass it.

Much of what is logged comes from outside: a request's headers and body, a user's
text, an error a library built from them. Every line is therefore tidied before it is
written: control characters and line breaks in a message, its arguments or its ids are
shown escaped (`\\n`, `\\x1b`), so a request cannot forge a log line or drive the
operator's terminal, and one record says at most MESSAGE_LIMIT characters of message (a
note says how many more it had). Tracebacks keep their line breaks (and nothing else).
Libraries that speak for a request before anyone has checked who sent it (Bolt logs the
whole body of a request with a bad signature at INFO) are held at WARNING.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO

_CONTEXT: ContextVar[dict[str, str]] = ContextVar("coachbot_log_context", default={})  # noqa: B039
# Libraries that are chatty at INFO about things an operator need not see, or that log
# what an unauthenticated request carried (slack_bolt, slack_sdk, botbuilder …): their
# records below WARNING are never written, whatever level their loggers were given.
QUIET = ("alembic", "apscheduler", "aiohttp.access", "slack_bolt", "slack_sdk", "botbuilder",
         "botframework", "msrest")
# The most characters of message (and of one id) a record writes; a traceback may be longer.
MESSAGE_LIMIT = 4000
ID_LIMIT = 100
TRACEBACK_LIMIT = 20_000
# Control characters (C0, DEL, C1), Unicode line and paragraph separators, and the
# invisible direction marks that make text read differently from how it is stored.
_UNSAFE = re.compile(r"([\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069])")
_UNSAFE_BUT_NEWLINE = re.compile(r"([\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069])")


def tidy(text: str, limit: int = MESSAGE_LIMIT, keep_newlines: bool = False) -> str:
    """`text` safe to write on one log line: each control character, line break and
    direction mark shown as its escape (`\\n`, `\\x1b`, `\\u202e`), and at most `limit`
    characters once escaped, then a note of how many characters of `text` were left
    out. With `keep_newlines`, "\\n" stays a line break (for tracebacks)."""
    unsafe = _UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE
    if len(text) <= limit and not unsafe.search(text):
        return text
    shown: list[str] = []
    size = kept = 0
    for n, piece in enumerate(unsafe.split(text[:limit])):  # odd pieces are single unsafe characters
        written = piece.encode("unicode_escape").decode("ascii") if n % 2 else piece
        room = limit - size
        if len(written) > room:
            if not n % 2:
                shown.append(piece[:room])
                kept += room
            break
        shown.append(written)
        size += len(written)
        kept += len(piece)
    left_out = len(text) - kept
    return "".join(shown) + (f" … [{left_out} more character{'s' * (left_out != 1)} left out]" if left_out else "")


class QuietFilter(logging.Filter):
    """Drops records below WARNING from the QUIET libraries. On the handler, not the
    loggers: Bolt gives each logger it makes the root logger's level, so a level set
    on `slack_bolt` alone does not reach `slack_bolt.RequestVerification`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == quiet or name.startswith(quiet + ".") for quiet in QUIET)


class MalformedHttpFilter(logging.Filter):
    """aiohttp logs a request that is not even HTTP (a bad header character, a line
    of 8 KB) as an ERROR with a traceback: anyone could fill the log with them. Such
    a record becomes one WARNING line naming the fault; a real error still logs in
    full."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 0) < 500:
            fault = (str(error.message).strip().splitlines() or [""])[0]
            said = record.getMessage()
            record.msg, record.args = "%s (HTTP %s, %s: %s)", (said, error.code, type(error).__name__, fault)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


@contextlib.contextmanager
def context(**values: str) -> Iterator[None]:
    """Add ids (request_id=…, occurrence=…) to every log line written inside."""
    token = _CONTEXT.set({**_CONTEXT.get(), **values})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def tag(**values: str) -> None:
    """Add ids for the rest of the current task (asyncio gives each task its own copy
    of the context, so a task started per prompt can tag itself without undoing it)."""
    _CONTEXT.set({**_CONTEXT.get(), **values})


def current() -> dict[str, str]:
    return dict(_CONTEXT.get())


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.context = _CONTEXT.get()
        return True


def _ids(record: logging.LogRecord) -> dict[str, str]:
    return {tidy(str(k), ID_LIMIT): tidy(str(v), ID_LIMIT) for k, v in getattr(record, "context", {}).items()}


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", ids…, "exception"} on one line; UTC times.
    The message and ids are tidied like the text format's (see `tidy`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": tidy(record.getMessage()),
            **_ids(record),
        }
        if record.exc_info:
            line["exception"] = tidy(self.formatException(record.exc_info), TRACEBACK_LIMIT, keep_newlines=True)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [id=…]`, the message and ids tidied (see `tidy`);
    a traceback follows on its own lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)  # other handlers see the record as it was
        safe.msg, safe.args = tidy(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            safe.exc_text = self.formatException(record.exc_info)
        if safe.exc_text:
            safe.exc_text = tidy(safe.exc_text, TRACEBACK_LIMIT, keep_newlines=True)
        if record.stack_info:
            safe.stack_info = tidy(record.stack_info, TRACEBACK_LIMIT, keep_newlines=True)
        text = super().format(safe)
        ids = _ids(record)
        return text + "".join(f" [{k}={v}]" for k, v in ids.items()) if ids else text


def quiet_for_terminal() -> None:
    """In the terminal chat (`coachbot run` without Slack or Teams) log lines share the
    screen with the conversation: the root handlers show WARNING and above there, so
    "INFO bot.cadence.timer: cadence tick: …" never lands between two messages. A
    DEBUG level asked for explicitly is kept (someone is debugging)."""
    root = logging.getLogger()
    if root.level > logging.DEBUG:
        for handler in root.handlers:
            handler.setLevel(max(handler.level, logging.WARNING))


def setup(level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """Configure the root logger once for this process: one handler writing to
    `stream` (default stderr) in the `fmt` format ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(QuietFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedHttpFilter) for f in server.filters):
        server.addFilter(MalformedHttpFilter())
    return handler
