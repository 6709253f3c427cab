"""One of the two real processes of the exactly-once test (run as a script).

Usage: python two_process_worker.py DATABASE_URL OUTFILE GO_FILE NAME [DIE_AFTER [LEASE]]

Says it is ready (OUTFILE.ready) and waits for GO_FILE, so both processes hit the
database together; then runs a few dispatcher ticks, delivering to a channel that
appends "key<TAB>name<TAB>tag" per prompt to OUTFILE. The OUTFILEs of all workers
together are the platform's history, searched by tag before a taken-over claim is
sent again. With DIE_AFTER, the process kills itself (os._exit, like kill -9) right
after the platform accepted its DIE_AFTER-th prompt, before recording it; the other
keeps ticking (LEASE seconds of lease) until nothing is due. Prints the summed tick
report as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
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

    def __init__(self, path: Path, name: str, die_after: int = 0) -> None:
        self.path, self.name, self.die_after, self.count = path, name, die_after, 0

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        await asyncio.sleep(0.01)  # some platform latency, so the two surely overlap
        with self.path.open("a", encoding="utf-8") as out:
            for message in messages:
                out.write(f"{message.key}\t{self.name}\t{message.tag}\n")
        self.count += 1
        if self.count == self.die_after:
            os._exit(9)  # accepted by the platform, never recorded
        return f"{self.name}-{message.key}"

    async def find_delivery(self, recipient: Recipient, tag: str) -> str | None:
        for sent in self.path.parent.glob("sent-*.txt"):
            for line in sent.read_text(encoding="utf-8").splitlines():
                key, name, found = line.split("\t")
                if found == tag:
                    return f"{name}-{key}"
        return None


async def main(url: str, outfile: str, go_file: str, name: str, die_after: int = 0,
               lease: float = 60.0) -> None:
    db = Database(url)
    coach = build_coach(db, Settings(database_url=url),
                        Channels(FileChannel(Path(outfile), name, die_after)))
    dispatcher = Dispatcher(coach, instance=name, batch=5, concurrency=2,
                            lease=timedelta(seconds=lease))
    Path(outfile + ".ready").touch()
    for _ in range(3000):
        if Path(go_file).exists():
            break
        await asyncio.sleep(0.005)
    total: dict[str, int] = {"delivered": 0, "superseded": 0, "failed": 0}
    total["recovered"] = 0
    ticks = 3 if not lease or lease >= 60 else int(8 * lease + 10)
    for n in range(ticks):
        report = await dispatcher.tick()
        total["delivered"] += report.delivered
        total["superseded"] += report.superseded
        total["failed"] += report.failed
        total["recovered"] += report.recovered
        if n >= 2 and lease < 60:
            await asyncio.sleep(lease / 2)  # waiting for a dead sibling's lease to run out
    await db.dispose()
    print(json.dumps(total))


if __name__ == "__main__":
    extra = sys.argv[5:]
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4],
                     int(extra[0]) if extra else 0, float(extra[1]) if len(extra) > 1 else 60.0))
