"""Three coaching questions for a one-on-one, chosen from the rep's figures by rules
that are data (`prompts/one_on_ones/coaching_questions.yaml`), so sales ops can add
their own without code. Rules are read and checked once; a broken rule file stops
start-up (`load_rules`) rather than a brief."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Template

import prompts

RULES_FILE = Path(prompts.__file__).parent / "one_on_ones" / "coaching_questions.yaml"
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt}
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: tuple[tuple[str, str, float], ...]
    always: bool
    ask: Template


class RuleError(ValueError):
    """The rules file is wrong; the message names the rule and what is wrong."""


def parse_rules(raw: Mapping[str, Any]) -> list[Rule]:
    found: list[Rule] = []
    for index, item in enumerate(raw.get("rules") or []):
        name = str(item.get("id") or f"#{index + 1}")
        if not isinstance(item.get("ask"), str):
            raise RuleError(f"coaching rule {name}: needs an `ask` sentence")
        conditions = []
        for figure, test in (item.get("when") or {}).items():
            match = _CONDITION.match(str(test))
            if match is None:
                raise RuleError(f"coaching rule {name}: {figure}: {test!r} is not like '< 0.5'")
            conditions.append((str(figure), match.group(1), float(match.group(2)) + 0.0))  # "-0" is 0
        if not conditions and not item.get("always"):
            raise RuleError(f"coaching rule {name}: needs `when` conditions or `always: true`")
        found.append(Rule(name, tuple(conditions), bool(item.get("always")),
                          prompts.environment().from_string(item["ask"])))
    return found


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    return tuple(parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")) or {}))


def figure(metrics: Mapping[str, Any], name: str) -> float | None:
    """A figure by name; "ratio:a/b" divides two lead-measure sums (None when b is 0)."""
    if name.startswith("ratio:"):
        top, _, bottom = name[6:].partition("/")
        a, b = metrics.get(f"measure:{top.strip()}"), metrics.get(f"measure:{bottom.strip()}")
        return a / b if a is not None and b else None
    value = metrics.get(name)
    return float(value) if isinstance(value, int | float) else None


def matches(rule: Rule, metrics: Mapping[str, Any]) -> bool:
    for name, op, limit in rule.conditions:
        value = figure(metrics, name)
        if value is None or not _OPS[op](value, limit):
            return False
    return bool(rule.conditions)


def choose(metrics: Mapping[str, Any], name: str, rules: Sequence[Rule] | None = None,
           count: int = 3) -> list[tuple[str, str]]:
    """(rule id, question) for the first `count` rules that hold, then `always` ones."""
    rules = load_rules() if rules is None else rules
    picked = [r for r in rules if not r.always and matches(r, metrics)][:count]
    picked += [r for r in rules if r.always][: count - len(picked)]
    values = {key.replace(":", "_").replace(" ", "_").replace("/", "_"): value for key, value in metrics.items()}
    return [(r.id, r.ask.render(name=name, **values).strip()) for r in picked]
