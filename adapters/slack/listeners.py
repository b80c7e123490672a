"""Slack requests in, core commands out, the core's replies shown back.

Every listener acknowledges first (Slack gives three seconds), then builds an Actor — the
workspace, the person, the channel, whether Slack calls them an owner or admin, and the
request's trigger_id as its delivery id — and hands one command to the core. Events claim
their event_id the same way before they act. The core's part (the database) goes through the
intake; Slack's part (answers, message updates, the Home tab) is done here once it is finished:
a slow Slack never holds a worker or its database connection, and a workspace's commands still
act in order.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import home
from adapters.slack.render import render, reply_blocks, safe, status_cause, with_status
from bot import commands as c
from bot import forms, grammar
from bot import home as page
from bot.actions import command_for
from bot.app import claim_delivery, handle
from bot.domain.model import Platform, TenantRef
from bot.i18n import texts
from bot.messages import Reply
from bot.ports import DeliveryFailed

if TYPE_CHECKING:
    from adapters.slack.side import Slack

log = logging.getLogger(__name__)

OUR_BUTTONS = re.compile(r"^jb:(meetup|stillin):")
HOME_CONTROLS = re.compile(r"^jb:home:|^jb:division$")
REPLY_TEXT_MAX = 2900
ERROR_TEXT_MAX = 150  # what a modal shows under a field
T = TypeVar("T")
HomeShown = tuple[str, str | None] | None  # the Home tab's status and note; None: nothing to draw


def tenant_of(context: AsyncBoltContext) -> TenantRef:
    """An org-wide Enterprise Grid install is one tenant; otherwise each workspace is."""
    external = context.enterprise_id if context.is_enterprise_install else context.team_id
    external = external or context.team_id or context.enterprise_id
    if not external:
        raise ValueError("a Slack request without a team or enterprise id")
    return TenantRef(Platform.SLACK, external)


def _channel(channel_id: str | None) -> str | None:
    # A DM with the app is nobody's program channel.
    return None if not channel_id or channel_id.startswith("D") else channel_id


def _reply_message(reply: Reply) -> dict[str, Any]:
    if reply.message is not None:
        shown = render(reply.message)
        return {"text": shown.text, "blocks": shown.blocks}
    if len(reply.text) > REPLY_TEXT_MAX:
        return {"text": reply.text[:REPLY_TEXT_MAX] + "…", "blocks": reply_blocks(reply.text)}
    return {"text": safe(reply.text)}


async def _finished(accepted: asyncio.Future[T]) -> T | None:
    """The accepted work's result; None when it broke (logged here, once)."""
    try:
        return await accepted
    except Exception:
        log.exception("an accepted request failed")
        return None


def is_removal(event: Any) -> bool:
    """An `app_uninstalled`, or a `tokens_revoked` naming the bot's token. Only the bot token
    matters: without it nothing can be sent, so the workspace is gone. Its `bot` is a list of
    bot user ids, never a bare string (which once erased a workspace)."""
    if not isinstance(event, dict):
        return False
    if event.get("type") == "app_uninstalled":
        return True
    tokens = event.get("tokens")
    revoked = tokens.get("bot") if isinstance(tokens, dict) else None
    return event.get("type") == "tokens_revoked" and isinstance(revoked, list) and bool(revoked)


async def erase_workspace(slack: Slack, body: dict[str, Any], tenant: TenantRef) -> None:
    """The workspace removed the app: its data and installation go."""
    event_id = body.get("event_id")
    # When Slack saw the removal: a retry that arrives after the app was added back must
    # not erase the new install's data or token.
    stamp = body.get("event_time")
    happened_at = None
    if isinstance(stamp, int) and 0 <= stamp < 2**40:  # 1e20 is no time a datetime can hold
        happened_at = datetime.fromtimestamp(stamp, UTC)
    delivery_id = str(event_id) if event_id else None
    # Its data and its installation, in one transaction (also a workspace with no data yet).
    await slack.jembatan.uninstall(tenant, delivery_id=delivery_id, happened_at=happened_at)


