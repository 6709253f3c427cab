"""One of the two real processes of the exactly-once test (run as a script).

Usage: python two_process_worker.py DATABASE_URL OUTFILE GO_FILE NAME

Says it is ready (OUTFILE.ready) and waits for GO_FILE, so both processes hit the
database together; then runs a few dispatcher ticks, delivering to a channel that appends "key<TAB>name" per prompt to
OUTFILE. Prints the summed tick report as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.cadence.dispatcher import Dispatcher  # noqa: E402
from bot.core.channel import Channels, Recipient  # noqa: E402
from bot.core.messages import Message  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from bot.runtime import build_coach  # noqa: E402
from storage.db import Database  # noqa: E402


class FileChannel:
    platform = "test"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name = path, name

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        await asyncio.sleep(0.01)  # some platform latency, so the two surely overlap
        with self.path.open("a", encoding="utf-8") as out:
            for message in messages:
                out.write(f"{message.key}\t{self.name}\n")
        return f"{self.name}-{message.key}"


async def main(url: str, outfile: str, go_file: str, name: str) -> None:
    db = Database(url)
    coach = build_coach(db, Settings(database_url=url), Channels(FileChannel(Path(outfile), name)))
    dispatcher = Dispatcher(coach, instance=name, batch=5, concurrency=2)
    Path(outfile + ".ready").touch()
    for _ in range(3000):
        if Path(go_file).exists():
            break
        await asyncio.sleep(0.005)
    total: dict[str, int] = {"delivered": 0, "superseded": 0, "failed": 0}
    for _ in range(3):
        report = await dispatcher.tick()
        total["delivered"] += report.delivered
        total["superseded"] += report.superseded
        total["failed"] += report.failed
    await db.dispose()
    print(json.dumps(total))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]))
