"""Slack installation: the OAuth install pages, binding a newly installed workspace
to a company (the core's rule: only an active coachbot admin binds one), the bot
token of each workspace, and linking people to Slack users by e-mail."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.oauth.async_callback_options import AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation

import prompts
from bot.channels.slack.api import error_code
from bot.channels.slack.gate import page_request
from bot.core.channel import DeliveryError
from storage import people
from storage import slack as store

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


class Installs:
    """The install and token side of a SlackChannel (mixed into it)."""

    async def _handle_install(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_installation(page_request(request)))

    async def _handle_redirect(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(page_request(request)))

    async def token_for(self, team_id: str, enterprise_id: str | None = None) -> str:
        """The bot token for a workspace: the configured one, or its OAuth installation.
        Raises DeliveryError for a workspace that took coachbot out (paused)."""
        await self.check_not_paused(team_id)
        if self.installations is None:
            assert self.settings.bot_token
            return self.settings.bot_token
        if enterprise_id is None and team_id:
            async with self.coach.db.session() as session:
                workspace = await store.workspace(session, team_id)
            enterprise_id = workspace.enterprise_id if workspace is not None else None
        bot = await self.installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:
            bot = await self.installations.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise DeliveryError(f"coachbot is not installed in Slack workspace {team_id}")
        return bot.bot_token

    async def _workspace_known(self, team_id: str) -> bool:
        """Only a workspace bound on purpose may reach anyone's data: with OAuth, by an
        admin's install; with one bot token, the token's own workspace (bound on first
        use to the one organisation), or one bound with `coachbot slack bind`. A signed
        request from any other workspace (Slack Connect, another Enterprise Grid
        workspace) is a stranger's."""
        if team_id in self._bound:
            return True
        async with self.coach.db.session() as session:
            found = await store.workspace(session, team_id) is not None
        if not found and not self.oauth and team_id == await self.token_team():
            found = await self.bind_token_workspace(team_id)
        if found:
            self._bound.add(team_id)
        return found

    async def token_team(self) -> str | None:
        """The workspace of the configured bot token (auth.test, asked once)."""
        if self.oauth or not self.settings.bot_token:
            return None
        if self._token_team is None:
            try:
                auth = await self.api.client(self.settings.bot_token, "").auth_test()
            except Exception as error:  # unreachable now: asked again next time
                log.warning("Slack auth.test failed: %s", error)
                return None
            self._token_team = str(auth["team_id"])
        return self._token_team

    async def bind_token_workspace(self, team_id: str) -> bool:
        """Bind the configured token's workspace to the organisation, when there is
        exactly one (a single-company install); several need `coachbot slack bind`."""
        async with self.coach.db.session() as session:
            org = await people.only_org(session)
            if org is None:
                return False
            await people.bind_workspace(session, org.id, "slack", team_id)  # type: ignore[arg-type]
        log.info("Slack workspace %s (the bot token's) bound to %s", team_id, org.name)
        return True

    async def link_people(self) -> int:
        """Find people without a Slack id by e-mail (users.lookupByEmail), so their
        check-ins reach them. Returns how many were linked."""
        teams: list[tuple[str, int]] = []
        if not self.oauth and self.settings.bot_token:
            team = await self.token_team()
            if team is not None:
                await self._resume(team)  # the configured token works: not paused
            if team is not None and await self._workspace_known(team):
                async with self.coach.db.session() as session:
                    org_id = await people.workspace_org(session, "slack", team)
                if org_id is not None:
                    teams.append((team, org_id))
        else:
            async with self.coach.db.session() as session:
                teams = [(w.external_id, w.org_id) for w in await store.workspaces(session)]
        linked = 0
        for team_id, org_id in teams:
            try:
                token = await self.token_for(team_id)
            except DeliveryError:
                continue
            async with self.coach.db.session() as session:
                unlinked = list(await store.unlinked_people(session, org_id))
            for person in unlinked:
                try:
                    user_id = await self.api.lookup_email(token, team_id, person.email)
                except SlackApiError as error:
                    if error_code(error) != "users_not_found":
                        log.warning("users.lookupByEmail failed: %s", error_code(error) or "no JSON")
                    continue
                if user_id:
                    await self.coach.remember_identity(person.id, "slack", user_id, tenant=team_id)  # type: ignore[arg-type]
                    linked += 1
        if linked:
            log.info("Slack: linked %s people by e-mail", linked)
        return linked

    async def _installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        bound = False
        try:
            bound = await self._bind(installation)
        except Exception:
            log.exception("binding Slack workspace %s failed", installation.team_id)
        if bound:
            self.spawn(self.link_people(), "link people after install")
        response = await args.default.success(args)
        lines = prompts.render("slack/installed", team=installation.team_name or installation.team_id,
                               bound=bound).splitlines()
        response.body = prompts.render("slack/install_page", lines=[ln for ln in lines if ln.strip()])
        response.headers["content-type"] = ["text/html; charset=utf-8"]
        return response

    async def _failed(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning("Slack install failed: %s", args.reason)
        return await args.default.failure(args)

    async def _bind(self, installation: Installation) -> bool:
        """Tie a newly installed workspace to the organisation of the admin installing
        it (the core's binding rule), matched by the e-mail on their Slack profile."""
        team = installation.team_id or installation.enterprise_id
        if not team:
            return False
        email = None
        if installation.user_id and installation.bot_token:
            async with self.coach.db.session() as session:
                known = await store.workspace(session, team) is not None
            if not known:
                email = await self.api.user_email(installation.bot_token, team, installation.user_id)
        bound = await self.coach.bind_workspace("slack", team, email, installation.enterprise_id,
                                                installation.team_name)
        if bound:
            self._bound.add(team)
            await self._resume(team)
        return bound
