"""The Discord client: `/jembatan` subcommands, the profile form and buttons in; the core's replies out."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord import parse, render
from adapters.discord.slash import JembatanCommands
from bot import catalog
from bot import commands as c
from bot.app import Jembatan, forget_absent, handle, metrics
from bot.domain.lengths import cut as clip
from bot.domain.model import Lang, Platform, TenantRef
from bot.i18n import texts
from bot.messages import Reply

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
ACK_WITHIN = 2.0  # Discord wants an answer within 3 s; work still running by then is deferred
NO_PINGS = discord.AllowedMentions.none()
IDENTIFY_EVERY = 5.0  # seconds: Discord starts one session per 5 s in each identify bucket
MALFORMED = (
    app_commands.CommandSignatureMismatch,
    app_commands.CommandNotFound,
    app_commands.TransformerError,
)


def tenant_of(guild_id: int | str) -> TenantRef:
    return TenantRef(Platform.DISCORD, str(guild_id))


def _acked(arrived: float) -> None:
    """The interaction has its first answer (a reply or a deferral): Discord's 3-second clock stops."""
    metrics.ACK_SECONDS.labels("discord").observe(time.monotonic() - arrived)


class JembatanClient(discord.AutoShardedClient):
    """Needs no privileged intent: commands and clicks arrive as interactions; `guilds` tells us
    when the bot is removed from a server.

    Sharded: one gateway connection serves up to 2,500 servers, and Discord refuses a bot in
    more that connects with fewer shards than it requires. This one process opens every shard
    (the gateway lock keeps any other process standing by); `shards` None opens as many as
    Discord recommends (GET /gateway/bot, asked at each login), a number opens that many."""

    def __init__(
        self,
        app: Jembatan | None = None,
        *,
        admin_role_id: int | None = None,
        on_setup: Callable[[], Awaitable[None]] | None = None,
        shards: int | None = None,
        **options: Any,
    ) -> None:
        # Jembatan has no voice, so discord.py's warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        options.setdefault("max_ratelimit_timeout", 30.0)  # longer waits go back to the relay's schedule
        super().__init__(intents=intents, allowed_mentions=NO_PINGS, shard_count=shards, **options)
        self.shards_wanted = shards
        self._fresh_events()
        # Session starts Discord allows at once (/gateway/bot's max_concurrency), and when each
        # identify bucket (shard id modulo it) last started one.
        self._concurrency = 1
        self._identified_at: dict[int, float] = {}
        self._identify_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.app = app
        self.admin_role_id = admin_role_id
        self._on_setup = on_setup
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(JembatanCommands())
        self.tree.on_error = self._command_failed  # type: ignore[method-assign]
        self.tree.interaction_check = self._well_formed  # type: ignore[method-assign]
        self._in_flight: set[asyncio.Future[Any]] = set()  # core work a shutdown waits for
        self._answering: set[asyncio.Task[Any]] = set()  # commands being carried out and answered
        self.servers_checked = asyncio.Event()  # set once the login's server check is done

    def clear(self) -> None:
        """Ready to log in again after close(). discord.py 2.7 keeps the closed session's
        connector, and a new session on it fails with "Session is closed"."""
        super().clear()
        self.http.connector = discord.utils.MISSING
        self._fresh_events()

    def _fresh_events(self) -> None:
        # discord.py makes the sharded client's event queue at the first login only, and close()
        # leaves a "closed" event in it: the next connect would read it and end at once. A
        # standby that never logged in must be able to close() too, so there is one from the start.
        self._AutoShardedClient__queue: asyncio.PriorityQueue[Any] = asyncio.PriorityQueue()

    async def connect(self, *, reconnect: bool = True) -> None:
        """Opens every shard. With no count set, Discord's recommendation is asked first, so a
        bot that has grown past a shard's 2,500 servers opens more at its next login. The
        gateway's address stays discord.py's (or DISCORD_GATEWAY_URL), as without sharding."""
        shards, _url, limits = await self.http.get_bot_gateway()
        self._concurrency = max(1, int(limits.get("max_concurrency", 1)))
        if self.shards_wanted is None:
            self.shard_count = max(1, shards)
        log.info("opening %d gateway shard(s)", self.shard_count)
        await super().connect(reconnect=reconnect)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord starts at most one session per 5 s in each bucket (shard id modulo
        # max_concurrency), so shards in different buckets identify at once; discord.py's own
        # hook waits 5 s before every shard but the first, whatever the bucket.
        bucket = (shard_id or 0) % self._concurrency
        async with self._identify_locks[bucket]:
            last = self._identified_at.get(bucket, -math.inf)
            wait = last + IDENTIFY_EVERY - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._identified_at[bucket] = time.monotonic()

    async def setup_hook(self) -> None:
        # Runs after every login, before the gateway connects; on_ready would run again on reconnects.
        self.add_dynamic_items(render.ActionButton)
        if self._on_setup is not None:
            await self._on_setup()

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        # GUILD_DELETE without `unavailable`: the bot was removed, so the server's data goes.
        assert self.app is not None
        await self.app.uninstall(tenant_of(guild.id))

    async def on_ready(self) -> None:
        # READY lists every server the bot is in (one in an outage as an unavailable stub), so a
        # server we hold data for that is not listed removed the bot while it was offline. Erasing
        # is idempotent, so the READY of a later reconnect repeating this does no harm. Sharded,
        # discord.py calls this once every shard this process opens has had its READY, so the
        # list is every shard's; a shard that identifies again alone does not call it.
        try:
            if self.app is None:
                return
            listed_at = self.app.deps.now()
            work = asyncio.ensure_future(
                forget_absent(self.app.deps, Platform.DISCORD, [str(g.id) for g in self.guilds], listed_at)
            )
            self._in_flight.add(work)
            work.add_done_callback(self._in_flight.discard)
            erased = await work
            if erased:
                log.warning("erased %d server(s) that removed the bot while it was offline", len(erased))
        finally:
            self.servers_checked.set()

    async def on_guild_unavailable(self, guild: discord.Guild) -> None:
        log.info("server %s is unavailable (a Discord outage); keeping its data", guild.id)

    def says(self, key: str) -> str:
        """Words for an answer the core did not give, in the default language the operator set."""
        lang = self.app.deps.default_lang if self.app is not None else Lang.EN
        return texts(lang, Platform.DISCORD.value)(key)

    def is_admin(self, interaction: Interaction) -> bool:
        """Manage Server, or the configured role; read from this very interaction, never cached."""
        if interaction.guild_id is None:
            return False
        allowed = interaction.permissions
        if allowed.manage_guild or allowed.administrator:
            return True
        member = interaction.user
        role = self.admin_role_id
        return bool(role and isinstance(member, discord.Member) and member.get_role(role) is not None)

    def actor(self, interaction: Interaction, guild_id: str | None = None) -> c.Actor | None:
        in_guild = interaction.guild_id is not None
        guild = str(interaction.guild_id) if in_guild else guild_id
        if guild is None:
            return None
        return c.Actor(
            tenant_of(guild),
            str(interaction.user.id),
            channel_id=str(interaction.channel_id) if in_guild and interaction.channel_id else None,
            is_platform_admin=self.is_admin(interaction),
            delivery_id=str(interaction.id),
        )

    async def slash(self, interaction: Interaction, entry: catalog.Entry, values: catalog.Values) -> None:
        if entry.build is None:  # the profile form: its submission is the command
            await interaction.response.send_modal(ProfileForm())
            return
        await self.carry_out(interaction, parse.slash(entry.name, values), slow=entry.slow)

    async def press(self, interaction: Interaction, custom_id: str) -> None:
        command, guild = parse.button(custom_id)
        if command is not None:
            await self.carry_out(interaction, command, guild_id=guild, update=True)

    async def carry_out(
        self,
        interaction: Interaction,
        command: c.Command,
        *,
        slow: bool = False,
        update: bool = False,
        guild_id: str | None = None,
    ) -> None:
        """Hand one command to the core and show its reply to the person only. Slow work is
        deferred first, and anything still running near Discord's 3-second limit is deferred then."""
        arrived = time.monotonic()
        actor = self.actor(interaction, guild_id)
        if actor is None or self.app is None:
            return
        # The answer, not only the work, is what a shutdown waits for (finish_work).
        answering = asyncio.current_task()
        if answering is not None:
            self._answering.add(answering)
            answering.add_done_callback(self._answering.discard)
        deps = self.app.deps
        # Through the bounded intake, as on Slack: one server's commands in order, servers side
        # by side, and past the bound an honest "busy" now rather than a "thinking…" that never ends.
        accepted = self.app.intake.offer(actor.tenant, lambda: handle(deps, actor, command))
        if accepted is None:
            await self._reply(interaction, Reply(self.says("error.busy")), update=False)
            return
        if slow:
            await self._defer(interaction, update)
            _acked(arrived)
        work = asyncio.ensure_future(accepted)
        self._in_flight.add(work)
        work.add_done_callback(self._in_flight.discard)
        if not slow:
            done, _ = await asyncio.wait({work}, timeout=ACK_WITHIN)
            if not done:
                await self._defer(interaction, update)
                _acked(arrived)
        try:
            answer = await work
        except Exception:
            log.exception("command %s failed", type(command).__name__)
            answer = Reply(self.says("error.failed"))
        answered_first = not interaction.response.is_done()
        await self._reply(interaction, answer, update)
        if answered_first:
            _acked(arrived)

    async def finish_work(self) -> None:
        """Let work already handed to the core (commands, the check at login) finish, and the
        commands be answered, before shutting down."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))
        answering = self._answering - {asyncio.current_task()}
        if answering:
            await asyncio.wait(answering)

    async def _defer(self, interaction: Interaction, update: bool) -> None:
        if not interaction.response.is_done():
            # A click defers as "updating the message"; a command as a private "thinking…".
            await interaction.response.defer(ephemeral=True, thinking=not update)

    async def _reply(self, interaction: Interaction, answer: Reply, update: bool) -> None:
        if update and answer.update:
            text = clip(answer.update, render.CONTENT)
            if interaction.response.is_done():
                await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.edit_message(content=text, allowed_mentions=NO_PINGS)
        for part in render.reply(answer):
            kwargs = part.sent_with(ephemeral=True, allowed_mentions=NO_PINGS)
            if interaction.response.is_done():
                await interaction.followup.send(**kwargs)
            else:
                await interaction.response.send_message(**kwargs)

    async def _well_formed(self, interaction: Interaction) -> bool:
        """Runs before discord.py reads a command's options: options of the wrong type, too long,
        or naming a member Discord did not resolve are refused here, not acted on or crashed on."""
        problem = parse.malformed(interaction.data)
        command = interaction.command if problem is None else None
        if isinstance(command, app_commands.Command):
            declared = {p.display_name for p in command.parameters}
            unknown = parse.option_names(interaction.data) - declared
            problem = f"unknown option {parse.loggable(sorted(unknown)[0])}" if unknown else None
        if problem is None:
            return True
        log.warning("refused a malformed interaction (%s)", problem[:64])
        if interaction.type is discord.InteractionType.application_command:
            await interaction.response.send_message(self.says("error.failed"), ephemeral=True)
        return False

    async def _command_failed(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, MALFORMED):
            # The command as Discord sent it does not match ours (a stale registration, or data
            # that is not Discord's): one line, no traceback, and nothing done.
            log.warning("refused an interaction: %s", type(error).__name__)
        else:
            log.error("/jembatan failed: %s", error, exc_info=error)
        if not interaction.response.is_done():
            await interaction.response.send_message(self.says("error.failed"), ephemeral=True)


def _client(interaction: Interaction) -> JembatanClient:
    client = interaction.client
    assert isinstance(client, JembatanClient)
    return client


class ProfileForm(discord.ui.Modal, title="Jembatan profile"):
    """Every profile field at once; an empty field leaves that part as it is."""

    division: discord.ui.Label[Any] = discord.ui.Label(
        text="Division", component=discord.ui.TextInput(custom_id="division", required=False, max_length=64)
    )
    timezone: discord.ui.Label[Any] = discord.ui.Label(
        text="Time zone (Area/City, e.g. Asia/Jakarta)",
        component=discord.ui.TextInput(custom_id="timezone", required=False, max_length=64),
    )
    interests: discord.ui.Label[Any] = discord.ui.Label(
        text="Interests, comma-separated",
        component=discord.ui.TextInput(
            custom_id="interests", required=False, max_length=400, style=discord.TextStyle.paragraph
        ),
    )

    def __init__(self) -> None:
        super().__init__(custom_id="jb:profile", timeout=900)

    async def on_submit(self, interaction: Interaction) -> None:
        def value(label: discord.ui.Label[Any]) -> str:
            component = label.component
            return component.value if isinstance(component, discord.ui.TextInput) else ""

        command = parse.profile_form(value(self.division), value(self.timezone), value(self.interests))
        await _client(interaction).carry_out(interaction, command)
