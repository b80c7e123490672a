"""A local fake of Slack's Web API, response URLs and Socket Mode, speaking Slack's wire format.

It reads arguments from the query string, a form (urlencoded or multipart) or a JSON body,
as slack_sdk sends all three; records every call; answers `{"ok": true, …}` or
`{"ok": false, "error": …}` like Slack; and fails on demand (a 429 with Retry-After, a 5xx, or
an error code) so the adapter's retry paths run for real. With `rate_limits` set (off by
default) it also enforces Slack's documented limits the way Slack does, answering 429 with a
Retry-After, and counts any request that came before the Retry-After it was given.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.specs import Violation, slack_spec
from tests.specs.watch import watch

JSON_ARGS = ("blocks", "view", "attachments", "metadata", "files", "users")


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None = None


Bucket = tuple[tuple[str, ...], float, int]


@dataclass
class RateLimits:
    """Slack's limits on what a round sends, per workspace: `conversations.open` is Tier 3 ("50+
    per minute", occasional bursts allowed) and `chat.postMessage` about one message a second per
    channel (short bursts allowed). Each is a token bucket: `burst` requests at once, then one
    per 1/rate seconds. `speed` runs every limit that many times faster, so a 20-minute round
    can be measured in one; Retry-After stays whole seconds, as Slack sends it."""

    speed: float = 1.0
    opens_per_minute: float = 50.0
    open_burst: int = 10
    posts_per_second: float = 1.0
    post_burst: int = 1
    clock: Callable[[], float] = time.monotonic

    def bucket(
        self, method: str, team: str, args: dict[str, Any]
    ) -> tuple[tuple[str, ...], float, int] | None:
        """(the bucket's key, its rate per second of real time, its burst), or None: no limit here."""
        if method == "conversations.open":
            return (team, method), self.opens_per_minute / 60 * self.speed, self.open_burst
        if method == "chat.postMessage":
            return (
                (team, method, str(args.get("channel") or "")),
                self.posts_per_second * self.speed,
                self.post_burst,
            )
        return None


@dataclass
class Throttle:
    """What the rate limits did: requests served and refused per bucket, and requests that came
    before the Retry-After they had been given (Slack may cut off an app that does that)."""

    served: dict[tuple[str, ...], list[float]] = field(default_factory=dict)
    asked: dict[tuple[str, ...], list[float]] = field(default_factory=dict)  # served or refused
    refused: int = 0
    early: int = 0
    # Requests to a workspace while any Retry-After it was given still ran (any method, channel).
    early_in_workspace: int = 0
    retry_after: list[int] = field(default_factory=list)
    _tokens: dict[tuple[str, ...], tuple[float, float]] = field(default_factory=dict)  # tokens, when
    _until: dict[tuple[str, ...], float] = field(default_factory=dict)  # no request before this
    _team_until: dict[str, float] = field(default_factory=dict)

    def take(self, key: tuple[str, ...], rate: float, burst: int, now: float) -> int | None:
        """None when the request may go; else the Retry-After (whole seconds) to answer."""
        self.asked.setdefault(key, []).append(now)
        if now < self._until.get(key, 0.0):
            self.early += 1
        if now < self._team_until.get(key[0], 0.0):
            self.early_in_workspace += 1
        tokens, then = self._tokens.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - then) * rate)
        if tokens >= 1.0:
            self._tokens[key] = (tokens - 1.0, now)
            self.served.setdefault(key, []).append(now)
            return None
        self._tokens[key] = (tokens, now)
        wait = max(1, math.ceil((1.0 - tokens) / rate))
        self._until[key] = max(self._until.get(key, 0.0), now + wait)
        self._team_until[key[0]] = max(self._team_until.get(key[0], 0.0), now + wait)
        self.refused += 1
        self.retry_after.append(wait)
        return wait


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: int = 0


