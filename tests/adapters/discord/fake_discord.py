"""A local Discord for the real discord.py client: a REST server and a gateway WebSocket in one
aiohttp app, plus builders for the payloads Discord sends. Everything that depends on Discord's
wire format lives here, so a discord.py upgrade touches this one file.

REST: JSON replies carry `Content-Type: application/json` exactly (discord.py reads nothing
else as JSON); 429s carry `Via` (without it discord.py assumes a Cloudflare ban and gives up).
Gateway: plain JSON text frames: HELLO → IDENTIFY → READY → GUILD_CREATE → dispatches, honouring
the intents the client identified with; RECONNECT, then RESUME → RESUMED (or INVALID_SESSION).
Sharded as Discord shards: GET /gateway/bot recommends `shards`; each connection identifies with
`shard: [id, count]` and gets the servers whose `(guild_id >> 22) % count` is its id, and their
events; fewer shards than `shards_required` is closed with 4011, a shard id out of range with 4010.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.specs import Violation, discord_spec
from tests.specs.watch import watch

API = "/api/v10"
APP_ID = 1100000000000000001
BOT_ID = APP_ID
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token"  # base64 of the bot id, like a real token
NOW = "2026-11-27T03:00:00.000000+00:00"
EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view, send, use application commands
GUILDS_INTENT = 1 << 0
GUILD_EVENTS = frozenset({"GUILD_CREATE", "GUILD_DELETE"})  # what the guilds intent subscribes to

Json = dict[str, Any]


def user_payload(user_id: int, name: str | None = None, *, bot: bool = False) -> Json:
    name = name or f"user{user_id}"
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


BOT_USER = user_payload(BOT_ID, "jembatan", bot=True)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Json | None
    files: list[str]


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: Json
    headers: dict[str, str]
    times: int  # -1: every time


@dataclass
class Answer:
    """What the person who ran a command or clicked a button saw."""

    callbacks: list[Json] = field(default_factory=list)  # interaction callbacks, in order
    followups: list[Json] = field(default_factory=list)
    edits: list[Json] = field(default_factory=list)  # PATCH …/messages/@original
    files: list[str] = field(default_factory=list)

    @property
    def kind(self) -> int:
        return self.callbacks[0]["type"] if self.callbacks else 0

    def _messages(self) -> list[Json]:
        first = [c.get("data") or {} for c in self.callbacks if c["type"] == 4]
        return first + self.followups

    @property
    def text(self) -> str:
        return "\n".join(m.get("content") or "" for m in self._messages())

    @property
    def embeds(self) -> list[Json]:
        return [e for m in self._messages() for e in m.get("embeds") or []]

    @property
    def ephemeral(self) -> bool:
        messages = self._messages()
        deferred = [c for c in self.callbacks if c["type"] == 5]
        flags = [m.get("flags", 0) for m in messages] + [
            (c.get("data") or {}).get("flags", 0) for c in deferred
        ]
        return bool(flags) and all(f & EPHEMERAL for f in flags)

    @property
    def update(self) -> str | None:
        """The new content of the clicked message, however the client chose to send it."""
        for c in self.callbacks:
            if c["type"] == 7:
                return (c.get("data") or {}).get("content")
        return self.edits[-1].get("content") if self.edits else None


class FakeDiscord:
    def __init__(self, guild_id: int = 900000000000000001) -> None:
        self.guild_id = guild_id
        self._ids = itertools.count(1200000000000000000)
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.channels: dict[int, Json] = {}
        self.members: dict[int, Json] = {}  # user id → guild member payload
        self.messages: dict[int, list[Json]] = {}  # channel id → messages, in order
        self.thread_members: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}  # user id → DM channel id
        self.answers: dict[str, Answer] = {}  # interaction token → what came back
        self.identifies = 0
        self.identified: list[tuple[int, int]] = []  # each IDENTIFY's [shard id, shard count]
        self.identified_at: list[float] = []  # and when it came (time.monotonic())
        self.intents: int | None = None  # from the latest IDENTIFY
        self.shards = 1  # what GET /gateway/bot recommends
        self.shards_required = 1  # fewer than this: the IDENTIFY is closed with 4011
        self.max_concurrency = 1  # sessions Discord starts at once (/gateway/bot)
        self.guild_ids = [guild_id]  # every server the bot is in (add_guild adds more)
        self.resumes = 0  # sessions resumed (RESUMED sent)
        self.resumable = True  # False: a RESUME is answered with INVALID_SESSION, so the client identifies
        self.in_guild = True  # False: the bot was removed from the server; READY no longer lists it
        self.guild_available = True  # False: an outage; READY lists the server, no GUILD_CREATE
        self.command_sets: list[tuple[int | None, list[Json]]] = []
        self.violations: list[Violation] = []  # requests Discord's spec refuses
        watch(self)  # a violation fails the test that caused it (tests/conftest.py)
        self._nonces: dict[tuple[int, str], Json] = {}
        self._sockets: dict[int, web.WebSocketResponse] = {}  # by shard id, once identified
        self._sessions: dict[str, int] = {}  # session id → its shard, for RESUME
        self._count = 1  # the shard count of the latest IDENTIFY
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.middlewares: list[Any] = []  # aiohttp middlewares, for tests that act mid-request
        self.base = ""
        self._roles: dict[int, Json] = {}
        self.program_channel = self.add_channel("pairs")
        self.add_member(BOT_ID, "jembatan")
        # OAuth2 sign-in (the dashboard): the app's credentials, who is signed in to discord.com
        # in the test's browser (None: they press Cancel), and each person's servers as
        # /users/@me/guilds lists them (MyGuildResponse).
        self.client_id = str(APP_ID)
        self.client_secret = "fake-discord-client-secret"
        self.browser_user: int | None = None
        self.user_guilds: dict[int, list[Json]] = {}
        self.oauth_codes: dict[str, tuple[int, str]] = {}  # code → (user, redirect_uri)
        self.bearers: dict[str, int] = {}  # access token → user

    def add_user_guild(
        self, user_id: int, guild_id: int, name: str, permissions: int, owner: bool = False
    ) -> None:
        self.user_guilds.setdefault(user_id, []).append(
            {
                "id": str(guild_id),
                "name": name,
                "icon": None,
                "banner": None,
                "owner": owner,
                "permissions": str(permissions),
                "features": [],
            }
        )

    # Setup -------------------------------------------------------------------------------------

    def snowflake(self) -> int:
        return next(self._ids)

    def add_channel(self, name: str, guild_id: int | None = None) -> int:
        channel_id = self.snowflake()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id or self.guild_id),
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        return channel_id

    def add_member(self, user_id: int, name: str | None = None, *, roles: tuple[int, ...] = ()) -> Json:
        member = {
            "user": user_payload(user_id, name, bot=user_id == BOT_ID),
            "nick": None,
            "avatar": None,
            "roles": [str(r) for r in roles],
            "joined_at": NOW,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        self.members[user_id] = member
        return member

    def add_guild(self, shard: int, of: int) -> tuple[int, int]:
        """Another server the bot is in, on `shard` when there are `of` shards: its id and the
        id of its one text channel."""
        guild_id = next(g for g in itertools.count(self.snowflake()) if shard_of(g, of) == shard)
        self.guild_ids.append(guild_id)
        return guild_id, self.add_channel("pairs", guild_id)

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Json,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        self.faults.append(Fault(method, re.compile(path), status, body, headers or {}, times))

    def rate_limit(self, method: str, path: str, retry_after: float, *, times: int = 1) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        self.fail(
            method,
            path,
            429,
            body,
            headers={"Via": "1.1 google", "Retry-After": str(retry_after)},
            times=times,
        )

    def forbid(self, method: str, path: str, code: int, message: str, *, times: int = -1) -> None:
        self.fail(method, path, 403, {"message": message, "code": code}, times=times)

    # Server ------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024, middlewares=self.middlewares)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/oauth2/authorize", self._oauth_authorize)
        app.router.add_post("/api/oauth2/token", self._oauth_token)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    @property
    def api_url(self) -> str:
        return self.base + API

    @property
    def gateway_url(self) -> str:
        return self.base.replace("http", "ws", 1) + "/gateway"

    async def close(self) -> None:
        for ws in list(self._sockets.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, condition: Callable[[], Any], within: float = 10.0) -> Any:
        async def until() -> Any:
            async with self._changed:
                while not (result := condition()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(until(), within)

    # Gateway -----------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif payload["op"] == 2:
                await self._identify(ws, payload["d"])
            elif payload["op"] == 6:
                await self._resume(ws, payload["d"])
        for shard, open_ws in list(self._sockets.items()):
            if open_ws is ws:
                del self._sockets[shard]
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: Json) -> None:
        shard, count = data.get("shard") or (0, 1)
        if count < self.shards_required:
            await ws.close(code=4011, message=b"Sharding required.")
            return
        if not 0 <= shard < count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return
        self.identifies += 1
        self.identified.append((shard, count))
        self.identified_at.append(time.monotonic())
        self.intents = data["intents"]
        self._count = count
        self._sockets[shard] = ws
        await self._ready(ws, shard, count)

    async def _ready(self, ws: web.WebSocketResponse, shard: int, count: int) -> None:
        session = f"session-{self.identifies}"
        self._sessions[session] = shard
        mine = [g for g in self.guild_ids if shard_of(g, count) == shard]
        if not self.in_guild and self.guild_id in mine:
            mine.remove(self.guild_id)
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": session,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "shard": [shard, count],
        }
        await self._send(ws, "READY", ready)
        for guild in mine:
            available = self.guild_available or guild != self.guild_id
            if available and self._subscribed("GUILD_CREATE"):
                await self._send(ws, "GUILD_CREATE", self.guild_payload(guild))
        await self._changed_now()

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        if self.resumable:
            self.resumes += 1
            self._sockets[self._sessions.get(data.get("session_id", ""), 0)] = ws
            await self._send(ws, "RESUMED", {})
        else:  # the session is gone: the client must IDENTIFY again and gets a new READY
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
        await self._changed_now()

    def _subscribed(self, event: str) -> bool:
        # Discord sends guild events only to a client that identified with the guilds intent.
        return event not in GUILD_EVENTS or bool((self.intents or 0) & GUILDS_INTENT)

    async def reconnect(self) -> None:
        """Op 7 RECONNECT, as Discord sends before moving a session: the client resumes it."""
        ws = await self.connected()
        await ws.send_str(json.dumps({"op": 7, "d": None, "s": None, "t": None}))

    def _gateway_bot(self) -> Json:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000}
        return {
            "url": self.gateway_url,
            "shards": self.shards,
            "session_start_limit": limit | {"max_concurrency": self.max_concurrency},
        }

    def guild_payload(self, guild_id: int | None = None) -> Json:
        guild_id = guild_id or self.guild_id
        return {
            "id": str(guild_id),
            "name": "Acme",
            "icon": None,
            "owner_id": "1",
            "roles": [
                {
                    "id": str(guild_id),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                },
                *(self._roles.values()),
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)],
            "threads": [],
            "members": [self.members[BOT_ID]],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "joined_at": NOW,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
        }

    def add_role(self, name: str, permissions: int = 0) -> int:
        role_id = self.snowflake()
        self._roles[role_id] = {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": len(self._roles) + 1,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return role_id

    async def _send(self, ws: web.WebSocketResponse, event: str, data: Json) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def connected(self, guild_id: int | None = None) -> web.WebSocketResponse:
        """The open connection of the shard that has the server (the bot's first by default)."""
        guild_id = guild_id or self.guild_id
        return await self.wait_for(lambda: self._sockets.get(shard_of(guild_id, self._count)))

    async def dispatch(self, event: str, data: Json) -> None:
        # A server's events go to its shard; a direct message's (no guild) to shard 0, as on Discord.
        guild = data.get("id") if event in GUILD_EVENTS else data.get("guild_id")
        ws = await (self.connected(int(guild)) if guild else self._shard_zero())
        if self._subscribed(event):
            await self._send(ws, event, data)

    @property
    def gateway_open(self) -> bool:
        """Every shard of the latest shard count has an identified connection open."""
        return all(shard in self._sockets for shard in range(self._count))

    async def _shard_zero(self) -> web.WebSocketResponse:
        return await self.wait_for(lambda: self._sockets.get(0))

    # REST --------------------------------------------------------------------------------------

    # OAuth2 (Discord's "OAuth2" reference: authorization code grant) -------------------------

    async def _oauth_authorize(self, request: web.Request) -> web.Response:
        """Discord's consent screen, already agreed to: back to the app with a code."""
        q = request.query
        scopes = set(q.get("scope", "").split())
        problems = [
            name
            for name, ok in (
                ("response_type", q.get("response_type") == "code"),
                ("client_id", q.get("client_id") == self.client_id),
                ("scope", {"identify", "guilds"} <= scopes),
                ("redirect_uri", q.get("redirect_uri", "").startswith("http")),
                ("state", bool(q.get("state"))),
            )
            if not ok
        ]
        if problems:
            self.violations.append(Violation("Discord /oauth2/authorize", ",".join(problems), "bad request"))
            return web.Response(status=400, text="invalid_request: " + ",".join(problems))
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?")
        if self.browser_user is None:
            raise web.HTTPFound(target + urlencode({"error": "access_denied", "state": q["state"]}))
        code = f"code{self.snowflake()}"
        self.oauth_codes[code] = (self.browser_user, q["redirect_uri"])
        raise web.HTTPFound(target + urlencode({"code": code, "state": q["state"]}))

    async def _oauth_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        auth = request.headers.get("Authorization", "")
        sent = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth.startswith("Basic ") else ""
        client = sent or f"{form.get('client_id', '')}:{form.get('client_secret', '')}"
        if client != f"{self.client_id}:{self.client_secret}":
            return _json({"error": "invalid_client"}, 401)
        if form.get("grant_type") != "authorization_code":
            return _json({"error": "unsupported_grant_type"}, 400)
        found = self.oauth_codes.pop(str(form.get("code", "")), None)  # a code works once
        if found is None or form.get("redirect_uri") != found[1]:
            return _json({"error": "invalid_grant"}, 400)
        token = f"bearer{self.snowflake()}"
        self.bearers[token] = found[0]
        return _json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 604800,
                "refresh_token": f"refresh{self.snowflake()}",
                "scope": "identify guilds",
            }
        )

    def _as_user(self, verb: str, path: str, auth: str) -> web.Response:
        """A request with a person's Bearer token: only what `identify` and `guilds` allow."""
        user = self.bearers.get(auth.removeprefix("Bearer "))
        if user is None:
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        if verb == "GET" and path == "/users/@me":
            member = self.members.get(user)
            return _json(member["user"] if member else user_payload(user))
        if verb == "GET" and path == "/users/@me/guilds":
            return _json(self.user_guilds.get(user, []))
        return _json({"message": "Missing Access", "code": 50001}, 403)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        self.violations += discord_spec.check(
            request.method, path, request.query, request.headers, body, files
        )
        self.calls.append(Call(request.method, path, dict(request.query), body, files))
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return self._as_user(request.method, path, auth)
        try:
            for fault in self.faults:
                if fault.times and fault.method == request.method and fault.path.fullmatch(path):
                    fault.times -= 1 if fault.times > 0 else 0
                    return _json(fault.body, fault.status, fault.headers)
            for method, pattern, handler in self._routes():
                if method == request.method and (match := re.fullmatch(pattern, path)):
                    result = handler(body or {}, files, *match.groups())
                    return result if isinstance(result, web.Response) else _json(result)
            return _json({"message": f"404: no fake for {request.method} {path}", "code": 0}, 404)
        finally:
            await self._changed_now()

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/users/@me", lambda *_: BOT_USER),
            ("GET", r"/gateway/bot", lambda *_: self._gateway_bot()),
            ("GET", r"/oauth2/applications/@me", lambda *_: self._application()),
            ("GET", r"/users/(\d+)", lambda _b, _f, u: user_payload(int(u))),
            ("GET", r"/channels/(\d+)", lambda _b, _f, c: self._channel(int(c))),
            ("POST", r"/channels/(\d+)/threads", lambda b, _f, c: self._thread(b, int(c))),
            ("GET", r"/guilds/(\d+)/threads/active", lambda *_: self._active_threads()),
            ("PUT", r"/channels/(\d+)/thread-members/(\d+)", lambda _b, _f, t, u: self._join(int(t), int(u))),
            ("POST", r"/channels/(\d+)/messages", lambda b, f, c: self._message(int(c), b, f)),
            ("POST", r"/users/@me/channels", lambda b, *_: self._dm(int(b["recipient_id"]))),
            ("GET", r"/guilds/(\d+)/members/(\d+)", lambda _b, _f, _g, u: self._member(int(u))),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", lambda b, f, _i, t: self._callback(t, b, f)),
            ("POST", r"/webhooks/(\d+)/([^/]+)", lambda b, f, _a, t: self._followup(t, b, f)),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original", lambda b, _f, _a, t: self._edit(t, b)),
            ("PUT", r"/applications/(\d+)/commands", lambda b, *_: self._commands(None, b)),
            (
                "PUT",
                r"/applications/(\d+)/guilds/(\d+)/commands",
                lambda b, _f, _a, g: self._commands(int(g), b),
            ),
        ]

    def _application(self) -> Json:
        return {
            "id": str(APP_ID),
            "name": "Jembatan",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(1, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
        }

    def _channel(self, channel_id: int) -> Json | web.Response:
        if channel_id in self.channels:
            return self.channels[channel_id]
        return _json({"message": "Unknown Channel", "code": 10003}, 404)

    def _thread(self, body: Json, parent: int) -> Json:
        thread_id = self.snowflake()
        thread = {
            "id": str(thread_id),
            "type": body.get("type", 11),
            "guild_id": str(self.guild_id),
            "parent_id": str(parent),
            "owner_id": str(BOT_ID),
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": NOW,
                "locked": False,
                "invitable": body.get("invitable", True),
                "create_timestamp": datetime.now(UTC).isoformat(),
            },
            "member": {"id": str(thread_id), "user_id": str(BOT_ID), "join_timestamp": NOW, "flags": 0},
        }
        self.channels[thread_id] = thread
        self.thread_members[thread_id] = []
        return thread

    def _join(self, thread_id: int, user_id: int) -> web.Response:
        members = self.thread_members.setdefault(thread_id, [])
        if user_id not in members:  # adding someone twice changes nothing, as on Discord
            members.append(user_id)
        return web.Response(status=204)

    def _active_threads(self) -> Json:
        # Every thread the bot can see that is not archived; the bot is a member of its own.
        threads = [t for t in self.threads() if not t["thread_metadata"]["archived"]]
        members = [t["member"] | {"id": t["id"]} for t in threads]
        return {"threads": threads, "members": members, "has_more": False}

    def _dm(self, user_id: int) -> Json:
        channel_id = self.dm_channels.setdefault(user_id, self.snowflake())
        return {
            "id": str(channel_id),
            "type": 1,
            "last_message_id": None,
            "recipients": [user_payload(user_id)],
        }

    def _member(self, user_id: int) -> Json | web.Response:
        if user_id in self.members:
            return self.members[user_id]
        return _json({"message": "Unknown Member", "code": 10007}, 404)

    def _message(self, channel_id: int, body: Json, files: list[str]) -> Json:
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self._nonces:
            return self._nonces[(channel_id, nonce)]  # what Discord does with a repeated nonce
        message = self.message_payload(channel_id, body, files)
        self.messages.setdefault(channel_id, []).append(message)
        if nonce:
            self._nonces[(channel_id, nonce)] = message
        return message

    def message_payload(self, channel_id: int, body: Json, files: list[str] | None = None) -> Json:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {
                    "id": str(i),
                    "filename": n,
                    "size": 1,
                    "url": f"https://cdn/{n}",
                    "proxy_url": f"https://cdn/{n}",
                }
                for i, n in enumerate(files or [])
            ],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "components": body.get("components") or [],
            "nonce": body.get("nonce"),
            "allowed_mentions": body.get("allowed_mentions"),
        }

    def _answer(self, token: str) -> Answer:
        return self.answers.setdefault(token, Answer())

    def _callback(self, token: str, body: Json, files: list[str]) -> Json:
        answer = self._answer(token)
        answer.callbacks.append(body)
        answer.files += files
        message_id = str(self.snowflake())
        return {
            "interaction": {
                "id": str(self.snowflake()),
                "type": 2,
                "response_message_id": message_id,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool((body.get("data") or {}).get("flags", 0) & EPHEMERAL),
            },
            "resource": None,
        }

    def _followup(self, token: str, body: Json, files: list[str]) -> Json:
        answer = self._answer(token)
        answer.followups.append(body)
        answer.files += files
        return self.message_payload(0, body, files)

    def _edit(self, token: str, body: Json) -> Json:
        self._answer(token).edits.append(body)
        return self.message_payload(0, body)

    def _commands(self, guild_id: int | None, body: Any) -> list[Json]:
        commands = [
            {**c, "id": str(self.snowflake()), "application_id": str(APP_ID), "version": "1"} for c in body
        ]
        if guild_id is not None:
            commands = [{**c, "guild_id": str(guild_id)} for c in commands]
        self.command_sets.append((guild_id, commands))
        return commands

    # What tests look at ------------------------------------------------------------------------

    def called(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    def threads(self) -> list[Json]:
        return [c for c in self.channels.values() if c["type"] in (11, 12)]

    async def answer(self, token: str, within: float = 10.0) -> Answer:
        """Wait until the interaction is answered in full: a message, a modal or choices; or,
        after a deferral or an update, the follow-up message."""

        def complete() -> Answer | None:
            answer = self.answers.get(token)
            if answer is None or not answer.callbacks:
                return None
            if answer.kind in (4, 8, 9):
                return answer
            return answer if answer.followups else None

        return await self.wait_for(complete, within)


async def _read_body(request: web.Request) -> tuple[Json | None, list[str]]:
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        files = [v.filename for k, v in form.items() if k.startswith("files[") and hasattr(v, "filename")]
        raw = form.get("payload_json")
        return (json.loads(raw) if isinstance(raw, str) else None), files
    raw = await request.read()
    return (json.loads(raw) if raw else None), []


def shard_of(guild_id: int, count: int) -> int:
    """The shard that carries a server's events (Discord's formula)."""
    return (guild_id >> 22) % count


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly `application/json`: aiohttp's json_response would add "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


# Payloads Discord sends ------------------------------------------------------------------------

_OPTION_TYPES = {str: 3, int: 4, bool: 5}


@dataclass
class Person:
    """Who clicks or types: their id, permissions in the channel, and roles."""

    user_id: int
    permissions: int = MEMBER_PERMISSIONS
    roles: tuple[int, ...] = ()


class Payloads:
    """INTERACTION_CREATE payloads as Discord sends them to a bot."""

    def __init__(self, fake: FakeDiscord, guild_id: int | None = None, channel_id: int | None = None) -> None:
        """From people in the bot's first server, or in `guild_id`, typing in `channel_id`."""
        self.fake = fake
        self.guild_id = guild_id or fake.guild_id
        self.channel_id = channel_id or fake.program_channel

    def _base(self, kind: int, who: Person, channel_id: int | None, *, dm: bool = False) -> Json:
        interaction_id = self.fake.snowflake()
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "locale": "en-US",
            "app_permissions": str((1 << 53) - 1),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if dm:
            dm_channel = self.fake.dm_channels.get(who.user_id) or self.fake.snowflake()
            payload |= {
                "channel_id": str(dm_channel),
                "channel": {"id": str(dm_channel), "type": 1, "recipients": [user_payload(who.user_id)]},
                "user": user_payload(who.user_id),
                "context": 1,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            }
            return payload
        channel = self.fake.channels.get(channel_id or self.channel_id)
        assert channel is not None
        member = dict(
            self.fake.members.get(who.user_id) or self.fake.add_member(who.user_id, roles=who.roles)
        )
        member["roles"] = [str(r) for r in who.roles]
        member["permissions"] = str(who.permissions)
        payload |= {
            "guild_id": str(self.guild_id),
            "guild_locale": "en-US",
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "channel_id": channel["id"],
            "channel": channel,
            "member": member,
            "context": 0,
            "authorizing_integration_owners": {"0": str(self.guild_id)},
        }
        return payload

    def slash(self, who: Person, sub: str, channel_id: int | None = None, **options: Any) -> Json:
        """`/jembatan <sub> option:value…`; ints given as `User(id)` become user options."""
        resolved: Json = {}
        listed = []
        for name, value in options.items():
            if value is None:
                continue
            if isinstance(value, User):
                member = self.fake.members.get(value.user_id) or self.fake.add_member(value.user_id)
                resolved.setdefault("users", {})[str(value.user_id)] = member["user"]
                resolved.setdefault("members", {})[str(value.user_id)] = {
                    k: v for k, v in member.items() if k != "user"
                } | {"permissions": str(MEMBER_PERMISSIONS)}
                listed.append({"name": name, "type": 6, "value": str(value.user_id)})
            elif isinstance(value, Channel):
                resolved.setdefault("channels", {})[str(value.channel_id)] = {
                    **self.fake.channels[value.channel_id],
                    "permissions": str(MEMBER_PERMISSIONS),
                }
                listed.append({"name": name, "type": 7, "value": str(value.channel_id)})
            else:
                listed.append({"name": name, "type": _OPTION_TYPES[type(value)], "value": value})
        payload = self._base(2, who, channel_id)
        payload["data"] = {
            "id": "1300000000000000001",
            "name": "jembatan",
            "type": 1,
            "options": [{"type": 1, "name": sub, "options": listed}],
            "resolved": resolved,
        }
        return payload

    def autocomplete(self, who: Person, sub: str, option: str, typed: str) -> Json:
        payload = self._base(4, who, None)
        payload["data"] = {
            "id": "1300000000000000001",
            "name": "jembatan",
            "type": 1,
            "options": [
                {
                    "type": 1,
                    "name": sub,
                    "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
                }
            ],
        }
        return payload

    def click(self, who: Person, message: Json, custom_id: str, *, dm: bool = False) -> Json:
        channel_id = int(message["channel_id"])
        payload = self._base(3, who, channel_id if channel_id in self.fake.channels else None, dm=dm)
        if dm:
            payload["channel_id"] = message["channel_id"]
            payload["channel"]["id"] = message["channel_id"]
        payload["message"] = message
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        return payload

    def submit(self, who: Person, custom_id: str, values: dict[str, str]) -> Json:
        payload = self._base(5, who, None)
        payload["data"] = {
            "custom_id": custom_id,
            "components": [
                {"type": 18, "id": i + 1, "component": {"type": 4, "id": i + 10, "custom_id": k, "value": v}}
                for i, (k, v) in enumerate(values.items())
            ],
        }
        return payload


@dataclass(frozen=True)
class User:
    """A user option's value."""

    user_id: int


@dataclass(frozen=True)
class Channel:
    """A channel option's value."""

    channel_id: int


def button_ids(message: Json) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row.get("components", [])]
