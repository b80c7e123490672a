"""The Bolt app: Slack requests in, core commands out, the core's replies shown back.

Every listener acknowledges first (Slack gives three seconds), then builds an Actor — the
workspace, the person, the channel, whether Slack calls them an owner or admin, and the
request's trigger_id as its delivery id — and hands one command to `dispatch.handle`. Events
claim their event_id the same way before they act.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import home, inbound
from adapters.slack.directory import SlackDirectory
from adapters.slack.messenger import SlackMessenger
from adapters.slack.parse import OpenProfile, Parsed, parse
from adapters.slack.render import render, reply_blocks, safe, status_cause, with_status
from bot import commands as c
from bot.actions import MeetupAction, StillInAction, decode
from bot.app import Deps, Intake, claim_delivery, handle, uninstall, validation
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts
from bot.messages import Reply
from bot.ports import DeliveryFailed

log = logging.getLogger(__name__)

Divisions = Callable[[TenantRef], Awaitable[list[str]]]
OUR_BUTTONS = re.compile(r"^jb:(meetup|stillin):")
HOME_CONTROLS = re.compile(r"^jb:home:|^jb:division$")
REPLY_TEXT_MAX = 2900
T = TypeVar("T")
HomeShown = tuple[str, str | None] | None  # the Home tab's status and note; None: nothing to draw


async def no_known_divisions(tenant: TenantRef) -> list[str]:
    return []


class _BusyLog:
    """One line a minute at most while requests are turned away, so a flood cannot fill the disk."""

    def __init__(self, every: float = 60.0) -> None:
        self._every = every
        self._last = 0.0
        self._since = 0

    def note(self, tenant: TenantRef) -> None:
        self._since += 1
        now = time.monotonic()
        if now - self._last >= self._every:
            log.warning(
                "busy: turned away %d request(s) (latest from %s); try JEMBATAN_WORKERS",
                self._since,
                tenant.external_id,
            )
            self._last, self._since = now, 0


_busy_log = _BusyLog()


@dataclass
class Edge:
    """What the listeners work with: the core, and the Slack-side ports it already uses."""

    deps: Deps
    messenger: SlackMessenger
    directory: SlackDirectory
    divisions: Divisions = no_known_divisions
    forget_installation: Callable[[TenantRef, datetime | None], Awaitable[None]] | None = None
    intake: Intake = field(default_factory=Intake)
    held: Set[TenantRef] = frozenset()  # workspaces whose stored token does not decrypt
    answering: set[asyncio.Task[Any]] = field(default_factory=set)  # listeners past their ack
    _http: aiohttp.ClientSession | None = field(default=None, repr=False)

    @property
    def lang(self) -> Lang:
        return self.deps.default_lang

    def says(self, key: str) -> str:
        # Said without asking the database (the answer to "busy" must cost nothing), so in the
        # workspace's default language rather than the program's.
        return texts(self.lang, Platform.SLACK.value)(key)

    def offer(self, tenant: TenantRef, work: Callable[[], Awaitable[T]]) -> asyncio.Future[T] | None:
        """Room for one more piece of work after the acknowledgement, or None: then the caller
        says "busy" instead of acknowledging work that would not be done."""
        accepted = self.intake.offer(tenant, work)
        if accepted is None:
            _busy_log.note(tenant)
            return None
        # The listener goes on to answer once the work is done; a shutdown waits for that too.
        listener = asyncio.current_task()
        if listener is not None:
            self.answering.add(listener)
            listener.add_done_callback(self.answering.discard)
        return accepted

    def session(self) -> aiohttp.ClientSession:
        """The HTTP session answers go out on (response_url), made on first use."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._http

    async def finish(self, grace: float = 30.0) -> None:
        """Before shutting down: let every accepted request be carried out and answered."""
        if self.answering:
            await asyncio.wait(set(self.answering), timeout=grace)
        if self._http is not None:
            await self._http.close()


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


async def _actor(
    edge: Edge,
    context: AsyncBoltContext,
    user_id: str,
    command: Parsed,
    *,
    channel: str | None,
    delivery_id: str | None,
) -> c.Actor:
    tenant = tenant_of(context)
    admin = False
    if isinstance(command, c.ADMIN_COMMANDS):
        admin = await edge.directory.is_platform_admin(tenant, user_id)
    return c.Actor(tenant, user_id, _channel(channel), is_platform_admin=admin, delivery_id=delivery_id)


def _reply_message(reply: Reply) -> dict[str, Any]:
    if reply.message is not None:
        shown = render(reply.message)
        return {"text": shown.text, "blocks": shown.blocks}
    if len(reply.text) > REPLY_TEXT_MAX:
        return {"text": reply.text[:REPLY_TEXT_MAX] + "…", "blocks": reply_blocks(reply.text)}
    return {"text": safe(reply.text)}


