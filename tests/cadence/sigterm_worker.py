"""`coachbot run`'s runtime in a real process, for the SIGTERM test (run as a script).

Usage: python sigterm_worker.py DATABASE_URL OUTFILE

Runs the composition root (migrations, scheduler, shutdown) with a channel that
takes 0.2 s per message and appends the occurrence key of each one it accepted to
OUTFILE; small batches, so a SIGTERM lands between batches and inside one. Waits
for SIGTERM exactly as `coachbot run` does.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import bot.runtime  # noqa: E402
from bot.cadence import timer  # noqa: E402
from bot.cli.main import until_stopped  # noqa: E402
from bot.core import logs  # noqa: E402
from bot.core.channel import Recipient  # noqa: E402
from bot.core.messages import Message  # noqa: E402
from bot.core.settings import Settings  # noqa: E402


class SlowFileChannel:
    platform = "test"
    reaches_anyone = True

    def __init__(self, path: Path) -> None:
        self.path = path

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        await asyncio.sleep(0.2)
        key = logs.current().get("occurrence", "?")
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{key}\n")
        return f"id-{key}"


async def main(url: str, outfile: str) -> None:
    timer.create_scheduler = functools.partial(timer.create_scheduler, batch=10, concurrency=5)  # type: ignore[assignment]
    settings = Settings(database_url=url, tick_seconds=1.0)
    async with bot.runtime.running(settings, extra=[SlowFileChannel(Path(outfile))]):
        Path(outfile + ".ready").touch()
        await until_stopped()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
    print("stopped cleanly")
