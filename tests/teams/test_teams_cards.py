"""Neutral messages as Adaptive Cards (pure functions, no botbuilder)."""

from __future__ import annotations

import json

from bot.channels.teams import cards
from bot.core.messages import Choice, Field, Image, Message, Progress


def test_every_part_of_a_message_is_drawn() -> None:
    message = Message(
        "Two weeks since your last check-in.", title="Check-in",
        fields=[Field("Owner", "Ravi")],
        progress=[Progress("New meetings", 0.45, "18 of 40")],
        image=Image(b"\x89PNG fake", "a chart of meetings per week"),
        choices=[Choice("Start", "checkin:start", "primary"), Choice("Snooze", "snooze")],
        key="checkin-9",
    )
    card = cards.card(message)
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    kinds = [b["type"] for b in card["body"]]
    assert kinds == ["TextBlock", "TextBlock", "FactSet", "TextBlock", "TextBlock", "TextBlock",
                     "Image"]
    assert card["body"][2]["facts"] == [{"title": "Owner", "value": "Ravi"}]
    assert "45%" in card["body"][4]["text"] and card["body"][4]["fontType"] == "Monospace"
    assert card["body"][6]["url"].startswith("data:image/png;base64,")
    assert card["body"][6]["altText"] == "a chart of meetings per week"
    assert card["fallbackText"] == message.plain()
    start, snooze = card["actions"]
    assert start["type"] == "Action.Submit" and start["style"] == "positive"
    assert "style" not in snooze
    assert start["data"]["coachbot"]["value"] == "checkin:start"
    json.dumps(card)  # serialisable as is


def test_a_picked_choice_is_read_back_from_submit_and_execute() -> None:
    data = cards.card(Message("Q?", title="T", key="k", choices=[Choice("Yes", "y")]))[
        "actions"][0]["data"]
    submit = cards.pick_from(data)
    execute = cards.pick_from({"action": {"type": "Action.Execute", "data": data}})
    assert submit == execute == cards.Pick("y", "Yes", "T", "Q?", "k")


def test_foreign_or_junk_values_are_not_picks() -> None:
    for value in (None, "text", [], {}, {"coachbot": "x"}, {"coachbot": {"value": 3}},
                  {"action": {"data": "x"}}, {"other_app": {"value": "y"}}):
        assert cards.pick_from(value) is None


def test_answered_card_has_no_buttons_and_shows_the_answer() -> None:
    card = cards.answered_card(cards.Pick("y", "Yes", "T", "Q?", "k"))
    assert "actions" not in card
    assert [b["text"] for b in card["body"]][:2] == ["T", "Q?"]
    assert "Yes" in card["body"][2]["text"]


def test_an_empty_message_still_makes_a_valid_card() -> None:
    card = cards.card(Message(""))
    assert card["body"] and card["body"][0]["type"] == "TextBlock"


def test_long_text_is_shortened_in_the_button_data_only() -> None:
    long = "word " * 400
    card = cards.card(Message(long, choices=[Choice("Ok", "ok")]))
    assert card["body"][0]["text"] == long
    echoed = card["actions"][0]["data"]["coachbot"]["text"]
    assert len(echoed) <= 600 and echoed.endswith("…")


def test_a_reps_words_never_become_a_link_or_formatting_in_a_card() -> None:
    """`[sign in again](http://evil.example) **URGENT**` typed by a rep and echoed to
    the manager is shown as typed: Adaptive Cards read CommonMark escapes."""
    import prompts
    from bot.core.messages import Field as Fact

    nasty = "[sign in again](http://evil.example) **URGENT** _now_ <b>hi</b>"
    message = Message(prompts.render("cadence/checkin/reminder_manager", rep="Ravi", updates=[],
                                     blockers=nasty, change="", last_change=nasty, did_change="no", lost=[nasty]),
                      title=nasty, fields=[Fact(nasty, nasty)])
    content = cards.card(message)
    texts = [block["text"] for block in content["body"] if block["type"] == "TextBlock"]
    texts += [fact["value"] for fact in content["body"][-1]["facts"]]
    for text in texts:
        assert "[sign in again](" not in text and "**URGENT**" not in text, text
        assert r"\[sign in again\]\(http://evil.example\) \*\*URGENT\*\* \_now\_" in text, text
    assert content["body"][-1]["facts"][0]["title"] == nasty  # plain: shown as it is
    assert nasty in content["fallbackText"]
    plain_card = cards.card(Message(prompts.render("teams/answered", label="**ok**")))
    assert r"\*\*ok\*\*" in plain_card["body"][0]["text"]
