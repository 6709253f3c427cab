"""What a feature contributes, and the set of features a coach runs.

A feature is one module under `bot/features/` that builds a `Feature` and registers
its parts on it with decorators, the way python-telegram-bot's `add_handler` or an
errbot plugin does:

    feature = Feature("okr check-in")

    @feature.command("checkin", "/okr checkin")
    async def checkin(turn, args): ...

    @feature.action("record_checkin")          # `end: record_checkin` in a flow file
    async def record_checkin(turn, data): ...

The composition root (`bot/runtime.py`) lists the features once and hands them to
the coach and the scheduler as `Features`. The core, the command table, the
dispatcher and the timer only ever see these neutral shapes; they import no feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.messages import Message

if TYPE_CHECKING:
    from bot.core.coach import Coach, Turn
    from storage.models import Occurrence, Person

# Who may run a command. The leaders' set is the one place that says who may see
# other people's numbers (a manager their direct reports, an admin everyone).
EVERYONE = ("rep", "manager", "admin")
LEADERS = ("manager", "admin")
OWN_MANAGER = "own_manager"

# When a responder is asked, lowest first. Button clicks on a prompt card are claimed
# before a conversation can take "cadence:later:42" as an answer to its own question;
# typed words such as "skip" reach a prompt only after a conversation declined them.
BEFORE_CONVERSATION = 10
CONVERSATION = 50
AFTER_CONVERSATION = 90

Handler = Callable[["Turn", str], Awaitable[list[Message]]]
Action = Callable[["Turn", dict[str, Any]], Awaitable[list[Message]]]
JobRun = Callable[["Coach"], Awaitable[int]]
# A conversation of a flow picked up again (see `Feature.resumes`): (coach, person,
# its state, now as aware UTC) -> the state brought up to date, and notes for the person.
Resume = Callable[["Coach", "Person", dict[str, Any], datetime], Awaitable[tuple[dict[str, Any], list[Message]]]]
# Before a typed turn (not a click) is answered: notes about what the person leaves
# behind by typing something else (an absence read back and not saved), shown first;
# given (what was held, when it was read back, aware UTC), oldest first.
Told = Callable[["Turn", list[tuple[str, datetime]]], list[Message]]
# A conversation the person cancelled (see `Feature.on_cancel`): (turn, the flow's name,
# its state as cancelled, context included) -> notes for the person, after "stopped".
Cancelled = Callable[["Turn", str, dict[str, Any]], Awaitable[list[Message]]]


@dataclass(frozen=True)
class Held:
    """Something a feature read back to a person and keeps (`storage.held`, rows of
    `kind`) until their next typed message: `keeps(turn)` says whether this message
    answers it (then it is left for the feature's own responder to take), otherwise
    it is taken before the reply, with the other features' kinds in one statement, and
    `told(turn, what)` gives the notes shown before the reply (possibly none; `what`:
    (what was held, when, aware UTC), oldest first)."""

    kind: str
    told: Told
    keeps: Callable[[Turn], bool]


HomeSection = Callable[["Coach", "Person", datetime], Awaitable[list[Message]]]
# (coach, the manager reading, the rep, the last one-on-one's start or None, now)
BriefSection = Callable[["Coach", "Person", "Person", "datetime | None", datetime], Awaitable[list[Message]]]


class Responder(Protocol):
    async def respond(self, turn: Turn) -> list[Message] | None:
        """Answer the turn, or return None to let the next responder try."""
        ...


@dataclass(frozen=True)
class Command:
    """One `/okr` sub-command. A command without a handler is listed in help and
    answers honestly that it is coming, never silently."""

    name: str
    usage: str
    handler: Handler | None = None
    roles: tuple[str, ...] = EVERYONE
    # who the command is really for, as the refusal of a role outside `roles` says:
    # "" (the roles themselves) or OWN_MANAGER (a rep's own manager: briefs, one-on-ones,
    # salary talks; an admin may run it only for their own direct reports)
    audience: str = ""


class Drawn(Protocol):
    """What a prompt card is drawn from: a claimed row (`storage.claims.Claimed`, what
    the dispatcher holds) or a stored `Occurrence`; both have these columns."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


class Nudgeable(Drawn, Protocol):
    """What a nudge is drawn from: a row whose nudge was claimed
    (`storage.nudges.Nudged`) or a stored `Occurrence`. Times are aware UTC."""

    @property
    def due_at(self) -> datetime: ...
    @property
    def delivered_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class PromptKind:
    """A kind of scheduled prompt (an OKR check-in, a WIG session): how the dispatcher
    draws it and its one nudge, and how answering it opens its conversation.

    `draw(occurrence, name, repeat)`: the prompt card for a person (`repeat` counts
    earlier deliveries after a snooze). `nudge(occurrence, name, timezone)`: the one
    reminder, dated in the person's IANA zone. `start(turn, occurrence)`: open the
    conversation (occurrence None when the person asked for it directly).
    """

    kind: str
    draw: Callable[[Drawn, str, int], list[Message]]
    nudge: Callable[[Nudgeable, str, str | None], list[Message]]
    start: Callable[[Turn, Occurrence | None], Awaitable[list[Message]]]


@dataclass(frozen=True)
class Job:
    """Periodic work the timer runs every `every` (reminders, follow-ups). `run(coach)`
    returns how many people it reached, for the log; it must be safe to run again."""

    name: str
    run: JobRun
    every: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class MeasureReading:
    """A person's number for a read lead measure now, and the words that go with it
    in their WIG session (rendered by the feature that reads it)."""

    value: float
    text: str


@dataclass(frozen=True)
class MeasureSource:
    """A lead measure whose number a feature reads instead of a person typing it
    (the rep's overdue trade-show leads). `name` is stored on the lead measure;
    `phrases` are what a person types after `/okr wig measure` to choose it (lower
    case); `title` the measure's title and `unit` its unit; `read(coach, person_id,
    moment)` the person's reading at that instant (UTC)."""

    name: str
    phrases: tuple[str, ...]
    title: str
    read: Callable[[Coach, int, datetime], Awaitable[MeasureReading]]
    unit: str = ""


@dataclass
class Feature:
    """The parts one capability contributes; filled in by decorators at import."""

    name: str
    commands: list[Command] = field(default_factory=list)
    responders: list[tuple[int, Responder]] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)
    prompt_kinds: list[PromptKind] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    home: list[HomeSection] = field(default_factory=list)
    brief: list[BriefSection] = field(default_factory=list)
    measure_sources: list[MeasureSource] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    resumed: dict[str, Resume] = field(default_factory=dict)
    cancelled: list[Cancelled] = field(default_factory=list)

    def command(self, name: str, usage: str, roles: tuple[str, ...] = EVERYONE,
                audience: str = "") -> Callable[[Handler], Handler]:
        """Register `/okr <name>` for `roles`; `audience` OWN_MANAGER when, inside
        those roles, it serves only the asker's own direct reports (said on refusal)."""

        def register(handler: Handler) -> Handler:
            self.commands.append(Command(name, usage, handler, roles, audience))
            return handler

        return register

    def coming(self, name: str, usage: str, roles: tuple[str, ...] = EVERYONE) -> None:
        """A command that is announced in help but not built yet."""
        self.commands.append(Command(name, usage, None, roles))

    def responder(self, stage: int, responder: Responder) -> None:
        self.responders.append((stage, responder))

    def holds(self, kind: str, told: Told, keeps: Callable[[Turn], bool] = lambda turn: False) -> None:
        """Rows of `kind` (`storage.held`) wait for the person's next typed message:
        every typed turn takes them unless `keeps(turn)`, whatever answers the turn (a
        command, a conversation, the fallback), in the unit of work that reads the
        turn's person and with every feature's kinds in one statement, and shows
        `told(turn, rows)` before the reply."""
        self.held.append(Held(kind, told, keeps))

    def action(self, name: str) -> Callable[[Action], Action]:
        """`end: <name>` in a flow file calls the function with the flow's result; it
        returns extra messages for the person (possibly none)."""

        def register(function: Action) -> Action:
            self.actions[name] = function
            return function

        return register

    def resumes(self, flow: str) -> Callable[[Resume], Resume]:
        """The function brings a conversation of `flow` up to date whenever it is picked
        up again (an answer typed, a continue button, the reminder, the terminal's next
        run), before its question is shown or an answer taken: what the flow's context
        was built from may have changed meanwhile (a WIG closed). It returns the new
        state (the same one when nothing changed) and notes saying what changed."""

        def register(function: Resume) -> Resume:
            self.resumed[flow] = function
            return function

        return register

    def on_cancel(self, function: Cancelled) -> Cancelled:
        """The function is told of every conversation the person cancels (any flow),
        after its state is final and before it is saved: what a conversation stood for
        outside itself (the prompt that opened it, marked answered at its start) can be
        put back. It returns notes for the person (possibly none); one that raises
        leaves the conversation where it was, as a failed end action does."""
        self.cancelled.append(function)
        return function

    def prompt_kind(self, kind: PromptKind) -> None:
        self.prompt_kinds.append(kind)

    def job(self, name: str, every: timedelta = timedelta(minutes=15)) -> Callable[[JobRun], JobRun]:
        def register(run: JobRun) -> JobRun:
            self.jobs.append(Job(name, run, every))
            return run

        return register

    def home_section(self, section: HomeSection) -> HomeSection:
        """A part of a person's home view (Slack's App Home), in feature order."""
        self.home.append(section)
        return section

    def brief_section(self, section: BriefSection) -> BriefSection:
        """A part of the brief a manager reads before a one-on-one with a rep, in
        feature order; it sees what happened since the last one-on-one."""
        self.brief.append(section)
        return section

    def measure_source(self, source: MeasureSource) -> None:
        """A lead measure this feature reads for people (see `MeasureSource`); the WIG
        session shows its reading instead of asking for a number."""
        self.measure_sources.append(source)


