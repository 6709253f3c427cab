"""Slack taking coachbot out of a workspace: `app_uninstalled` and `tokens_revoked`.

Handled in every mode (single token, Socket Mode, OAuth), so Slack gets its
acknowledgement instead of a 404 and stops retrying. The workspace's stored tokens
are cleared (OAuth), the workspace is paused so no prompt is attempted there (each
would fail), and its organisation's admins are told, on whatever channel still
reaches them (else the log says it). A new install resumes it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import prompts
from bot.core.channel import DeliveryError
from bot.core.messages import Message
from storage import schedule
from storage import slack as store

log = logging.getLogger(__name__)
PAUSED_CACHE_SECONDS = 30.0


class Lifecycle:
    """The uninstall side of a SlackChannel (mixed into it)."""

    _paused: dict[str, str]
    _paused_read_at: float = 0.0

    async def _on_app_uninstalled(self, body: dict[str, Any], context: Any) -> None:
        await self._taken_out(context.team_id, context.enterprise_id, "app_uninstalled")

    async def _on_tokens_revoked(self, event: dict[str, Any], context: Any) -> None:
        tokens = event.get("tokens") or {}
        if self.installations is not None:
            for user_id in tokens.get("oauth") or []:
                await self.installations.async_delete_installation(
                    enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id)
        if tokens.get("bot"):
            await self._taken_out(context.team_id, context.enterprise_id, "tokens_revoked")

    async def _taken_out(self, team_id: str | None, enterprise_id: str | None, reason: str) -> None:
        team = team_id or enterprise_id
        if not team:
            return
        if self.installations is not None:
            await self.installations.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        async with self.coach.db.session() as session:
            workspace = await store.pause_workspace(session, team, reason)
            admins = list(await schedule.admins(session, workspace.org_id)) if workspace is not None else []
        self._paused[team] = reason
        log.warning("Slack workspace %s took coachbot out (%s): deliveries there are paused", team, reason)
        message = [Message(prompts.render("slack/taken_out", team=team, reason=reason))]
        for admin in admins:
            if not await self.coach.send_copy(admin.id, message):  # type: ignore[arg-type]
                log.warning("admin %s could not be told that Slack workspace %s is paused", admin.email, team)

    async def paused(self, team_id: str) -> str | None:
        """Why a workspace is paused, or None; read from the database at most every
        30 s, so a pause seen by another instance applies here soon."""
        if time.monotonic() - self._paused_read_at > PAUSED_CACHE_SECONDS:
            # stamped first: a thousand sends started together make one query, not a thousand
            self._paused_read_at = time.monotonic()
            async with self.coach.db.session() as session:
                self._paused = await store.paused_workspaces(session)
        return self._paused.get(team_id)

    async def check_not_paused(self, team_id: str) -> None:
        reason = await self.paused(team_id)
        if reason is not None:
            raise DeliveryError(prompts.render("slack/paused_reason", team=team_id, reason=reason))

    async def _resume(self, team_id: str) -> None:
        async with self.coach.db.session() as session:
            if await store.resume_workspace(session, team_id):
                log.info("Slack workspace %s installed again: deliveries resume", team_id)
        self._paused.pop(team_id, None)
