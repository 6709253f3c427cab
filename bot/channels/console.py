"""The terminal channel: the same coach, no platform.

Lines come from stdin (typed or piped), replies are printed as plain text. Choices
are numbered, and a person answers by number or by label, the way they would press a
button. Lines starting with "/" are slash commands, as in Slack.

Given the database, the latest card's choices are also kept there for the person
(`storage.console_cards`, for `CARD_HOURS`), as a Slack or Teams button stays under its
message: a `coachbot chat` run started after the one that showed the `/okr out` card
still takes "Save" or its number. Past that, the number or label gets a clear "that
card has expired" naming the line that brings it back, not silence.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, TextIO

import prompts
from bot.core import cards
from bot.core.channel import Place, Recipient
from bot.core.clock import now
from bot.core.coach import Coach
from bot.core.markup import Marked, plain
from bot.core.messages import Choice, Image, Inbound, Message, leaves_card_open
from conversations.answers import Env, Valid
from conversations.locales import typed_number
from conversations.word_answers import yesno
from storage import console_cards
from storage.db import Database

# How long a card's choices still answer in a later run: a working day and a night,
# so "Save" typed the next morning still counts, last week's card does not.
CARD_HOURS = 24
# How long a saved chart stays in the temporary image folder: saving a new one removes
# older ones, so a terminal left running for weeks (or demo after demo) does not fill it.
IMAGE_DAYS = 1


class ConsoleChannel:
    platform = "console"
    reaches_anyone = True  # reaches anyone by name, no identity needed

    def __init__(self, out: TextIO | None = None, person_id: int | None = None,
                 db: Database | None = None) -> None:
        """`db`: where the latest card's choices are kept between runs (None: memory only)."""
        self.out = out or sys.stdout
        self.person_id = person_id
        self.db = db
        self.choices: list[Choice] = []
        self.expired: console_cards.Card | None = None  # a stored card past its time
        self.shown = False  # something was printed for the person in this run
        self.sent = 0
        self.prompt = ""  # the cue for the next line (`converse`): "> " at a terminal
        self.waiting = False  # the cue is shown and no line came since

    async def deliver(self, recipient: Recipient, messages: list[Message]) -> str | None:
        """Print a proactive message; one meant for someone else is labelled as such,
        so a manager's copy of a plan is visible when trying coachbot alone. Its
        buttons are theirs: listed without numbers, and neither picked by what the
        terminal user types next nor kept as the terminal user's card."""
        self.sent += 1
        if recipient.person_id != self.person_id:
            self.out.write(f"\n[to {recipient.name}]\n")
            for message in messages:
                self.out.write(render(message, numbered=False) + "\n")
            self.out.flush()
            self._cue_again()
            return f"console-{self.sent}"
        self._off_cue()
        self.show(messages)
        await self.remember(None)
        self._cue_again()
        return f"console-{self.sent}"

    async def post_to(self, place: Place, messages: list[Message], thread: str | None = None) -> str | None:
        """Print a post for a shared channel, labelled with the channel (and thread)."""
        self.out.write(f"\n[#{place.channel}{' thread ' + thread if thread else ''}]\n")
        self.show(messages)
        await self.remember(None)
        self.sent += 1
        self._cue_again()
        return thread or f"console-{self.sent}"

    def cue(self) -> None:
        """Show the prompt (`self.prompt`, none when input is not a terminal): the
        person's cue that the next line is theirs to type."""
        if self.prompt:
            self.out.write(self.prompt)
            self.out.flush()
            self.waiting = True

    def _off_cue(self) -> None:
        """A message printed while the cue waits starts on a line of its own."""
        if self.waiting:
            self.out.write("\n")

    def _cue_again(self) -> None:
        """After a message the timer delivered while the person was at the cue (a
        check-in prompt, a reminder): the cue again, so they know it is their turn."""
        if self.waiting:
            self.cue()

    def show(self, messages: list[Message]) -> None:
        choices: list[Choice] = []
        for message in messages:
            self.out.write(render(message, first_number=len(choices) + 1) + "\n")
            if message.image is not None:  # a terminal shows no pictures: a file it can open
                self.out.write(prompts.render("console/image_saved", path=save_image(message.image)) + "\n")
            if message.attachment is not None:  # a file (an export): written beside where coachbot runs
                path = Path.cwd() / Path(message.attachment.filename).name
                path.write_bytes(message.attachment.data)
                self.out.write(prompts.render("console/file_saved", path=path) + "\n")
            choices.extend(message.choices)
        self.choices = choices  # only the latest replies' numbers mean anything
        self.shown = True
        self.out.flush()

    def show_hint(self) -> None:
        """A number that picks none of the card's choices: which numbers do, the card
        staying as it was (its choices still answer)."""
        self.out.write(prompts.render("console/pick_a_number", count=len(self.choices)) + "\n")
        self.out.flush()

    def translate(self, line: str) -> tuple[str, str | None]:
        """A typed line -> (text, picked choice value). "2" or a label picks a choice,
        but a number typed at a conversation's Yes/No goes to the conversation as
        typed: it reads 1 and 2 as Yes and No itself, and knows when a number is the
        value it read back ("-1 is below zero … if you meant 1, say no and type it":
        the `1` is that 1, not the Yes button; see `converse` for the fallback)."""
        text = line.strip()
        if typed_number(text) is not None and _yes_or_no_question(self.choices):
            return text, None
        return text, _pick(text, _options(self.choices))

    async def remember(self, asked: str | None) -> None:
        """Keep the choices just shown as the person's latest card (none: forget it),
        for CARD_HOURS; `asked` is the line that brought it up."""
        if self.db is None or self.person_id is None:
            return
        moment = now()
        async with self.db.session() as session:
            await console_cards.keep(session, self.person_id, _options(self.choices),
                                     asked, moment, moment + timedelta(hours=CARD_HOURS))

    async def restore(self, person_id: int) -> None:
        """The person's card from an earlier run: its choices answer again, or, past
        CARD_HOURS, a pick of one is told the card expired. Not when this run already
        showed something (the question a conversation left open, `open_question`):
        that is the latest, and an older card's numbers would answer what is not shown."""
        if self.db is None or self.shown:
            return
        async with self.db.session() as session:
            card = await console_cards.latest(session, person_id, now())
        if card is None or self.choices:
            return
        if card.expired:
            self.expired = card
        else:
            self.choices = [Choice.marked(Marked(label), value, means=_meaning(means))
                            for label, value, means in card.choices]

    async def converse(self, coach: Coach, person_id: int, lines: AsyncIterator[str],
                       prompt: str = "", told: Message | None = None) -> None:
        """Feed each line to the coach as `person_id` and print the replies, until EOF
        or a line that is only `/quit` (also `quit`, `exit`, `/exit`: what a terminal
        user tries first; a conversation never needs one of them as a whole answer).
        `told`: what the first line's replies need not say again (the "welcome back" of
        the conversation the caller has just shown left open): one banner is enough.
        `prompt` is shown before each line is read; an empty line is sent to no one
        (nothing is saved) and gets the prompt again."""
        self.person_id = person_id
        self.prompt = prompt
        await self.restore(person_id)
        unsaid = told.plain() if told is not None else None
        self.cue()
        async for line in lines:
            self.waiting = False
            if not line.strip():
                self.cue()
                continue
            if line.strip().lower() in QUIT:
                return
            text, action = self.translate(line)
            # "0", "99", "-1", "(9)" on a card: a number none of its choices has
            off_card = action is None and bool(self.choices) and (
                _WHOLE.match(text) is not None or typed_number(text) is not None)
            if action is not None:
                self.choices = []
            elif self.expired is not None and _pick(text, self.expired.choices) is not None:
                self.show([Message(prompts.render("console/card_expired", hours=CARD_HOURS,
                                                  asked=self.expired.asked))])
                self.expired = None
                await self.remember(None)
                continue
            self.expired = None
            card = self.choices
            replies = await coach.handle(
                Inbound(person_id=person_id, platform="console", text=text, action=action)
            )
            if unsaid is not None:
                replies, unsaid = [m for m in replies if m.plain() != unsaid], None
            if action is None and _yes_or_no_question(card) and any(m.unheard for m in replies) \
                    and (picked := _pick(text, _options(card))) is not None:
                # no conversation took the number (the card outlived it): a pick, as on any card
                self.choices = []
                replies = await coach.handle(
                    Inbound(person_id=person_id, platform="console", text=text, action=picked))
            if off_card and leaves_card_open(replies):
                # the number went to the coach first (a value retyped at a read-back is
                # its conversation's); nothing took it: which numbers pick, the card kept.
                # What else the turn said (days away not saved, told once) is shown.
                if notes := [m for m in replies if not m.unheard]:
                    self.show(notes)
                    self.choices = card
                self.show_hint()
            else:
                await self._shown(replies, card, text)
            self.cue()

    async def _shown(self, replies: list[Message], card: list[Choice], text: str) -> None:
        """Print the coach's replies; when they answered nothing and drew no card, the
        card shown before stays open (as under a Slack message) and the person is told
        what it takes, else the replies' card is kept as the latest."""
        self.show(replies)
        if card and leaves_card_open(replies):
            self.choices = card
            self.out.write(prompts.render("console/card_still_open", count=len(card)) + "\n")
            self.out.flush()
        else:
            await self.remember(text if self.choices else None)


