"""What the flow engine works with: a flow as the loader checked it (`Flow`, its
`Step`s), what one turn produced (`Reply`: the state to save, the `Say`s with their
`Option`s, the `Store`s for end actions) and the templates every flow may fall back on.

Plain frozen data, no behaviour beyond small derived properties; `conversations.engine`
plays it and re-exports every name here (`engine.Flow`, `engine.CONFIRM`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Templates every flow may fall back on; the loader checks they exist.
HELP = "flows/common/help"
RETRY = "flows/common/retry"
LABEL = "flows/common/label"
OFFER = "flows/common/offer"
CANCELLED = "flows/common/cancelled"
AT_START = "flows/common/at_start"
NOT_OPTIONAL = "flows/common/not_optional"
RESTARTED = "flows/common/restarted"
COMMANDS_HELP = "flows/common/commands"
CONFIRM = "flows/common/confirm"
LIST_MORE = "flows/common/list_more"  # "Another one? Type it, or `done`": a list given item by item
LIST_FULL = "flows/common/list_full"  # "That's three, as many as I take": a list filled item by item
LIST_EMPTY = "flows/common/list_empty"  # `done` before the first item of a list
DEFAULT_TEMPLATES = (HELP, RETRY, LABEL, OFFER, CANCELLED, AT_START, NOT_OPTIONAL, RESTARTED,
                     COMMANDS_HELP, CONFIRM, LIST_MORE, LIST_FULL, LIST_EMPTY)


@dataclass(frozen=True)
class Step:
    """One step of a flow, as the loader checked it. `next` is already resolved to the
    following step when the file left it out."""

    id: str
    kind: str
    template: str | None = None
    next: str | Mapping[str, str] | None = None
    validate: str = "text"
    options: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    labels: str = LABEL
    help: str = HELP
    retry: str = RETRY
    optional: bool = False
    default: str | None = None
    save: str | None = None
    done: str | None = None  # where `done` / "no" / "that's all" goes, nothing stored (the end of a loop)
    assign: Mapping[str, str] = field(default_factory=dict)
    append_to: str | None = None
    append_item: Any = None
    compute: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    branch: tuple[tuple[str | None, str], ...] = ()
    action: str | None = None
    result: Mapping[str, str] | None = None

    @property
    def key(self) -> str:
        """Where an answer or computed value is stored in `answers`."""
        return self.save or self.id

    @property
    def offered(self) -> tuple[str, ...]:
        """The buttons shown with the question."""
        if self.choices:
            return self.choices
        return ("yes", "no") if self.validate == "yesno" else ()


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    steps: Mapping[str, Step]
    start: str
    private: bool = False
    source: str = ""

    def actions(self) -> dict[str, str]:
        """End action name -> the step that names it (for start-up checks)."""
        return {s.action: s.id for s in self.steps.values() if s.kind == "end" and s.action}


@dataclass(frozen=True)
class Say:
    """A template to render with values, and the choices to offer under it."""

    template: str
    values: dict[str, Any]
    choices: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Option:
    """A button: `value` comes back as the answer; its label is `labels` rendered with it."""

    value: str
    labels: str = LABEL


@dataclass(frozen=True)
class Store:
    """A named result for the caller's end action."""

    action: str
    data: dict[str, Any]


@dataclass
class Reply:
    """What one turn produced: the state to save, what to say, what to store."""

    state: dict[str, Any]
    say: list[Say] = field(default_factory=list)
    store: list[Store] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.state.get("status", "active"))

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cancelled")


class FlowRuntimeError(RuntimeError):
    """A flow that loops without asking anything, or similar authoring mistakes the
    loader cannot see; names the flow and step so sales ops can fix the file."""
