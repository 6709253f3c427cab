"""Logging for operators: plain lines on a terminal, one JSON object per line when
`COACHBOT_LOG_FORMAT=json` (for a log collector), and on every line the id of what
is being done: the HTTP request (`request_id`) or the prompt being sent
(`occurrence`), carried in a context variable so code in between need not pass it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

_CONTEXT: ContextVar[dict[str, str]] = ContextVar("coachbot_log_context", default={})  # noqa: B039
# Libraries that are chatty at INFO about things an operator need not see.
QUIET = ("alembic", "apscheduler", "aiohttp.access", "slack_bolt", "botbuilder")


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


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", ids…, "exception"} on one line; UTC times."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "context", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = getattr(record, "context", {})
        return text + "".join(f" [{k}={v}]" for k, v in ids.items()) if ids else text


def setup(level: str = "INFO", fmt: str = "text") -> logging.Handler:
    """Configure the root logger once for this process (stderr)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    return handler
