"""The neutral message model: what the coach hears and what it says.

Channels translate platform payloads into `Inbound` and `Message` into Block Kit,
Adaptive Cards or terminal text. Nothing here knows any platform, so the brain can be
tested with plain values and a new channel touches only its own folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.core.markup import Marked, clean, inert, plain


@dataclass(frozen=True)
class Choice:
    """A button or numbered option. `value` is what comes back when it is picked.
    `means` is the answer a typed "yes" or "no" gives to the card's question when
    it picks this choice (Save is "yes", Cancel "no"; None: neither word picks it),
    for a channel that reads typed words as picks (the terminal)."""

    label: str
    value: str
    style: Literal["default", "primary", "danger"] = "default"
    means: Literal["yes", "no"] | None = None

    def __post_init__(self) -> None:  # a label is markup, or somebody's words
        object.__setattr__(self, "label", inert(self.label))

    @classmethod
    def marked(cls, label: Marked, value: str, style: Literal["default", "primary", "danger"] = "default",
               means: Literal["yes", "no"] | None = None) -> Choice:
        """A choice whose label is markup already (`inert`'s output, a template's
        `.markup`), made without the dataclass's checks: the dispatcher draws four per
        prompt card, thousands of cards a tick (a third of the time per button). Raises
        TypeError for any other string: somebody's words go through `Choice(...)`."""
        if not isinstance(label, Marked):
            raise TypeError("Choice.marked takes markup (bot.core.markup.Marked)")
        made = object.__new__(cls)
        made.__dict__.update(label=label, value=value, style=style, means=means)
        return made


@dataclass(frozen=True)
class Field:
    """A labelled value shown side by side (Block Kit fields, Adaptive FactSet)."""

    label: str
    value: str

    def __post_init__(self) -> None:  # plain strings are people's words: inert
        object.__setattr__(self, "label", inert(self.label))
        object.__setattr__(self, "value", inert(self.value))


@dataclass(frozen=True)
class Progress:
    """A progress bar: `ratio` is 0..1 (clamped when drawn), or None when there is
    nothing to measure yet (a key result with no reading: an empty bar without a
    percentage, which would read as "0 %"); `caption` explains it."""

    label: str
    ratio: float | None
    caption: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", inert(self.label))
        object.__setattr__(self, "caption", inert(self.caption))


@dataclass(frozen=True)
class Image:
    """A picture (PNG bytes) with the words a screen reader or a text channel uses."""

    png: bytes
    alt: str
    filename: str = "chart.png"


@dataclass(frozen=True)
class Attachment:
    """A file for the person to download (an export): bytes, a file name, a MIME type.
    Channels that cannot attach a file say so in words rather than drop it."""

    data: bytes
    filename: str
    mime: str = "text/csv"


@dataclass(frozen=True)
class FormField:
    """One field of a `Form`. `name` is its key in the submitted values; `kind` says
    how a channel draws it ("text" one line, "long_text" several, "email", "phone",
    "choice" one of `options`, whose values come back); `value` fills it in (a form
    drawn again after a problem keeps what was typed); `error` is that problem, shown
    at the field where the channel can."""

    name: str
    label: str
    kind: Literal["text", "long_text", "email", "phone", "choice"] = "text"
    options: tuple[Choice, ...] = ()
    required: bool = False
    max_length: int | None = None
    value: str = ""
    error: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", inert(self.label))


@dataclass(frozen=True)
class Form:
    """Fields to fill in and send back at once: a Slack modal, inputs on a Teams card.
    Submitting (the `submit` button) comes back as an `Inbound` whose `action` is
    `action` and whose `values` hold each field's text by name. `opener` is the command that draws the
    form again (what a channel that opens forms in a separate window — a Slack modal —
    puts behind its button); `open_now` asks such a channel to open it at once when it
    can (a Slack slash command's trigger). A channel without forms shows the message's
    text, which says how to do the same in one line."""

    title: str
    submit: str
    action: str
    fields: tuple[FormField, ...]
    opener: str
    button: str
    open_now: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", inert(self.title))
        object.__setattr__(self, "submit", inert(self.submit))
        object.__setattr__(self, "button", inert(self.button))

    @property
    def errors(self) -> dict[str, str]:
        return {f.name: f.error for f in self.fields if f.error}


