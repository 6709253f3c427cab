"""What a dispatcher tick reports, and the small rules of its rhythm: who claims
(`instance_name`) and when a periodic step is due again (`elapsed`)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta


def elapsed(last: datetime | None, moment: datetime, every: timedelta) -> bool:
    """Whether `every` has passed since `last` (never: yes; a clock gone back: yes)."""
    return last is None or not timedelta(0) <= moment - last < every


def instance_name() -> str:
    """Who claims: host, process and a random tail (a restarted process is new)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class TickReport:
    """What one tick did, for logs, tests and the benchmark."""

    planned: int = 0
    superseded: int = 0
    delivered: int = 0
    failed: int = 0
    retrying: int = 0  # transient failures, to be retried after a back-off
    recovered: int = 0  # taken over, found already sent, recorded without a resend
    held: int = 0  # late (after downtime): put back for the person's next available moment, or skipped
    nudged: int = 0
    missed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per phase
