"""`coachbot slack bind TEAM_ID` and `coachbot teams bind TENANT_ID`: an admin's
explicit act that ties a chat workspace or tenant to the organisation.

Nothing binds itself by being seen: a signed Slack request from a workspace that
never installed coachbot (Slack Connect, another Enterprise Grid workspace), or a
Teams activity from a foreign tenant, reaches nobody. Workspaces are otherwise bound
by an admin's OAuth install, the configured bot token's own workspace, or the
configured MICROSOFT_APP_TENANT_ID.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

import prompts
from bot.cli.common import fail, ready_database, settings
from storage import people

slack_app = typer.Typer(rich_markup_mode=None, help="Slack workspaces.", no_args_is_help=True)
teams_bind_help = "Bind a Microsoft Teams tenant (its AAD tenant id) to the organisation."
Org = Annotated[str | None, typer.Option("--org", help="Organisation name, when there are several.")]


@slack_app.command("bind")
def slack_bind(team_id: Annotated[str, typer.Argument(help="Slack team id, e.g. T0123ABCD.")],
               org: Org = None) -> None:
    """Bind a Slack workspace (its team id) to the organisation."""
    asyncio.run(_bind("slack", team_id.strip(), org))


def teams_bind(tenant_id: Annotated[str, typer.Argument(help="AAD tenant id (a GUID).")],
               org: Org = None) -> None:
    asyncio.run(_bind("teams", tenant_id.strip(), org))


teams_bind.__doc__ = teams_bind_help


async def _bind(platform: str, external_id: str, org_name: str | None) -> None:
    if not external_id:
        raise fail(prompts.render("cli/bind_problem", problem="empty"), code=2)
    db = await ready_database(settings())
    try:
        async with db.session() as session:
            org = await people.org_named(session, org_name) if org_name else await people.only_org(session)
            if org is None:
                raise fail(prompts.render("cli/bind_problem", problem="org", org=org_name or ""), code=2)
            bound = await people.bound_org(session, platform, external_id)
            if bound is not None and bound != org.id:
                raise fail(prompts.render("cli/bind_problem", problem="taken", id=external_id), code=2)
            await people.bind_workspace(session, org.id, platform, external_id)  # type: ignore[arg-type]
    finally:
        await db.dispose()
    typer.echo(prompts.render("cli/bound", platform=platform, id=external_id, org=org.name))
