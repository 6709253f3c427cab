"""Storage is the only room with SQL: nothing in bot/ or conversations/ opens queries
or talks to a session directly; it calls storage's named functions."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\bsession\.(?:get|exec|execute|add|delete|scalar|scalars)\("
                 r"|^\s*(?:from|import)\s+(?:sqlmodel|sqlalchemy)\b", re.MULTILINE)


def test_no_queries_outside_storage() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
        for folder in ("bot", "conversations")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for text in [path.read_text(encoding="utf-8")]
        for match in SQL.finditer(text)
    ]
    assert offenders == []


# --- Import rules, read from the source with `ast` (nothing is imported or executed). ---

LIMIT = 400
SOURCE = ("bot", "conversations", "storage")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node, at any depth (functions, methods, try blocks), except the body of
    `if TYPE_CHECKING:`: those imports never run, so they cannot create a cycle or
    drag a forbidden layer in at runtime. Its `else:` branch does run and is kept."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _walk(node.orelse)
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            yield from _walk([child]) if isinstance(child, ast.stmt) else ast.walk(child)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, [names]) per runtime import statement. `from a.b import c` gives
    ["a.b", "a.b.c"]: c may be a submodule; callers keep whichever applies."""
    module, found = _module(path), []
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"), str(path)).body):
        if isinstance(node, ast.Import):
            found += [[alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                package = module.split(".")[: len(module.split(".")) - node.level
                                           + (path.name == "__init__.py")]
                base = ".".join([*package, base] if base else package)
            found.append([base, *(f"{base}.{alias.name}" for alias in node.names)])
    return [(module, names) for names in found]


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as [a, b, ..., a], or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_find_cycle_sees_a_cycle() -> None:
    """The detector must be able to fail, or the no-cycle test proves nothing."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_in_bot() -> None:
    """Cycles inside bot/ make import order matter and break on a refactor. An edge goes
    to the most specific bot module named (`from bot.channels import server` ->
    bot.channels.server); package __init__ modules are nodes like any other."""
    files = _files("bot")
    known = {_module(p) for p in files}
    graph: dict[str, set[str]] = {m: set() for m in known}
    for path in files:
        for module, names in imports(path):
            base, *members = names
            targets = [m for m in members if m in known] or [base]
            graph[module] |= {t for t in targets if t in known and t != module}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _offenders(folders: tuple[str, ...], banned: tuple[str, ...]) -> list[str]:
    return sorted({f"{module} imports {name}" for path in _files(*folders)
                   for module, names in imports(path) for name in names if _under(name, banned)})


def test_core_depends_on_no_outer_layer() -> None:
    """bot.core is the kernel every feature and channel builds on; it must not know them."""
    banned = ("bot.features", "bot.cadence", "bot.channels", "bot.cli", "bot.runtime")
    assert _offenders(("bot/core",), banned) == []


def test_cadence_depends_only_on_core() -> None:
    """Cadence (scheduling) sits just above core: no features, channels, CLI or runtime."""
    assert _offenders(("bot/cadence",), ("bot.features", "bot.channels", "bot.cli", "bot.runtime")) == []


def test_conversations_stand_alone() -> None:
    """The conversation engine is a pure library: no bot wiring and no database."""
    assert _offenders(("conversations",), ("bot", "storage")) == []


def test_storage_stands_alone() -> None:
    """Storage is the bottom layer: it serves bot/ and conversations/, never calls them."""
    assert _offenders(("storage",), ("bot", "conversations")) == []


VENDOR_HOMES = {("slack_bolt", "slack_sdk"): "bot/channels/slack",
                ("botbuilder", "botframework"): "bot/channels/teams"}


def test_vendor_sdks_stay_in_their_channel() -> None:
    """Slack and Teams SDKs are confined to their channel adapter, so the rest of the
    code stays platform-neutral. Every project file is checked except tests/ and bench/
    (slack_ack_bench.py builds a bare Bolt app on purpose, as the latency floor)."""
    files = [p for p in ROOT.rglob("*.py") if p.relative_to(ROOT).parts[0] not in ("tests", "bench")
             and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)]
    offenders = sorted({f"{p.relative_to(ROOT)} imports {name}" for p in files
                        for _, names in imports(p) for name in names
                        for sdks, home in VENDOR_HOMES.items()
                        if _under(name, sdks) and not p.is_relative_to(ROOT / home)})
    assert offenders == []


def test_modules_stay_short() -> None:
    """A module over LIMIT (400) lines usually holds more than one idea. Migrations are
    generated and exempt."""
    lengths = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
               for p in _files(*SOURCE) if not p.is_relative_to(ROOT / "storage/migrations")}
    assert {path: n for path, n in lengths.items() if n > LIMIT} == {}
