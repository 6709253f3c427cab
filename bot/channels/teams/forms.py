"""Neutral forms (`bot.core.messages.Form`) as inputs on an Adaptive Card, and their
submission back as one neutral action with the fields' values.

Each field is an `Input.Text` (one line, several, e-mail, phone) or a compact
`Input.ChoiceSet`, its id the field's name; `Action.Submit` carries our data key with
the form's action (and the card's words, to redraw it answered). Teams sends the
inputs' values beside that data: in a message activity's `value` (Action.Submit), or
in `value.action.data` of an `adaptiveCard/action` invoke (Action.Execute). A problem
comes back as a new card with what was typed and the problem under its field.
Plain dictionaries only, like cards.py (no botbuilder here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import markup
from bot.core.messages import Form, FormField

DATA_KEY = "coachbot"  # the same key as a button's data (cards.DATA_KEY)
_STYLE = {"email": "Email", "phone": "Tel"}


@dataclass(frozen=True)
class Submitted:
    """A form sent from one of our cards: its action, the values by field name, and
    the card's words to redraw it answered."""

    action: str
    values: dict[str, str]
    label: str
    title: str | None
    text: str


def _input(field: FormField) -> dict[str, Any]:
    common: dict[str, Any] = {"id": field.name, "label": markup.plain(field.label), "isRequired": field.required}
    if field.error:
        common["errorMessage"] = markup.plain(field.error)
    if field.kind == "choice":
        return {"type": "Input.ChoiceSet", "style": "compact", **common,
                "choices": [{"title": markup.plain(c.label), "value": c.value} for c in field.options],
                **({"value": field.value} if field.value else {})}
    element: dict[str, Any] = {"type": "Input.Text", **common, "isMultiline": field.kind == "long_text",
                               "style": _STYLE.get(field.kind, "Text")}
    if field.max_length:
        # one over the limit: a longer entry reaches the coach's re-ask naming the limit
        element["maxLength"] = field.max_length + 1
    if field.value:
        element["value"] = field.value
    return element


def form_body(form: Form) -> list[dict[str, Any]]:
    """The inputs, each followed by its problem (in the attention colour) if any."""
    body: list[dict[str, Any]] = []
    for field in form.fields:
        body.append(_input(field))
        if field.error:
            body.append({"type": "TextBlock", "text": field.error, "wrap": True, "color": "Attention",
                         "size": "Small", "spacing": "None"})
    return body


def submit_action(form: Form, title: str | None, text: str) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": markup.plain(form.submit), "style": "positive",
            "data": {DATA_KEY: {"form": form.action, "label": markup.plain(form.submit),
                                "title": title, "text": text}}}


def submitted(value: Any) -> Submitted | None:
    """A form submission read from an activity's `value` (either shape); None for
    anything else (a button's click, another app's card, junk)."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("action"), dict) and isinstance(value["action"].get("data"), dict):
        value = value["action"]["data"]
    data = value.get(DATA_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("form"), str):
        return None
    values = {str(k): str(v) for k, v in value.items()
              if k != DATA_KEY and isinstance(v, str | int | float) and not isinstance(v, bool)}
    title = data.get("title")
    return Submitted(data["form"], values, str(data.get("label") or data["form"]),
                     str(title) if title else None, str(data.get("text") or ""))