@dataclass
class FakeSlack:
    team_id: str = "T0ACME"
    bot_user: str = "UBOT"
    bot_token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)  # what went to response_url
    uploads: dict[str, bytes] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    missing_channels: set[str] = field(default_factory=set)
    tokens: dict[str, str] = field(default_factory=dict)  # token → team, for OAuth installs
    base_url: str = ""
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # Socket Mode envelope → ack
    violations: list[Violation] = field(default_factory=list)  # requests Slack's spec refuses
    rate_limits: RateLimits | None = None  # None: no limits enforced (the tests' default)
    throttle: Throttle = field(default_factory=Throttle)
    # Sign in with Slack (OpenID Connect): the app's credentials, and who is signed in to
    # slack.com in the test's browser (None: the person declines on Slack's consent page).
    client_id: str = "1100.2200"
    client_secret: str = "fake-client-secret"
    browser_user: str | None = None
    oidc_codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (user, redirect_uri)
    oidc_tokens: dict[str, str] = field(default_factory=dict)  # user access token → user

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._views = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()
        self.tokens.setdefault(self.bot_token, self.team_id)
        watch(self)  # a violation fails the test that caused it (tests/conftest.py)

    # What a test sets up.
    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        admin: bool = False,
        owner: bool = False,
        deleted: bool = False,
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": (name or user_id).lower(),
            "deleted": deleted,
            "is_admin": admin,
            "is_owner": owner,
            "is_bot": False,
            "profile": {"display_name": name or "", "real_name": (name or user_id).title()},
        }

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        self.failures.setdefault(method, []).extend(
            Failure(status, error, retry_after if status == 429 else None) for _ in range(times)
        )

    # What a test reads.
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[Call]:
        return [c for c in self.called("chat.postMessage") if channel is None or c.args["channel"] == channel]

    def dm_of(self, user_id: str) -> str:
        """The id conversations.open answers for a DM with this one person."""
        return self._conversation_id([user_id])

    def _conversation_id(self, ids: list[str]) -> str:
        digest = hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:8].upper()
        return ("D" if len(ids) == 1 else "G") + digest

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}/respond/{name}"

    # The server.
    def app(self) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/openid/connect/authorize", self._oidc_authorize)
        return app

    async def _oidc_authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page, already agreed to: back to the app with a code (or an error)."""
        q = request.query
        problems = [
            name
            for name, ok in (
                ("response_type", q.get("response_type") == "code"),
                ("client_id", q.get("client_id") == self.client_id),
                ("scope", "openid" in q.get("scope", "").split(",")),
                ("redirect_uri", q.get("redirect_uri", "").startswith("http")),
                ("state", bool(q.get("state"))),
            )
            if not ok
        ]
        if problems:
            self.violations.append(
                Violation("Slack openid/connect/authorize", ",".join(problems), "bad request")
            )
            return web.Response(status=400, text="invalid_request: " + ",".join(problems))
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?")
        if self.browser_user is None:
            raise web.HTTPFound(target + urlencode({"error": "access_denied", "state": q["state"]}))
        code = f"oidc-code-{next(self._files)}"
        self.oidc_codes[code] = (self.browser_user, q["redirect_uri"])
        raise web.HTTPFound(target + urlencode({"code": code, "state": q["state"]}))

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    args[key] = value.file.read() if isinstance(value, web.FileField) else value
        for key in JSON_ARGS:
            if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        self.violations += await slack_spec.check_request(request)
        auth = request.headers.get("Authorization", "")
        token = (
            auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None) or auth
        )
        self.calls.append(Call(method, args, token))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        # An app token; the client id and secret (the last two).
        own_auth = method in ("apps.connections.open", "oauth.v2.access", "openid.connect.token")
        if not own_auth and (token in self.revoked or token not in self.tokens):
            return web.json_response(
                {"ok": False, "error": "token_revoked" if token in self.revoked else "invalid_auth"}
            )
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        limited = self.rate_limits and self.rate_limits.bucket(
            method, self.tokens.get(token or "", self.team_id), args
        )
        if self.rate_limits and limited:
            key, rate, burst = limited
            wait = self.throttle.take(key, rate, burst, self.rate_limits.clock())
            if wait is not None:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
                )
        body = handler(args, token)
        return web.json_response(body)

    # Methods, as Slack answers them.
    def _auth_test(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        team = self.tokens.get(token or "", self.team_id)
        return {"ok": True, "team_id": team, "user_id": self.bot_user, "bot_id": "B0BOT", "team": "Acme"}

    def _users_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_list(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        everyone = sorted(self.users.values(), key=lambda u: u["id"])
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = everyone[start : start + limit]
        following = str(start + limit) if start + limit < len(everyone) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": following}}

    def _conversations_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        users = args.get("users")
        ids = sorted(users if isinstance(users, list) else str(users or "").split(","))
        ids = [i for i in ids if i]
        if not ids:
            return {"ok": False, "error": "users_list_not_supplied"}
        if any(i not in self.users or self.users[i]["deleted"] for i in ids):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": self._conversation_id(ids)}}

    def _chat_postMessage(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if not channel or channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("U"):
            channel = "D" + channel[1:]  # a post to a user lands in the app's DM with them
        ts = f"1700000000.{next(self._ts):06d}"
        message = Message(channel, ts, str(args.get("text") or ""), list(args.get("blocks") or []))
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": message.text, "ts": ts}}

    def _chat_update(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        message = self.messages.get(key)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text = str(args.get("text") or message.text)
        message.blocks = list(args.get("blocks") or message.blocks)
        message.updates += 1
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _chat_postEphemeral(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = dict(args.get("view") or {})
        view["id"] = f"V{next(self._views):08d}"
        return {"ok": True, "view": view}

    def _views_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view(args)

    def _views_publish(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._view(args)

    def _views_update(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._view(args)

    def _files_getUploadURLExternal(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        file_id = f"F{next(self._files):08d}"
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        files = args.get("files") or []
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def _files_info(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"ok": True, "file": {"id": args.get("file")}}

    def _apps_connections_open(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket"}

    def _openid_connect_token(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        basic = str(token or "")
        sent = base64.b64decode(basic.removeprefix("Basic ")).decode() if basic.startswith("Basic ") else ""
        if sent != f"{self.client_id}:{self.client_secret}" and (
            args.get("client_id"),
            args.get("client_secret"),
        ) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client"}
        found = self.oidc_codes.pop(str(args.get("code", "")), None)  # a code works once
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        user, redirect_uri = found
        if args.get("redirect_uri") != redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        issued = f"xoxp-oidc-{user.lower()}-{len(self.oidc_tokens)}"
        self.tokens[issued] = self.team_id
        self.oidc_tokens[issued] = user
        return {"ok": True, "access_token": issued, "token_type": "Bearer", "id_token": "eyJ.fake.jwt"}

    def _openid_connect_userInfo(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self.oidc_tokens.get(token or "")
        if user is None:
            return {"ok": False, "error": "invalid_auth"}
        profile = self.users.get(user, {}).get("profile", {})
        return {
            "ok": True,
            "sub": user,
            "https://slack.com/user_id": user,
            "https://slack.com/team_id": self.team_id,
            "name": profile.get("real_name") or user,
            "https://slack.com/team_name": "Acme",
        }

    def _oauth_v2_access(self, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not str(token or "").startswith("Basic ") and not args.get("client_secret"):
            return {"ok": False, "error": "invalid_client"}
        team = "T0" + str(args.get("code", "NEW")).upper()
        issued = f"xoxb-{team.lower()}-issued"
        self.tokens[issued] = team
        return {
            "ok": True,
            "app_id": "A0JEMBATAN",
            "access_token": issued,
            "token_type": "bot",
            "scope": "commands,chat:write,im:write,mpim:write,users:read,files:write",
            "bot_user_id": self.bot_user,
            "team": {"id": team, "name": "Installed"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0INSTALLER"},
        }

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.post()
        raw = next(iter(data.values()), b"") if data else await request.read()
        self.uploads[request.match_info["file_id"]] = (
            raw.file.read() if isinstance(raw, web.FileField) else raw
        )
        return web.Response(text="OK", content_type="text/plain")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.violations += slack_spec.check_response_url(body)
        body["_url"] = request.match_info["name"]
        self.responses.append(body)
        return web.Response(text="ok", content_type="text/plain")

    # Socket Mode: Slack speaks first with `hello`, then sends envelopes the app acknowledges.
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self._connected.set()
        await ws.send_str(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0J"}})
        )
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                ack = json.loads(msg.data)
                self.violations += slack_spec.check_ack(ack.get("payload"))
                envelope = ack.get("envelope_id")
                if envelope:
                    self.acks[envelope] = ack
                    waiter = self._ack_waiters.pop(envelope, None)
                    if waiter and not waiter.done():
                        waiter.set_result(ack)
        return ws

    async def connected(self) -> None:
        async with asyncio.timeout(5):
            await self._connected.wait()

    async def envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> dict[str, Any]:
        """Send one Socket Mode envelope and wait for the app's acknowledgement."""
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ack_waiters[envelope_id] = waiter
        await self._sockets[-1].send_str(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": True,
                }
            )
        )
        async with asyncio.timeout(10):
            return await waiter

    async def close_sockets(self) -> None:
        for ws in self._sockets:
            await ws.close()


def user_ids(calls: Iterable[Call], arg: str = "users") -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for call in calls:
        value = call.args.get(arg)
        ids = value if isinstance(value, list) else str(value or "").split(",")
        out.append(tuple(sorted(i for i in ids if i)))
    return out
