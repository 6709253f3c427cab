"""Neutral forms (`bot.core.messages.Form`) as Slack modals, and their submissions
back as one neutral `Inbound` with the fields' values.

A message carrying a form shows a button (`blocks.FORM_ACTION`, worth the form's
`opener` command); a click opens the modal the coach draws for that command (the
same path as the check-in modal, `Listeners._form_open`), and a slash command whose
answer asks for the form `open_now` opens it straight away with the command's
trigger. On submission the coach answers within Slack's 3 s: a problem comes back as
the modal's own field errors (`response_action: errors`, the fields keep what was
typed); otherwise the modal shows the answer and the form again, empty, for the next
one. Block ids carry the field names, so the values are read without the coach's
form at hand.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from bot.channels.slack.background import answer_time_left
from bot.channels.slack.blocks import (
    MAX_OPTION_TEXT,
    MAX_OPTIONS,
    MAX_VIEW_BLOCKS,
    Block,
    message_blocks,
    plain_object,
)
from bot.core.messages import Form, FormField, Inbound, Message

log = logging.getLogger(__name__)

FIELDS_CALLBACK = "coachbot_fields"
FIELD_BLOCK = "coachbot_field:"  # + the field's name
FIELD_INPUT = "value"
MAX_LABEL = 2000
MAX_INPUT = 3000  # Slack's largest plain_text_input


def _element(field: FormField) -> Block:
    if field.kind == "choice":
        options = [{"text": plain_object(c.label, MAX_OPTION_TEXT), "value": c.value[:150]}
                   for c in field.options[:MAX_OPTIONS]]
        element: Block = {"type": "static_select", "action_id": FIELD_INPUT, "options": options}
        chosen = next((o for o in options if o["value"] == field.value), None)
        if chosen is not None:
            element["initial_option"] = chosen
        return element
    element = {"type": "email_text_input" if field.kind == "email" else "plain_text_input",
               "action_id": FIELD_INPUT}
    if field.kind == "long_text":
        element["multiline"] = True
    if field.max_length and field.kind != "email":
        # one over the limit, so that a longer entry reaches the coach's clear re-ask
        # rather than Slack's generic one
        element["max_length"] = min(field.max_length + 1, MAX_INPUT)
    if field.value:
        element["initial_value"] = field.value
    return element


def field_blocks(form: Form) -> list[Block]:
    return [{"type": "input", "block_id": f"{FIELD_BLOCK}{f.name}", "optional": not f.required,
             "label": plain_object(f.label, MAX_LABEL), "element": _element(f)} for f in form.fields]


def fields_view(form: Form, shown: list[Message], team: str) -> dict[str, Any]:
    """The form as a modal, after what the coach said with it (`shown`: a saved
    lead's confirmation above the next empty form)."""
    above: list[Block] = []
    for message in shown:
        above += message_blocks(Message(message.text, message.title, message.fields))
    fields = field_blocks(form)
    return {
        "type": "modal",
        "callback_id": FIELDS_CALLBACK,
        "title": plain_object(form.title, 24),
        "submit": plain_object(form.submit, 24),
        "private_metadata": json.dumps({"team": team, "action": form.action})[:3000],
        "blocks": above[: MAX_VIEW_BLOCKS - len(fields)] + fields,
    }


def values_of(view: dict[str, Any]) -> dict[str, str]:
    """The fields' values from a view_submission, by field name ("" when left empty)."""
    values: dict[str, str] = {}
    for block_id, inputs in ((view.get("state") or {}).get("values") or {}).items():
        if not block_id.startswith(FIELD_BLOCK):
            continue
        element = inputs.get(FIELD_INPUT) or {}
        picked = (element.get("selected_option") or {}).get("value")
        values[block_id[len(FIELD_BLOCK):]] = picked if picked is not None else (element.get("value") or "")
    return values


def form_of(replies: list[Message]) -> tuple[Form | None, list[Message]]:
    """The last form among the replies, and the other replies (shown above it)."""
    found = next((m for m in reversed(replies) if m.form is not None), None)
    return (found.form if found else None), [m for m in replies if m is not found]


class FormListeners:
    """The modal side of a SlackChannel (mixed into it)."""

    async def _open_now(self, body: dict[str, Any], token: str, team: str, replies: list[Message]) -> None:
        """A command whose answer asks for its form at once: the modal opens on the
        command's trigger (valid 3 s; if it has expired the button still works)."""
        form, shown = form_of(replies)
        if form is None or not form.open_now or not body.get("trigger_id"):
            return
        try:
            await self.api.client(token, team).views_open(  # type: ignore[attr-defined]
                trigger_id=body["trigger_id"], view=fields_view(form, [], team))
        except Exception as error:  # the answer with its button is posted anyway
            log.info("Slack form not opened at once: %s", error)

    async def _on_fields_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any],
                                context: Any) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        token = context.bot_token
        if not body.get("team") and not body.get("team_id"):
            body = {**body, "team_id": meta.get("team", "")}
        team, user_id, person = await self._sender(body, token)  # type: ignore[attr-defined]
        if person is None:
            await ack()
            return
        turn = asyncio.get_running_loop().create_task(self._coach_turn(Inbound(  # type: ignore[attr-defined]
            person_id=person.id, platform="slack", action=meta.get("action") or "",  # type: ignore[arg-type]
            values=values_of(view)), "form"))
        done, _ = await asyncio.wait({turn}, timeout=answer_time_left())
        if not done:  # slow: close the modal, the answer follows in the DM
            await ack()

            async def later() -> None:
                await self._post_all(token, team, user_id, await turn, person.id, user_id)  # type: ignore[attr-defined]

            self.spawn(later(), "slow form")  # type: ignore[attr-defined]
            return
        replies = turn.result()
        form, shown = form_of(replies)
        if form is not None and form.errors:
            await ack(response_action="errors",
                      errors={f"{FIELD_BLOCK}{k}": v[:MAX_LABEL] for k, v in form.errors.items()})
        elif form is not None:
            await ack(response_action="update", view=fields_view(form, shown, team))
        else:
            await ack()
            await self._post_all(token, team, user_id, replies, person.id, user_id)  # type: ignore[attr-defined]