def _yes_or_no_question(choices: list[Choice]) -> bool:
    """Whether the card is a conversation's Yes / No (a question's card: its key
    "q:…" sealed in each value, `bot.core.cards`)."""
    values = [cards.unseal(c.value) for c in choices]
    return [v for v, _ in values] == ["yes", "no"] and all((key or "").startswith("q:") for _, key in values)


Option = tuple[str, str, str]  # a choice as the terminal keeps it: (label, value, means or "")


def _options(choices: list[Choice]) -> list[Option]:
    return [(str(c.label), c.value, c.means or "") for c in choices]


def _meaning(means: str) -> Literal["yes", "no"] | None:
    return "yes" if means == "yes" else "no" if means == "no" else None


def _pick(text: str, choices: Sequence[Option]) -> str | None:
    """The value of the choice `text` names by number ("2"), by label, or by a yes
    or no in the ways people type them ("yes", "yep", "nope": `word_answers.yesno`)
    when exactly one choice means that answer (`Choice.means`: Save is "yes"),
    else None (a slash command never picks)."""
    if not choices or text.startswith("/"):
        return None
    if (picked := typed_number(text)) is not None and 1 <= picked <= len(choices):
        return choices[picked - 1][1]
    if (named := next((value for label, value, _ in choices if text.casefold() == plain(label).casefold()),
                      None)) is not None:
        return named
    answer = yesno(text, Env(today=date.min))  # a yes or a no reads no day
    if isinstance(answer, Valid) and typed_number(text) is None:
        meant = [value for _, value, means in choices if means == answer.value]
        return meant[0] if len(meant) == 1 else None
    return None


