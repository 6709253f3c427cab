"""The terminal channel: numbered choices answered by number or label, commands kept."""

from __future__ import annotations

import io

from bot.channels.console import ConsoleChannel, render
from bot.core.channel import Recipient
from bot.core.messages import Choice, Message


def channel_with_choices() -> ConsoleChannel:
    console = ConsoleChannel(out=io.StringIO(), person_id=1)
    console.show([Message("How is it going?", choices=[Choice("On track", "on_track"),
                                                       Choice("At risk", "at_risk")]),
                  Message("Or", choices=[Choice("Skip", "skip")])])
    return console


def test_choices_are_numbered_across_messages() -> None:
    console = channel_with_choices()
    assert console.out.getvalue().splitlines()[1:] == ["  1. On track", "  2. At risk", "Or", "  3. Skip"]  # type: ignore[attr-defined]


def test_a_number_or_a_label_picks_a_choice() -> None:
    console = channel_with_choices()
    assert console.translate("2") == ("2", "at_risk")
    assert console.translate(" at RISK ") == ("at RISK", "at_risk")
    assert console.translate("3") == ("3", "skip")


def test_other_lines_stay_text() -> None:
    console = channel_with_choices()
    assert console.translate("7") == ("7", None)
    assert console.translate("/okr help") == ("/okr help", None)
    assert console.translate("we lost the deal") == ("we lost the deal", None)


async def test_a_message_for_someone_else_is_labelled() -> None:
    console = ConsoleChannel(out=io.StringIO(), person_id=1)
    message_id = await console.deliver(Recipient(2, 1, "m@x.com", "Maria Manager", "console"),
                                       [Message("Ravi's plan is ready.")])
    assert message_id == "console-1"
    assert console.out.getvalue() == "\n[to Maria Manager]\nRavi's plan is ready.\n"  # type: ignore[attr-defined]


def test_render_shows_title_fields_and_image_text() -> None:
    from bot.core.messages import Field, Image

    text = render(Message("Body", title="Title", fields=[Field("Owner", "Ravi")], image=Image(b"", "a chart")))
    assert text == "Title\nBody\nOwner: Ravi\n[image: a chart]"


def test_a_reply_without_choices_clears_the_old_numbers() -> None:
    console = channel_with_choices()
    console.show([Message("How many meetings did you book?")])
    assert console.translate("2") == ("2", None)


def test_a_number_typed_the_usual_ways_picks_its_choice() -> None:
    """"1." "1)" "(1)" " 1 " "#1": what people type for "the first one"."""
    console = channel_with_choices()
    for typed in ("2.", "2)", "(2)", " 2 ", "#2", "# 2", "#2.", "٢."):
        assert console.translate(typed)[1] == "at_risk", typed


def test_text_around_a_number_stays_text() -> None:
    console = channel_with_choices()
    for typed in ("2 days", "(2", "(2.", "2,", "2nd", "2.5", "#2 at risk", "²"):
        assert console.translate(typed)[1] is None, typed


def test_a_label_with_characters_markup_escapes_reads_plain_and_is_picked_as_it_reads() -> None:
    """A template's label is markup ("A level to keep \\(a floor\\)" inside): the
    terminal printed its escapes (the third reviewer); it shows and matches the words."""
    import prompts

    label = prompts.render("flows/goals/kr_kind_label", value="floor")
    console = ConsoleChannel(out=io.StringIO(), person_id=1)
    console.show([Message("Which kind?", choices=[Choice(label, "floor")])])
    assert "  1. A level to keep (a floor)" in console.out.getvalue()  # type: ignore[attr-defined]
    assert "\\(" not in console.out.getvalue()  # type: ignore[attr-defined]
    assert console.translate("a level to keep (a floor)") == ("a level to keep (a floor)", "floor")