async def _send_files(edge: Edge, actor: c.Actor, reply: Reply) -> None:
    # Exports and charts go to the person privately, in their DM with the app.
    for attachment in reply.attachments:
        try:
            await edge.messenger.upload(actor.tenant, actor.user_id, attachment)
        except DeliveryFailed as failure:
            log.warning("could not upload %s: %s", attachment.filename, failure.reason)


async def _answer(respond: Any, reply: Reply, session: aiohttp.ClientSession | None = None) -> None:
    url = getattr(respond, "response_url", None)
    if url is None:
        return  # nowhere to answer: the command acted, the reply has no place to appear
    try:
        if session is None:
            await respond(response_type="ephemeral", replace_original=False, **_reply_message(reply))
        else:  # one kept-alive session for every answer, instead of a new connection each time
            answer = {"response_type": "ephemeral", "replace_original": False, **_reply_message(reply)}
            await AsyncWebhookClient(url, session=session).send_dict(answer)
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        # The command has acted already; only the private answer is lost.
        log.warning("could not answer through response_url: %s", type(error).__name__)


def _modal_errors(form: c.UpdateProfile, edge: Edge) -> dict[str, str]:
    """Field-by-field messages while the modal is still open, in the core's own words."""
    t = texts(edge.lang)
    checks: dict[str, tuple[str | None, Callable[[str], object]]] = {
        "division": (form.division, validation.division),
        "timezone": (form.timezone, validation.timezone),
        "interests": (form.interests, validation.interests),
    }
    errors: dict[str, str] = {}
    for block_id, (value, check) in checks.items():
        if value is None:
            continue
        try:
            check(value)
        except validation.InvalidInput as bad:
            errors[block_id] = t(bad.key, **bad.params)[:150]
    return errors


async def home_status(edge: Edge, tenant: TenantRef, user_id: str) -> str:
    """What the Home tab shows: the person's status in the core's own words."""
    return (await handle(edge.deps, c.Actor(tenant, user_id), c.Status())).text


async def _division_named(edge: Edge, context: AsyncBoltContext, value: str) -> str | None:
    known = await edge.divisions(tenant_of(context)) if value.startswith(home.KNOWN) else []
    return home.division_named(value, known)


async def publish_home(
    edge: Edge, client: AsyncWebClient, tenant: TenantRef, user_id: str, note: str | None = None
) -> None:
    status = await home_status(edge, tenant, user_id)
    await client.views_publish(user_id=user_id, view=home.home_view(status, edge.lang, note))


async def _finished(accepted: asyncio.Future[T]) -> T | None:
    """The accepted work's result; None when it broke (logged here, once)."""
    try:
        return await accepted
    except Exception:
        log.exception("an accepted request failed")
        return None