def save_image(image: Image, folder: Path | None = None) -> Path:
    """Write a picture (a brief's chart) to a new file under the system's temporary
    folder (`coachbot-images/`), never overwriting an earlier one; return its path.

    Files there last changed more than `IMAGE_DAYS` ago (by the clock's now, in UTC
    instants) are removed first (`prune_images`); the file just written never is."""
    target = folder or Path(tempfile.gettempdir()) / "coachbot-images"
    target.mkdir(parents=True, exist_ok=True)
    stem, _, suffix = image.filename.rpartition(".")
    with tempfile.NamedTemporaryFile(dir=target, prefix=f"{stem or 'image'}-", suffix=f".{suffix or 'png'}",
                                     delete=False) as file:
        file.write(image.png)
    saved = Path(file.name)
    prune_images(target, keep=saved)
    return saved


def prune_images(folder: Path, keep: Path | None = None, days: float = IMAGE_DAYS) -> int:
    """Remove the files directly in `folder` whose modification time is more than
    `days` before now (`bot.core.clock.now`), except `keep`; sub-folders are left
    alone. A file another process removed or still holds open is skipped, not an
    error: a chart is shown whether or not the tidying works. Returns how many went."""
    cutoff = (now() - timedelta(days=days)).timestamp()
    removed = 0
    for path in folder.iterdir():
        try:
            if (keep is not None and path.name == keep.name) or not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            path.unlink()
        except OSError:
            continue
        removed += 1
    return removed


def render(message: Message, first_number: int = 1, numbered: bool = True) -> str:
    """A message as terminal text, its choices numbered from `first_number` (or, for
    a card shown for someone else, listed with a dash: nothing the terminal user picks)."""
    lines = [message.plain()]
    for number, choice in enumerate(message.choices, start=first_number):  # labels are markup: read plain
        lines.append(f"  {number}. {plain(choice.label)}" if numbered else f"  - {plain(choice.label)}")
    return "\n".join(line for line in lines if line)


# A whole number typed where a card is shown, signed or not: one out of its range goes
# to the coach (a conversation may take it: a value retyped at a read-back) and, when
# nothing took it, is told which numbers pick instead of "I didn't catch that".
_WHOLE = re.compile(r"^[-+\u2212]?\s*[0-9]+$")


QUIT = frozenset({"/quit", "quit", "/exit", "exit"})


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Lines from stdin without blocking the event loop (the scheduler shares it).

    A daemon thread reads, so a process told to stop (SIGTERM) while waiting for a
    line can exit without anyone pressing Enter."""
    stream = stream or sys.stdin
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = stream.readline()
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="stdin", daemon=True).start()
    while line := await queue.get():
        yield line
