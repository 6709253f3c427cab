"""The `coachbot` console script's first module: the command tree imported with the
garbage collector paused.

Importing the commands builds a few hundred thousand objects that live as long as the
process (SQLAlchemy tables and mappers, pydantic models, Jinja templates, typer's
command tree). CPython's cyclic collector walks them over and over while they are
being made and once more at exit; measured with `bench/team_import_bench.py` that was
about 0.5 s of every command's 1.7 s start-up. So collection waits until the imports
are done, and what they built is moved to the permanent generation (`gc.freeze`, the
use the Python documentation gives for long-lived start-up state) before it resumes
for everything the command itself creates.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_imports() -> Iterator[None]:
    """Imports inside the block run without cyclic collection, and what they built is
    frozen when it ends (also used by the benchmarks, to start the way `coachbot` does)."""
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        gc.enable()


def main() -> None:
    """Run `coachbot` (see `bot.cli.main.main`) after importing it without collection."""
    with frozen_imports():
        from bot.cli.main import main as run
    run()
