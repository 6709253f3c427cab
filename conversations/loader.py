"""Read every flow file and check it before anyone talks to the bot.

A typo in a YAML file (an unknown step kind, a jump to a step that does not exist, a
template that was renamed, a validator that is misspelt) must stop start-up with a
message naming the file and the step, not surprise a rep half-way through their goal
setting. `load_flows()` is called by `bot/runtime.py` at start-up and by the dialogs
on first use (cached via `flows()`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError

from conversations.engine import (
    COMPUTATIONS,
    DEFAULT_TEMPLATES,
    HELP,
    KINDS,
    LABEL,
    RETRY,
    Flow,
    Step,
    compile_expression,
)
from conversations.validators import VALIDATORS

FLOWS_DIR = Path(__file__).parent / "flows"
# libyaml's safe loader when PyYAML was built with it (the wheels are): the same
# documents, parsed ~8x faster, which is ~0.1 s of every start-up.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TOP_KEYS = {"name", "title", "private", "start", "steps", "description"}
KEYS: dict[str, set[str]] = {
    "say": {"say", "next"},
    "ask": {"ask", "validate", "options", "choices", "labels", "help", "retry", "optional",
            "default", "save", "done", "next"},
    "set": {"set", "next"},
    "append": {"append", "next"},
    "compute": {"compute", "args", "save", "next"},
    "branch": {"branch", "next"},
    "goto": {"goto"},
    "end": {"end", "say", "result"},
}


class FlowError(ValueError):
    """A flow file that cannot run; the message names the file and the step."""

    def __init__(self, source: str, step: str | None, problem: str) -> None:
        self.source, self.step, self.problem = source, step, problem
        where = f"{source}, step {step!r}" if step else source
        super().__init__(f"{where}: {problem}")


def _default_template_exists(name: str) -> bool:
    import prompts

    return prompts.exists(name)


def load_flows(directory: Path | str | None = None,
               template_exists: Callable[[str], bool] | None = None) -> dict[str, Flow]:
    """Every `*.yaml` in `directory` (default: conversations/flows), checked; raises
    FlowError on the first problem."""
    folder = Path(directory) if directory is not None else FLOWS_DIR
    exists = template_exists or _default_template_exists
    for name in DEFAULT_TEMPLATES:
        if not exists(name):
            raise FlowError(str(folder), None, f"shared template {name!r} is missing in prompts/")
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yaml")):
        flow = load_flow(path, exists)
        flows[flow.name] = flow
    return flows


@cache
def flows() -> dict[str, Flow]:
    """The repository's flows, loaded once per process."""
    return load_flows()


