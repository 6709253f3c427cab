"""Named queries for the Slack channel: processed events, OAuth installations and
states, and the workspaces and people the channel links by e-mail.

Every installation query names the app (`client_id`) and the workspace (team and
enterprise id), so one workspace's token can never answer for another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import utcnow
from storage.models import (
    ChatIdentity,
    Person,
    SlackInstallation,
    SlackOAuthState,
    Workspace,
)

# --- OAuth installations ------------------------------------------------------------------


def _workspace(query: Any, enterprise_id: str | None, team_id: str | None,
               is_enterprise_install: bool | None) -> Any:
    """Narrow a query to one workspace. An org-wide (Enterprise Grid) install is found
    by its enterprise id alone; a workspace install by team and enterprise id."""
    query = query.where(SlackInstallation.enterprise_id == enterprise_id)
    if is_enterprise_install:
        return query.where(col(SlackInstallation.is_enterprise_install).is_(True))
    return query.where(SlackInstallation.team_id == team_id)


async def save_installation(
    session: AsyncSession,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None,
    is_enterprise_install: bool,
    data: dict[str, Any],
) -> SlackInstallation:
    """Keep an installation (one row per installing user and workspace, updated in place
    when the same user installs again)."""
    query = _workspace(
        select(SlackInstallation).where(SlackInstallation.client_id == client_id),
        enterprise_id, team_id, is_enterprise_install,
    ).where(SlackInstallation.user_id == user_id)
    row = (await session.exec(query)).first()
    if row is None:
        row = SlackInstallation(
            client_id=client_id, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
    row.data = data
    row.installed_at = utcnow()
    session.add(row)
    await session.flush()
    return row


async def find_installation(
    session: AsyncSession,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None = None,
    is_enterprise_install: bool | None = False,
    with_bot: bool = False,
    opened: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> SlackInstallation | None:
    """The newest installation for a workspace (and user, if given); `with_bot` asks
    for one that carries a bot token (`opened` reads a sealed row's data)."""
    query = _workspace(
        select(SlackInstallation).where(SlackInstallation.client_id == client_id),
        enterprise_id, team_id, is_enterprise_install,
    )
    if user_id is not None:
        query = query.where(SlackInstallation.user_id == user_id)
    query = query.order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())
    for row in (await session.exec(query)).all():
        if not with_bot or opened(row.data).get("bot_token"):
            return row
    return None


async def delete_installations(
    session: AsyncSession,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    user_id: str | None = None,
) -> int:
    """Forget a workspace's installations (app uninstalled, tokens revoked)."""
    statement = delete(SlackInstallation).where(
        col(SlackInstallation.client_id) == client_id,
        col(SlackInstallation.enterprise_id) == enterprise_id
        if enterprise_id is not None else col(SlackInstallation.enterprise_id).is_(None),
    )
    if team_id is not None:
        statement = statement.where(col(SlackInstallation.team_id) == team_id)
    if user_id is not None:
        statement = statement.where(col(SlackInstallation.user_id) == user_id)
    result = await session.exec(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def strip_bot_tokens(
    session: AsyncSession, client_id: str, enterprise_id: str | None, team_id: str | None,
    opened: Callable[[dict[str, Any]], dict[str, Any]] = dict,
    sealed: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> None:
    """The bot token was revoked but user installations remain: keep them, minus the bot."""
    query = select(SlackInstallation).where(
        SlackInstallation.client_id == client_id,
        SlackInstallation.enterprise_id == enterprise_id,
        SlackInstallation.team_id == team_id,
    )
    for row in (await session.exec(query)).all():
        data = opened(row.data)
        for key in ("bot_token", "bot_id", "bot_user_id", "bot_scopes", "bot_refresh_token",
                    "bot_token_expires_at"):
            data.pop(key, None)
        row.data = sealed(data)
        session.add(row)
    await session.flush()


async def reseal_installations(session: AsyncSession,
                               change: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Rewrite every installation's stored data through `change` (key rotation);
    returns how many rows were rewritten."""
    rows = (await session.exec(select(SlackInstallation))).all()
    for row in rows:
        row.data = change(row.data)
        session.add(row)
    await session.flush()
    return len(rows)


async def installation_data(session: AsyncSession) -> list[dict[str, Any]]:
    """The stored data of every installation (sealed or not), for start-up checks."""
    return [row.data for row in (await session.exec(select(SlackInstallation))).all()]


# --- OAuth states -------------------------------------------------------------------------


async def issue_state(session: AsyncSession, state: str, expires_at: datetime) -> None:
    session.add(SlackOAuthState(state=state, expires_at=expires_at))
    await session.flush()


async def consume_state(session: AsyncSession, state: str) -> bool:
    """Use a state once: True only if it existed and had not expired. Expired states
    are swept on the way."""
    now = utcnow()
    await session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.expires_at) <= now))
    result = await session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.state) == state))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# --- workspaces and the people to link by e-mail ----------------------------------------------


async def workspaces(session: AsyncSession) -> Sequence[Workspace]:
    """Every Slack workspace bound to an organisation."""
    return (await session.exec(select(Workspace).where(Workspace.platform == "slack"))).all()


async def workspace(session: AsyncSession, team_id: str) -> Workspace | None:
    query = select(Workspace).where(Workspace.platform == "slack", Workspace.external_id == team_id)
    return (await session.exec(query)).first()


async def unlinked_people(session: AsyncSession, org_id: int) -> Sequence[Person]:
    """Active people of an organisation with no Slack identity yet: the ones to look up
    by e-mail so their check-ins can reach them."""
    linked = select(ChatIdentity.person_id).where(
        ChatIdentity.org_id == org_id, ChatIdentity.platform == "slack"
    )
    query = (
        select(Person)
        .where(Person.org_id == org_id, col(Person.active).is_(True), col(Person.id).not_in(linked))
        .order_by(Person.id)
    )
    return (await session.exec(query)).all()


# --- workspaces paused by Slack (app uninstalled, bot token revoked) ---------------------


async def pause_workspace(session: AsyncSession, team_id: str, reason: str) -> Workspace | None:
    """Mark a bound workspace paused (nothing is sent there); None if it was never bound."""
    found = await workspace(session, team_id)
    if found is not None and found.paused_at is None:
        found.paused_at, found.paused_reason = utcnow(), reason[:200]
        session.add(found)
        await session.flush()
    return found


async def resume_workspace(session: AsyncSession, team_id: str) -> bool:
    """Clear a pause (coachbot installed again); True if one was cleared."""
    found = await workspace(session, team_id)
    if found is None or found.paused_at is None:
        return False
    found.paused_at, found.paused_reason = None, None
    session.add(found)
    await session.flush()
    return True


async def paused_workspaces(session: AsyncSession) -> dict[str, str]:
    """team id -> why, for every paused Slack workspace."""
    query = select(Workspace).where(Workspace.platform == "slack", col(Workspace.paused_at).is_not(None))
    return {w.external_id: w.paused_reason or "" for w in (await session.exec(query)).all()}
