"""Who is signed in, and proof of it: HMAC-signed session cookies, one-time sign-in links, and
per-session CSRF tokens. Nothing secret ever reaches the browser except the signed session itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

COOKIE = "jembatan_session"
SESSION_SECONDS = 8 * 3600  # a working day; then sign in again


@dataclass(frozen=True, slots=True)
class Grant:
    """A signed-in person and the workspaces (tenant ids) they administer."""

    user_id: str
    tenant_ids: frozenset[int]
    csrf: str  # the token every form of this session must send back
    lang: str = ""  # the language the person chose; "" follows the program's
    expires: int = 0  # Unix seconds
    name: str = ""  # how the platform names them, when it said (a sign-in with Slack or Discord)

    def with_lang(self, lang: str) -> Grant:
        return replace(self, lang=lang)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Signs and checks session cookies with HMAC-SHA256 over a key of at least 32 bytes."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        if len(key) < 32:
            raise ValueError("the session key must be at least 32 bytes")
        self._key = key
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock())

    def new(self, user_id: str, tenant_ids: frozenset[int], lang: str = "", name: str = "") -> Grant:
        return Grant(
            user_id, tenant_ids, secrets.token_urlsafe(24), lang, self._now() + SESSION_SECONDS, name[:80]
        )

    def stamp(self, state: str, seconds: int = 600) -> str:
        """A sign-in's `state`, signed and dated, for the short-lived cookie that carries it
        from the redirect to the platform back to the callback (any replica can check it)."""
        body = f"{state}.{self._now() + seconds}"
        mac = hmac.new(self._key, b"state|" + body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def unstamp(self, cookie: str | None) -> str | None:
        """The state a stamp carries, if this process's key signed it and it has not expired."""
        if not cookie or cookie.count(".") != 2:
            return None
        state, expires, mac_text = cookie.split(".")
        try:
            mac = _unb64(mac_text)
            fresh = int(expires) > self._now()
        except (ValueError, TypeError):
            return None
        expected = hmac.new(self._key, f"state|{state}.{expires}".encode(), hashlib.sha256).digest()
        return state if hmac.compare_digest(mac, expected) and fresh else None

    def seal(self, grant: Grant) -> str:
        body = json.dumps(
            {
                "u": grant.user_id,
                "t": sorted(grant.tenant_ids),
                "c": grant.csrf,
                "l": grant.lang,
                "e": grant.expires,
                "n": grant.name,
            },
            separators=(",", ":"),
        ).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).digest()
        return f"{_b64(body)}.{_b64(mac)}"

    def open(self, cookie: str | None) -> Grant | None:
        """The grant a cookie carries, or None when it is missing, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        body_text, mac_text = cookie.split(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(mac, hmac.new(self._key, body, hashlib.sha256).digest()):
            return None
        try:
            data = json.loads(body)
            tenant_ids = frozenset(int(t) for t in data["t"])
            grant = Grant(
                str(data["u"]),
                tenant_ids,
                str(data["c"]),
                str(data["l"]),
                int(data["e"]),
                str(data.get("n", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return grant if grant.expires > self._now() else None


def csrf_ok(grant: Grant, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(grant.csrf.encode(), sent.encode())


@dataclass
class SignInLinks:
    """One-time sign-in tokens, kept only as hashes in this process's memory: each works once,
    within its lifetime, and a leaked log line of hashes signs nobody in."""

    lifetime: int = 15 * 60
    clock: Callable[[], float] = time.time
    _pending: dict[str, tuple[str, frozenset[int], float]] = field(default_factory=dict)

    def issue(self, user_id: str, tenant_ids: frozenset[int]) -> str:
        token = secrets.token_urlsafe(32)
        self._pending[_digest(token)] = (user_id, tenant_ids, self.clock() + self.lifetime)
        return token

    def redeem(self, token: str) -> tuple[str, frozenset[int]] | None:
        found = self._pending.pop(_digest(token), None)
        if found is None or found[2] < self.clock():
            return None
        return found[0], found[1]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