class Listeners:
    """One method per kind of request; each reads the request's body and Bolt's context (which
    carries `ack`, `respond` and the workspace's `client`)."""

    def __init__(self, slack: Slack) -> None:
        self.slack = slack

    async def _handle(
        self, context: AsyncBoltContext, body: dict[str, Any], command: c.Command, channel: str | None = None
    ) -> tuple[c.Actor, Reply]:
        """The command carried out for whoever sent `body`; its trigger_id is the delivery id."""
        tenant = tenant_of(context)
        # A slash command's form names the person at the top; an interaction (click, form) in `user`.
        user_id = body["user_id"] if "command" in body else body["user"]["id"]
        admin = False
        if isinstance(command, c.ADMIN_COMMANDS):
            admin = await self.slack.directory.is_platform_admin(tenant, user_id)
        delivery_id = body.get("trigger_id")
        actor = c.Actor(tenant, user_id, _channel(channel), is_platform_admin=admin, delivery_id=delivery_id)
        return actor, await handle(self.slack.deps, actor, command)

    async def _status(self, tenant: TenantRef, user_id: str) -> str:
        """What the Home tab shows: the person's status in the core's own words."""
        return (await handle(self.slack.deps, c.Actor(tenant, user_id), c.Status())).text

    async def _answer(self, context: AsyncBoltContext, reply: Reply | str) -> None:
        """The answer only the person sees, where their request came from (its response_url);
        `reply` is the core's, or the catalogue key of what to say when there is none."""
        url = getattr(context.respond, "response_url", None)
        if url is None:
            return  # nowhere to answer: the command acted, the reply has no place to appear
        reply = Reply(self.slack.says(reply)) if isinstance(reply, str) else reply
        answer = {"response_type": "ephemeral", "replace_original": False, **_reply_message(reply)}
        try:  # one kept-alive session for every answer, instead of a new connection each time
            await AsyncWebhookClient(url, session=self.slack.session()).send_dict(answer)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            # The command has acted already; only the private answer is lost.
            log.warning("could not answer through response_url: %s", type(error).__name__)

    async def _send_files(self, actor: c.Actor, reply: Reply) -> None:
        # Exports and charts go to the person privately, in their DM with the app.
        for attachment in reply.attachments:
            try:
                await self.slack.messenger.send_file(actor.tenant, actor.user_id, attachment)
            except DeliveryFailed as failure:
                log.warning("could not upload %s: %s", attachment.filename, failure.reason)

    async def _division_named(self, context: AsyncBoltContext, value: str) -> str | None:
        known = await self.slack.divisions(tenant_of(context)) if value.startswith(page.KNOWN) else []
        return page.division_named(value, known)

    async def _publish_home(
        self, context: AsyncBoltContext, user_id: str, status: str, note: str | None
    ) -> None:
        await context.client.views_publish(
            user_id=user_id, view=home.home_view(status, self.slack.lang, note)
        )

    async def _show_home(
        self, context: AsyncBoltContext, user_id: str, accepted: asyncio.Future[HomeShown] | None
    ) -> None:
        """Draw the Home tab once its status is read, or say why it could not be."""
        if accepted is None:
            status, note = self.slack.says("error.busy"), None
        else:
            done = await _finished(accepted)
            if done is None and not accepted.exception():
                return  # a retried event: the first delivery draws the tab
            status, note = done if done is not None else (self.slack.says("error.failed"), None)
        await self._publish_home(context, user_id, status, note)

    async def command(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        parsed = grammar.parse(body.get("text") or "", escaped=True)
        if isinstance(parsed, grammar.OpenProfile):
            await context.ack()
            # trigger_id expires within seconds: open the modal before anything else.
            modal = home.profile_modal(self.slack.lang, body.get("response_url") or "")
            await context.client.views_open(trigger_id=body["trigger_id"], view=modal)
            return
        accepted = self.slack.offer(
            tenant_of(context), lambda: self._handle(context, body, parsed, body.get("channel_id"))
        )
        if accepted is None:
            await context.ack(text=self.slack.says("error.busy"))  # shown at once, only to the person
            return
        await context.ack()
        done = await _finished(accepted)
        await self._answer(context, done[1] if done is not None else "error.failed")
        if done is not None:
            await self._send_files(*done)

    async def button(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await context.ack()
        action_id = str(body["actions"][0].get("action_id", ""))
        command = command_for(action_id)
        if command is None:
            return  # looks like ours but does not decode: tampered or from an old version
        accepted = self.slack.offer(tenant_of(context), lambda: self._handle(context, body, command))
        if accepted is None:
            # A click's acknowledgement carries no text; the answer goes where the click's would.
            await self._answer(context, "error.busy")
            return
        if (done := await _finished(accepted)) is None:
            await self._answer(context, "error.failed")
            return
        reply = done[1]
        message, container = body.get("message") or {}, body.get("container") or {}
        blocks = message.get("blocks") or []
        # Everyone in the conversation sees the new status. A click on the button that wrote the
        # status already (the partner's second "we met") changes nothing, so nothing is re-sent.
        if reply.update and container.get("message_ts") and status_cause(blocks) != action_id:
            await context.client.chat_update(
                channel=container["channel_id"],
                ts=container["message_ts"],
                text=message.get("text") or reply.update,
                blocks=with_status(blocks, reply.update, action_id),
            )
        await self._answer(context, reply)

    async def home_control(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await context.ack()
        action, user_id = body["actions"][0], body["user"]["id"]
        command = page.command_for(action["action_id"])
        if action["action_id"] == page.DIVISION:
            named = await self._division_named(context, action["selected_option"]["value"])
            if named is None:
                status = await self._status(tenant_of(context), user_id)
                await self._publish_home(
                    context, user_id, status, self.slack.says("profile.form.division_unread")
                )
                return
            command = c.SetDivision(named)
        if isinstance(command, grammar.OpenProfile):
            modal = home.profile_modal(self.slack.lang, home.FROM_HOME)
            await context.client.views_open(trigger_id=body["trigger_id"], view=modal)
            return
        if command is None:
            return
        clicked = command

        async def work() -> HomeShown:
            actor, reply = await self._handle(context, body, clicked)
            return await self._status(actor.tenant, user_id), reply.text

        await self._show_home(context, user_id, self.slack.offer(tenant_of(context), work))

    async def division_options(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        known = await self.slack.divisions(tenant_of(context))
        await context.ack(options=home.division_options(str(body.get("value") or ""), known))

    async def _read_form(
        self, context: AsyncBoltContext, view: dict[str, Any]
    ) -> tuple[c.UpdateProfile, dict[str, str]]:
        """The form with its division read back from the select, and what to show under each
        field that the core would refuse (the form stays open, with what was typed)."""
        form = forms.profile(home.profile_fields((view.get("state") or {}).get("values") or {}))
        if form.division is not None:
            named = await self._division_named(context, form.division)
            if named is None:
                return form, {forms.DIVISION: self.slack.says("profile.form.division_unread")}
            form = replace(form, division=named)
        t = texts(self.slack.lang)
        return form, {key: t(p.key, **p.params)[:ERROR_TEXT_MAX] for key, p in forms.problems(form).items()}

    async def profile(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        view = body["view"]
        form, errors = await self._read_form(context, view)
        if errors:
            await context.ack(response_action="errors", errors=errors)
            return
        user_id, origin = body["user"]["id"], str(view.get("private_metadata") or "")

        async def work() -> tuple[Reply, str | None]:
            actor, reply = await self._handle(context, body, form)
            return reply, await self._status(actor.tenant, user_id) if origin == home.FROM_HOME else None

        accepted = self.slack.offer(tenant_of(context), work)
        if accepted is None:
            # The form stays open with the reason, so nothing typed is lost.
            busy = self.slack.says("error.busy")[:ERROR_TEXT_MAX]
            await context.ack(response_action="errors", errors={forms.DIVISION: busy})
            return
        await context.ack()
        done = await _finished(accepted)
        reply, status = done if done is not None else (Reply(self.slack.says("error.failed")), None)
        if origin == home.FROM_HOME:
            shown, note = (status, reply.text) if status is not None else (reply.text, None)
            await self._publish_home(context, user_id, shown, note)
        elif origin.startswith(("https://", "http://")):
            # The slash command's response_url (valid 30 minutes): the answer appears where it was asked.
            await AsyncWebhookClient(origin).send_dict(
                {"response_type": "ephemeral", **_reply_message(reply)}
            )

    # Slack retries an event it thinks went unanswered (X-Slack-Retry-Num) with the same
    # event_id; the id is claimed like a command's trigger_id, so a retry does nothing.
    async def home_opened(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body["event"]
        if event.get("tab", "home") != "home":
            return
        tenant, event_id, user_id = tenant_of(context), body.get("event_id"), event["user"]

        async def work() -> HomeShown:
            if event_id and not await claim_delivery(self.slack.deps, tenant, str(event_id)):
                return None
            return await self._status(tenant, user_id), None

        await self._show_home(context, user_id, self.slack.offer(tenant, work))

    async def removed(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """`app_uninstalled`, and `tokens_revoked` (which only counts when it names the bot's token)."""
        if is_removal(body.get("event")):
            await erase_workspace(self.slack, body, tenant_of(context))


def register(app: AsyncApp, listen: Listeners) -> None:
    app.command(re.compile(r"^/"))(listen.command)
    app.action(OUR_BUTTONS)(listen.button)
    app.action(HOME_CONTROLS)(listen.home_control)
    app.options(page.DIVISION)(listen.division_options)
    app.view(home.PROFILE_CALLBACK)(listen.profile)
    app.event("app_home_opened")(listen.home_opened)
    app.event("app_uninstalled")(listen.removed)
    app.event("tokens_revoked")(listen.removed)