def load_flow(path: Path, template_exists: Callable[[str], bool]) -> Flow:
    source = path.name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as problem:
        raise FlowError(source, None, f"is not valid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise FlowError(source, None, "must be a mapping with name, title and steps")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise FlowError(source, None, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    name = raw.get("name")
    if name != path.stem:
        raise FlowError(source, None, f"name {name!r} must equal the file name {path.stem!r}")
    title = raw.get("title")
    if not isinstance(title, str) or not template_exists(title):
        raise FlowError(source, None, f"title template {title!r} not found in prompts/")
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise FlowError(source, None, "needs a non-empty list of steps")
    ids: list[str] = []
    for index, item in enumerate(steps_raw):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise FlowError(source, f"#{index + 1}", "every step needs an id")
        if item["id"] in ids:
            raise FlowError(source, item["id"], "duplicate step id")
        ids.append(item["id"])
    steps: dict[str, Step] = {}
    for index, item in enumerate(steps_raw):
        following = ids[index + 1] if index + 1 < len(ids) else None
        steps[item["id"]] = _step(source, item, following, template_exists)
    start = raw.get("start", ids[0])
    if start not in steps:
        raise FlowError(source, None, f"start step {start!r} does not exist")
    for step in steps.values():
        for target in _targets(step):
            if target not in steps:
                raise FlowError(source, step.id, f"goes to unknown step {target!r}")
    if not any(s.kind == "ask" for s in steps.values()) and not any(
            s.kind == "end" for s in steps.values()):
        raise FlowError(source, None, "has neither a question nor an end")
    return Flow(name=name, title=title, steps=steps, start=start,
                private=bool(raw.get("private", False)), source=source)


def _targets(step: Step) -> list[str]:
    found: list[str] = []
    if isinstance(step.next, Mapping):
        found.extend(step.next.values())
    elif step.next is not None:
        found.append(step.next)
    found.extend(target for _, target in step.branch)
    if step.done is not None:
        found.append(step.done)
    return found


def _kind(source: str, item: dict[str, Any]) -> str:
    present = [k for k in KINDS if k in item and k != "say"]
    if len(present) > 1:
        raise FlowError(source, item["id"], f"has more than one kind: {', '.join(present)}")
    if present:
        return present[0]
    if "say" in item:
        return "say"
    unknown = sorted(set(item) - {"id", "next"})
    what = f"unknown step kind {unknown[0]!r}" if unknown else "has no kind"
    raise FlowError(source, item["id"], f"{what}; use one of {', '.join(KINDS)}")


def _expression(source: str, step_id: str, expr: Any, what: str) -> None:
    if isinstance(expr, Mapping):
        for key, value in expr.items():
            _expression(source, step_id, value, f"{what}.{key}")
        return
    if not isinstance(expr, str):
        if isinstance(expr, int | float | bool) or expr is None:
            return
        raise FlowError(source, step_id, f"{what} must be an expression, got {expr!r}")
    try:
        compile_expression(expr)
    except TemplateSyntaxError as problem:
        raise FlowError(source, step_id, f"{what}: bad expression {expr!r}: {problem.message}") from None


def _template(source: str, step_id: str, name: Any, what: str,
              exists: Callable[[str], bool]) -> str:
    if not isinstance(name, str) or not exists(name):
        raise FlowError(source, step_id, f"{what} template {name!r} not found in prompts/")
    return name


def _next(source: str, step_id: str, value: Any, following: str | None,
          kind: str) -> str | dict[str, str] | None:
    if value is None:
        if following is None and kind not in ("end", "goto"):
            raise FlowError(source, step_id, "is the last step but is not an `end` and has no `next`")
        return following
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value and kind == "ask":
        mapped: dict[str, str] = {}
        for key, target in value.items():
            if isinstance(key, bool):
                key = "yes" if key else "no"
            if not isinstance(target, str):
                raise FlowError(source, step_id, f"next for {key!r} must be a step id")
            mapped[str(key).lower()] = target
        return mapped
    raise FlowError(source, step_id, f"next must be a step id{' or a mapping' if kind == 'ask' else ''}")


def _step(source: str, item: dict[str, Any], following: str | None,
          exists: Callable[[str], bool]) -> Step:
    step_id: str = item["id"]
    kind = _kind(source, item)
    extra = set(item) - KEYS[kind] - {"id"}
    if extra:
        raise FlowError(source, step_id, f"unknown key(s) for a {kind} step: {', '.join(sorted(extra))}")
    values: dict[str, Any] = {"id": step_id, "kind": kind}
    if kind == "goto":
        values["next"] = item["goto"]
    else:
        values["next"] = _next(source, step_id, item.get("next"), following, kind)
    if kind == "say" or (kind == "end" and item.get("say") is not None):
        values["template"] = _template(source, step_id, item["say"], "say", exists)
    if kind == "ask":
        values.update(_ask(source, item, exists))
    elif kind == "set":
        if not isinstance(item["set"], dict) or not item["set"]:
            raise FlowError(source, step_id, "set needs a mapping of name: expression")
        _expression(source, step_id, item["set"], "set")
        values["assign"] = dict(item["set"])
    elif kind == "append":
        spec = item["append"]
        if not isinstance(spec, dict) or not isinstance(spec.get("to"), str) or "item" not in spec:
            raise FlowError(source, step_id, "append needs `to: name` and `item: expression`")
        _expression(source, step_id, spec["item"], "append.item")
        values["append_to"], values["append_item"] = spec["to"], spec["item"]
    elif kind == "compute":
        function = COMPUTATIONS.get(item["compute"])
        if function is None:
            raise FlowError(source, step_id, f"unknown computation {item['compute']!r}; "
                            f"known: {', '.join(sorted(COMPUTATIONS))}")
        args = item.get("args") or {}
        accepted = set(inspect.signature(function).parameters)
        if not isinstance(args, dict) or set(args) - accepted:
            raise FlowError(source, step_id, f"{item['compute']} takes only {', '.join(sorted(accepted))}")
        _expression(source, step_id, args, "args")
        values.update(compute=item["compute"], args=dict(args), save=item.get("save"))
    elif kind == "branch":
        entries = item["branch"]
        if not isinstance(entries, list) or not entries:
            raise FlowError(source, step_id, "branch needs a list of {when, next} entries")
        branch: list[tuple[str | None, str]] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("next"), str) \
                    or set(entry) - {"when", "next"}:
                raise FlowError(source, step_id, "each branch entry is {when: expression, next: step}")
            if entry.get("when") is not None:
                _expression(source, step_id, entry["when"], "when")
            branch.append((entry.get("when"), entry["next"]))
        values["branch"] = tuple(branch)
    elif kind == "end":
        action = item["end"]
        if action is not None and not isinstance(action, str):
            raise FlowError(source, step_id, "end names an action (or is empty)")
        values["action"] = action
        if item.get("result") is not None:
            if not isinstance(item["result"], dict):
                raise FlowError(source, step_id, "result needs a mapping of name: expression")
            _expression(source, step_id, item["result"], "result")
            values["result"] = dict(item["result"])
    return Step(**values)