@dataclass
class Message:
    """One reply or proactive message, in platform-neutral form.

    `private` asks the channel to show it only to the asker (Slack ephemeral); `key`
    lets a channel update an earlier card (so a choice cannot be answered twice);
    `tag` is the dispatcher's delivery key (occurrence key and purpose), which a
    channel attaches to what it posts (Slack message metadata, Teams channelData) so
    that a prompt whose send outcome is unknown can be found instead of sent twice.
    `unheard` marks the coach's fallback ("I didn't catch that"): the typed text
    answered nothing, so a channel that numbers a card's choices (the terminal) keeps
    the card it showed before open, as a Slack or Teams card stays under its message.
    """

    text: str
    title: str | None = None
    fields: list[Field] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    image: Image | None = None
    private: bool = False
    key: str | None = None
    attachment: Attachment | None = None
    tag: str | None = None
    form: Form | None = None
    unheard: bool = False

    def __post_init__(self) -> None:
        """`text` and `title` are markup when they come from a template (`Rendered`);
        any other string is somebody's words and is made inert here."""
        self.text = inert(self.text)
        if self.title is not None:
            self.title = inert(self.title)

    def plain(self) -> str:
        """The whole message as plain text: the terminal's rendering and every fallback
        (escapes resolved; our light markup left as it reads)."""
        lines: list[str] = []
        if self.title:
            lines.append(self.title)
        if self.text:
            lines.append(self.text)
        lines.extend(f"{f.label}: {f.value}" for f in self.fields)
        for bar in self.progress:
            caption = f" {bar.caption}" if bar.caption else ""
            lines.append(f"{bar.label}\n  {text_bar(bar.ratio)}{caption}")
        if self.image is not None:
            lines.append(f"[image: {self.image.alt}]")
        if self.attachment is not None:
            lines.append(f"[file: {self.attachment.filename}]")
        return plain("\n".join(lines))


def leaves_card_open(replies: list[Message]) -> bool:
    """Whether a typed turn's replies leave the card shown before them open in the
    terminal: they answered nothing (the coach's fallback, `Message.unheard`) and
    drew no card of their own. Slack and Teams leave every card open; the terminal
    retires a card's numbers at any other reply (`bot.channels.console`)."""
    return any(m.unheard for m in replies) and not any(m.choices for m in replies)


def text_bar(ratio: float | None, width: int = 20) -> str:
    """A progress bar drawn with block characters, shared by every text rendering;
    `ratio` None (no reading yet) draws an empty bar with no percentage."""
    if ratio is None:
        return "░" * width
    ratio = max(0.0, min(1.0, ratio))
    filled = round(ratio * width)
    return "█" * filled + "░" * (width - filled) + f" {round(ratio * 100)}%"


@dataclass(frozen=True)
class Sender:
    """Who spoke, as the platform knows them, before we know which person that is."""

    platform: str
    tenant: str
    user_id: str
    email: str | None = None


@dataclass(frozen=True)
class Place:
    """A shared conversation a team reads (a Slack channel, a Teams team channel), as
    its platform names it: `channel` is the Slack channel id or the Teams channel's
    conversation id; `tenant` the Slack workspace or Teams tenant it lives in."""

    platform: str
    channel: str
    tenant: str | None = None


@dataclass(frozen=True)
class Inbound:
    """A neutral inbound event: a line of text or a picked choice, from a known person.

    Channels resolve `Sender` to a person with `Coach.identify` first, so the coach
    only ever sees people it knows. `action` is a `Choice.value` when a button was
    clicked; `text` is what was typed (a slash command arrives as "/okr ...").
    `place` is set when it was said in a shared channel rather than a DM.
    `card` is the key of the card clicked, when the channel knows it (the coach also
    reads it from the clicked value, see `bot.core.cards`).
    """

    person_id: int
    platform: str
    text: str = ""
    action: str | None = None
    conversation_id: str | None = None
    event_id: str | None = None
    place: Place | None = None  # the shared channel it was said in; None in a DM
    card: str | None = None
    values: Mapping[str, str] | None = None  # a submitted `Form`'s fields, by name

    def __post_init__(self) -> None:
        """The core's inbound edge: NUL and other control characters never get past
        it (PostgreSQL cannot store NUL; none belongs in chat text)."""
        object.__setattr__(self, "text", clean(self.text))
        if self.action is not None:
            object.__setattr__(self, "action", clean(self.action))
        if self.values is not None:
            object.__setattr__(self, "values", {clean(str(k)): clean(str(v)) for k, v in self.values.items()
                                                if v is not None})