class Features:
    """Every part of every feature, merged, in the order the features were listed.

    Raises ValueError at start-up when two features claim the same command, end
    action or prompt kind: a silent override would be a bug found by a user.
    """

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features: tuple[Feature, ...] = tuple(features)
        self.commands: tuple[Command, ...] = tuple(c for f in self.features for c in f.commands)
        self.responders: tuple[Responder, ...] = tuple(
            r for _, r in sorted((pair for f in self.features for pair in f.responders), key=lambda p: p[0]))
        self.actions: Mapping[str, Action] = _unique("end action", (
            (name, a) for f in self.features for name, a in f.actions.items()))
        self.prompt_kinds: Mapping[str, PromptKind] = _unique("prompt kind", (
            (k.kind, k) for f in self.features for k in f.prompt_kinds))
        self.held: tuple[Held, ...] = tuple(h for f in self.features for h in f.held)
        self.resumes: Mapping[str, Resume] = _unique("resume hook of flow", (
            (name, r) for f in self.features for name, r in f.resumed.items()))
        self.cancels: tuple[Cancelled, ...] = tuple(c for f in self.features for c in f.cancelled)
        self.jobs: tuple[Job, ...] = tuple(j for f in self.features for j in f.jobs)
        self.home: tuple[HomeSection, ...] = tuple(h for f in self.features for h in f.home)
        self.brief: tuple[BriefSection, ...] = tuple(b for f in self.features for b in f.brief)
        self.measure_sources: Mapping[str, MeasureSource] = _unique("measure source", (
            (m.name, m) for f in self.features for m in f.measure_sources))
        _unique("command", ((c.name, c) for c in self.commands))

    def command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.name == name), None)


def _unique(what: str, pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"two features register the {what} {name!r}")
        found[name] = value
    return found