def _ask(source: str, item: dict[str, Any], exists: Callable[[str], bool]) -> dict[str, Any]:
    step_id = item["id"]
    values: dict[str, Any] = {"template": _template(source, step_id, item["ask"], "ask", exists)}
    choices_raw = item.get("choices") or []
    if not isinstance(choices_raw, list):
        raise FlowError(source, step_id, "choices must be a list")
    choices: list[str] = []
    for choice in choices_raw:
        value = choice.get("value") if isinstance(choice, dict) else choice
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if not isinstance(value, str | int) or str(value).lower() in ("back", "skip", "cancel", "help"):
            raise FlowError(source, step_id, f"bad choice {choice!r}")
        choices.append(str(value))
    validator = item.get("validate") or ("choice" if choices else "text")
    if validator not in VALIDATORS:
        raise FlowError(source, step_id, f"unknown validator {validator!r}; "
                        f"known: {', '.join(sorted(VALIDATORS))}")
    if validator == "choice" and not choices:
        raise FlowError(source, step_id, "the choice validator needs choices")
    options = item.get("options") or {}
    if not isinstance(options, dict):
        raise FlowError(source, step_id, "options must be a mapping")
    accepted = {name for name, p in inspect.signature(VALIDATORS[validator]).parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY} - {"choices"}
    for name in {"unit", "jump"} & accepted:  # `unit_from: EXPR`: the unit read from the conversation
        accepted.add(f"{name}_from")
        if f"{name}_from" in options:
            _expression(source, step_id, options[f"{name}_from"], f"options.{name}_from")
    if set(options) - accepted:
        raise FlowError(source, step_id, f"validator {validator!r} has no option(s) "
                        f"{', '.join(sorted(set(options) - accepted))}; it takes "
                        f"{', '.join(sorted(accepted)) or 'none'}")
    values.update(validate=validator, options=dict(options), choices=tuple(choices))
    values["labels"] = _template(source, step_id, item.get("labels", LABEL), "labels", exists)
    values["help"] = _template(source, step_id, item.get("help", HELP), "help", exists)
    values["retry"] = _template(source, step_id, item.get("retry", RETRY), "retry", exists)
    values["optional"] = bool(item.get("optional", False))
    if item.get("default") is not None:
        _expression(source, step_id, item["default"], "default")
        values["default"] = item["default"]
    if item.get("save") is not None:
        if not isinstance(item["save"], str):
            raise FlowError(source, step_id, "save names an answer")
        values["save"] = item["save"]
    if item.get("done") is not None:
        if not isinstance(item["done"], str):
            raise FlowError(source, step_id, "done names the step a `done` goes to")
        values["done"] = item["done"]
    nxt = item.get("next")
    if isinstance(nxt, dict):
        keys = {("yes" if k else "no") if isinstance(k, bool) else str(k).lower() for k in nxt}
        if values["optional"] and "*" not in keys:
            raise FlowError(source, step_id, "an optional question with a branching next needs a '*' entry")
        offered = ("yes", "no") if validator == "yesno" else tuple(c.lower() for c in choices)
        uncovered = [v for v in offered if v not in keys]
        if "*" not in keys and (not offered or uncovered):
            what = f"answer(s) {', '.join(uncovered)}" if uncovered else "other answers"
            raise FlowError(source, step_id, f"the branching next has no target for {what}; add them or '*'")
    return values
