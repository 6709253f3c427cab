"""Jinja2 expressions inside flow files (`when`, `set`, `args` …): sandboxed, and a
missing name is falsy rather than an error (an unanswered optional question is just
empty). Results are made JSON-able so they can live in the stored state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from jinja2 import ChainableUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment


@cache
def expressions() -> SandboxedEnvironment:
    """Jinja2 expressions for `when`, `set`, `args` …: sandboxed, missing names are
    falsy rather than errors (an unanswered optional question is just empty)."""
    return SandboxedEnvironment(undefined=ChainableUndefined)


@cache
def compile_expression(source: str) -> Callable[..., Any]:
    return expressions().compile_expression(source, undefined_to_none=False)  # type: ignore[return-value]


def plain(value: Any) -> Any:
    """Undefined -> None, tuples -> lists: keep the state JSON."""
    if isinstance(value, Undefined):
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def evaluate(source: Any, names: Mapping[str, Any]) -> Any:
    """Evaluate an expression, or each value of a mapping of expressions."""
    if isinstance(source, Mapping):
        return {k: evaluate(v, names) for k, v in source.items()}
    if not isinstance(source, str):
        return source
    return plain(compile_expression(source)(**names))