async def _show_home(
    edge: Edge,
    client: AsyncWebClient,
    user_id: str,
    accepted: asyncio.Future[HomeShown] | None,
) -> None:
    """Draw the Home tab once its status is read, or say why it could not be."""
    if accepted is None:
        view = home.home_view(edge.says("error.busy"), edge.lang)
    else:
        done = await _finished(accepted)
        if done is None and not accepted.exception():
            return  # a retried event: the first delivery draws the tab
        status, note = done if done is not None else (edge.says("error.failed"), None)
        view = home.home_view(status, edge.lang, note)
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp, edge: Edge) -> None:
    # Each listener hands the core's part (the database) to the intake and does Slack's part
    # (answers, message updates, the Home tab) itself once it is done: a slow Slack never holds
    # a worker or its database connection, and a workspace's commands still act in order.
    @app.command(re.compile(r"^/"))
    async def on_command(
        ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        parsed = parse(command.get("text") or "")
        if isinstance(parsed, OpenProfile):
            await ack()
            # trigger_id expires within seconds: open the modal before anything else.
            metadata = command.get("response_url") or ""
            await client.views_open(
                trigger_id=command["trigger_id"], view=home.profile_modal(edge.lang, metadata)
            )
            return

        async def work() -> tuple[c.Actor, Reply]:
            actor = await _actor(
                edge,
                context,
                command["user_id"],
                parsed,
                channel=command.get("channel_id"),
                delivery_id=command.get("trigger_id"),
            )
            return actor, await handle(edge.deps, actor, parsed)

        accepted = edge.offer(tenant_of(context), work)
        if accepted is None:
            await ack(text=edge.says("error.busy"))  # shown at once, only to the person
            return
        await ack()
        done = await _finished(accepted)
        if done is None:
            await _answer(respond, Reply(edge.says("error.failed")), edge.session())
            return
        actor, reply = done
        await _answer(respond, reply, edge.session())
        await _send_files(edge, actor, reply)

    @app.action(OUR_BUTTONS)
    async def on_button(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Any,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        decoded = decode(str(action.get("action_id", "")))
        match decoded:
            case MeetupAction(group_id, outcome):
                command: c.Command = c.RecordOutcome(group_id, outcome.value)
            case StillInAction(program_id, choice):
                command = c.AnswerStillIn(program_id, choice)
            case None:
                return  # looks like ours but does not decode: tampered or from an old version

        async def work() -> Reply:
            actor = await _actor(
                edge, context, body["user"]["id"], command, channel=None, delivery_id=body.get("trigger_id")
            )
            return await handle(edge.deps, actor, command)

        accepted = edge.offer(tenant_of(context), work)
        if accepted is None:
            # A click's acknowledgement carries no text; the answer goes where the click's would.
            await _answer(respond, Reply(edge.says("error.busy")), edge.session())
            return
        reply = await _finished(accepted)
        if reply is None:
            await _answer(respond, Reply(edge.says("error.failed")), edge.session())
            return
        message = body.get("message") or {}
        container = body.get("container") or {}
        blocks = message.get("blocks") or []
        # Everyone in the conversation sees the new status. A click on the button that wrote the
        # status already (the partner's second "we met") changes nothing, so nothing is re-sent.
        action_id = str(action["action_id"])
        if reply.update and container.get("message_ts") and status_cause(blocks) != action_id:
            await client.chat_update(
                channel=container["channel_id"],
                ts=container["message_ts"],
                text=message.get("text") or reply.update,
                blocks=with_status(blocks, reply.update, action_id),
            )
        await _answer(respond, reply, edge.session())

    @app.action(HOME_CONTROLS)
    async def on_home_control(
        ack: Any,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        command = home.home_command(action)
        if command is None:
            return
        user_id = body["user"]["id"]
        if isinstance(command, home.PickDivision):
            named = await _division_named(edge, context, command.value)
            if named is None:
                unread = home.LABELS[edge.lang]["division_unread"]
                await publish_home(edge, client, tenant_of(context), user_id, note=unread)
                return
            command = c.SetDivision(named)
        if isinstance(command, OpenProfile):
            modal = home.profile_modal(edge.lang, home.FROM_HOME)
            await client.views_open(trigger_id=body["trigger_id"], view=modal)
            return
        home_command = command

        async def work() -> HomeShown:
            actor = await _actor(
                edge, context, user_id, home_command, channel=None, delivery_id=body.get("trigger_id")
            )
            reply = await handle(edge.deps, actor, home_command)
            return await home_status(edge, actor.tenant, user_id), reply.text

        await _show_home(edge, client, user_id, edge.offer(tenant_of(context), work))

    @app.options(home.DIVISION_ACTION)
    async def on_division_options(ack: Any, payload: dict[str, Any], context: AsyncBoltContext) -> None:
        known = await edge.divisions(tenant_of(context))
        await ack(options=home.division_options(str(payload.get("value") or ""), known))

    @app.view(home.PROFILE_CALLBACK)
    async def on_profile(
        ack: Any,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        form = home.profile_command((view.get("state") or {}).get("values") or {})
        if form.division is not None:
            named = await _division_named(edge, context, form.division)
            if named is None:
                await ack(
                    response_action="errors", errors={"division": home.LABELS[edge.lang]["division_unread"]}
                )
                return
            form = replace(form, division=named)
        errors = _modal_errors(form, edge)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        user_id = body["user"]["id"]
        origin = str(view.get("private_metadata") or "")

        async def work() -> tuple[Reply, str | None]:
            actor = await _actor(
                edge, context, user_id, form, channel=None, delivery_id=body.get("trigger_id")
            )
            reply = await handle(edge.deps, actor, form)
            status = await home_status(edge, actor.tenant, user_id) if origin == home.FROM_HOME else None
            return reply, status

        accepted = edge.offer(tenant_of(context), work)
        if accepted is None:
            # The form stays open with the reason, so nothing typed is lost.
            await ack(response_action="errors", errors={"division": edge.says("error.busy")[:150]})
            return
        await ack()
        done = await _finished(accepted)
        reply, status = done if done is not None else (Reply(edge.says("error.failed")), None)
        if origin == home.FROM_HOME:
            shown = status if status is not None else reply.text
            note = reply.text if status is not None else None
            await client.views_publish(user_id=user_id, view=home.home_view(shown, edge.lang, note))
        elif origin.startswith(("https://", "http://")):
            # The slash command's response_url (valid 30 minutes): the answer appears where it was asked.
            await AsyncWebhookClient(origin).send_dict(
                {"response_type": "ephemeral", **_reply_message(reply)}
            )

    # Slack retries an event it thinks went unanswered (X-Slack-Retry-Num) with the same
    # event_id; the id is claimed like a command's trigger_id, so a retry does nothing.
    @app.event("app_home_opened")
    async def on_home_opened(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        tenant = tenant_of(context)
        event_id = body.get("event_id")
        user_id = event["user"]

        async def work() -> HomeShown:
            if event_id and not await claim_delivery(edge.deps, tenant, str(event_id)):
                return None
            return await home_status(edge, tenant, user_id), None

        await _show_home(edge, client, user_id, edge.offer(tenant, work))

    async def removed(body: dict[str, Any], context: AsyncBoltContext) -> None:
        await erase_workspace(edge, body, tenant_of(context))

    @app.event("app_uninstalled")
    async def on_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
        await removed(body, context)

    @app.event("tokens_revoked")
    async def on_tokens_revoked(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if is_removal(event):
            await removed(body, context)


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


async def erase_workspace(edge: Edge, body: dict[str, Any], tenant: TenantRef) -> None:
    """The workspace removed the app: its data and installation go."""
    event_id = body.get("event_id")
    # When Slack saw the removal: a retry that arrives after the app was added back must
    # not erase the new install's data or token.
    stamp = body.get("event_time")
    happened_at = None
    if isinstance(stamp, int) and 0 <= stamp < 2**40:  # 1e20 is no time a datetime can hold
        happened_at = datetime.fromtimestamp(stamp, UTC)
    await uninstall(
        edge.deps, tenant, delivery_id=str(event_id) if event_id else None, happened_at=happened_at
    )
    # Also when nothing was erased: a workspace that installed but never used Jembatan has
    # an installation and no data. Forgetting it twice deletes nothing the second time.
    if edge.forget_installation is not None:
        await edge.forget_installation(tenant, happened_at)


class _NoBodies(logging.Filter):
    """Bolt logs an unhandled request with its body; people's words stay out of our logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Unhandled request"):
            record.msg, record.args = "Unhandled request (body not logged)", None
        # We hand Bolt its client on purpose (it carries SLACK_BOT_TOKEN already); Bolt warns
        # that the token it also found in the environment goes unused, which reads like a mistake.
        return not (isinstance(record.msg, str) and record.msg.startswith("As you gave `client` as well"))


def build_app(
    edge: Edge,
    *,
    client: AsyncWebClient,
    signing_secret: str,
    oauth_flow: AsyncOAuthFlow | None = None,
    process_before_response: bool = False,
) -> AsyncApp:
    """The Bolt app with an explicit client (so SLACK_API_URL and the retry handlers hold for
    every request) and explicit secrets (so Bolt never reads them from the environment itself)."""
    logger = logging.getLogger("adapters.slack.bolt")
    if not any(isinstance(f, _NoBodies) for f in logger.filters):
        logger.addFilter(_NoBodies())

    async def held_back(
        context: AsyncBoltContext,
        body: dict[str, Any],
        response: BoltResponse,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse:
        # Before Bolt looks the installation up: a token our key cannot read must not read as
        # "not installed", which Bolt answers by asking people to reinstall.
        try:
            held = tenant_of(context) in edge.held
        except ValueError:
            held = False
        if not held:
            await next()
            return response
        if body.get("type") == "event_callback" and is_removal(body.get("event")):
            # No token is needed to forget a workspace: a removal is honoured even while its
            # token cannot be read (otherwise Slack, answered 200, would never say it again).
            await erase_workspace(edge, body, tenant_of(context))
            return BoltResponse(status=200, body="")
        if body.get("command"):
            shown = json.dumps({"response_type": "ephemeral", "text": edge.says("error.unavailable")})
            return BoltResponse(status=200, body=shown, headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")

    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        oauth_flow=oauth_flow,
        process_before_response=process_before_response,
        name="jembatan",
        logger=logger,
        before_authorize=held_back if oauth_flow is not None else None,
    )
    refusals = inbound.RefusalLog()

    @app.middleware
    async def well_formed(body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        # HTTP mode checks this at its edge (server.py) already; Socket Mode's requests come
        # straight from the SDK, and a malformed one must not reach a listener either.
        try:
            inbound.check(body)
        except inbound.Refused as refused:
            refusals("socket", refused.reason)
            return BoltResponse(status=200, body="")  # acknowledged, so Slack does not send it again
        return await next()

    register(app, edge)
    return app
