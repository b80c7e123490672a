"""What a request to `/slack/events` must look like before Bolt sees it. Pure, except the log.

Bolt and our listeners index into payloads as Slack documents them (`body["user"]["id"]`,
`view["type"]`, `event["tokens"]["bot"]`…); a signed payload of another shape used to end in a
500 and a traceback, and a `tokens_revoked` whose `bot` was a string erased a workspace. So the
signature is checked on the bytes, the body is parsed here once (Bolt's own parser takes any body
containing the word "payload" for an interaction and drops slash commands that mention it), and
every field a listener reads is checked for its type and shape. A request that fails is refused
with a 400 and one short, rate-limited log line, and nothing it names is touched.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from bot import actions

log = logging.getLogger(__name__)

# Slack's object ids (T…, E…, U…, W…, C…, D…) and opaque ids (trigger_id, event_id, ts).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_OPAQUE = re.compile(r"[\x21-\x7e]{1,255}")
_GROUP_BUTTON = re.compile(r"jb:(?:meetup|stillin):.*")
MAX_EVENT_TIME = 2**40  # seconds since 1970: far beyond any real event, well inside datetime's range


class Refused(ValueError):
    """A request we do not act on; `reason` is a short, fixed phrase safe to log and to answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature_ok(secret: str, raw: bytes, stamp: str, signature: str) -> bool:
    """Slack's v0 signature, computed on the bytes as sent (slack_sdk's verifier decodes the body
    as UTF-8 first, and raises on a body that is not)."""
    base = b"v0:" + stamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _no_constants(name: str) -> float:
    raise Refused("malformed_json")  # NaN and Infinity are not JSON


def parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as Slack meant it: a JSON object (Events API), a form with a `payload` field
    holding one (interactivity), or a plain form (slash commands)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not_utf8") from None
    media = content_type.split(";")[0].strip().lower()
    try:
        if media == "application/json" or (media != "application/x-www-form-urlencoded" and text[:1] == "{"):
            body = json.loads(text, parse_constant=_no_constants)
        else:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            # An interaction is a form whose `payload` field holds JSON; a slash command whose
            # text says "payload" is still a slash command.
            body = fields
            if "payload" in fields:
                body = json.loads(fields["payload"], parse_constant=_no_constants)
    except (ValueError, RecursionError):  # JSONDecodeError, a 5,000-digit number, 20,000 brackets
        raise Refused("malformed_json") from None
    if not isinstance(body, dict):
        raise Refused("not_an_object")
    check(body)
    return body


def check(body: dict[str, Any]) -> None:
    """Raises Refused unless every field a listener reads has the type and shape Slack sends."""
    _storable(body)
    _shape(body)


def _storable(body: dict[str, Any]) -> None:
    """Every string can go into a database column: no NUL (PostgreSQL refuses it) and no lone
    surrogate (which UTF-8 cannot encode). Walked with a stack: the body is as deep as JSON allows."""
    stack: list[Any] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            if "\x00" in node:
                raise Refused("nul_character")
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise Refused("lone_surrogate") from None
        elif isinstance(node, float) and not math.isfinite(node):
            raise Refused("malformed_json")


def _get(node: Any, key: str, kind: type, *, required: bool = True) -> Any:
    value = node.get(key) if isinstance(node, dict) else None
    if value is None:
        if required:
            raise Refused(f"missing_{key}")
        return None
    # bool is an int to isinstance, and `true` is no time of day.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Refused(f"bad_{key}")
    return value


def _id(node: Any, key: str, pattern: re.Pattern[str] = _ID, *, required: bool = True) -> str | None:
    value = _get(node, key, str, required=required)
    if value is not None and not pattern.fullmatch(value):
        raise Refused(f"bad_{key}")
    return value  # type: ignore[no-any-return]


def _tenant(body: dict[str, Any]) -> None:
    """Someone's workspace: the team (or the Enterprise Grid org) is named, as an id."""
    team = _get(body, "team", dict, required=False)
    enterprise = _get(body, "enterprise", dict, required=False)
    named = [
        _id(team, "id", required=False) if team else None,
        _id(enterprise, "id", required=False) if enterprise else None,
        _id(body, "team_id", required=False),
        _id(body, "enterprise_id", required=False),
    ]
    user = body.get("user")
    if isinstance(user, dict):
        named.append(_id(user, "team_id", required=False))
    if not any(named):
        raise Refused("missing_team")


# What Bolt's own middleware and context reads on every request, `body.get("event", {}).get(…)`
# and the like: each is an object when it is there at all.
_OBJECTS = (
    "event",
    "user",
    "team",
    "enterprise",
    "channel",
    "view",
    "message",
    "previous_message",
    "container",
    "item",
    "assistant_thread",
    "function_data",
)


def _shape(body: dict[str, Any]) -> None:
    for key in _OBJECTS:
        _get(body, key, dict, required=False)
    grants = _get(body, "authorizations", list, required=False)
    if grants is not None and not all(isinstance(g, dict) for g in grants):
        raise Refused("bad_authorizations")
    if "command" in body:
        _slash(body)
        return
    if "ssl_check" in body:
        return  # Bolt answers Slack's SSL check itself
    kind = _get(body, "type", str)
    match kind:
        case "block_actions":
            _block_actions(body)
        case "view_submission" | "view_closed":
            _view(body)
        case "block_suggestion":
            _tenant(body)
            _id(_get(body, "user", dict), "id")
            _get(body, "value", str)
            _get(body, "action_id", str)
        case "event_callback":
            _event(body)
        case "url_verification":
            _get(body, "challenge", str)
        case _:
            pass  # no listener of ours: Bolt answers 404


def _slash(body: dict[str, Any]) -> None:
    # Every slash command carries these (a form's values are always strings).
    for key in ("command", "text"):
        _get(body, key, str)
    _id(body, "user_id")
    _id(body, "trigger_id", _OPAQUE)
    _id(body, "channel_id", required=False)
    _get(body, "response_url", str, required=False)
    _tenant(body)


def _block_actions(body: dict[str, Any]) -> None:
    _tenant(body)
    _id(_get(body, "user", dict), "id")
    _id(body, "trigger_id", _OPAQUE)
    clicked = _get(body, "actions", list)
    if not clicked:
        raise Refused("missing_actions")
    for action in clicked:
        if not isinstance(action, dict):
            raise Refused("bad_actions")
        action_id = _get(action, "action_id", str)
        value = _get(action, "value", str, required=False)
        option = _get(action, "selected_option", dict, required=False)
        if option is not None:
            _get(option, "value", str)
        if _GROUP_BUTTON.fullmatch(action_id):
            # A group's buttons carry their id as their value too: a click whose value says
            # anything else was not made on a button we sent. (Whether the clicker is in that
            # group, in this workspace, the core checks.)
            if value != action_id:
                raise Refused("bad_value")
            if actions.decode(action_id) is None:
                raise Refused("bad_action_id")
        if action_id == "jb:division" and option is None:
            raise Refused("missing_selected_option")
    container = _get(body, "container", dict, required=False)
    if container is not None:
        _id(container, "channel_id", required=False)
        _id(container, "message_ts", _OPAQUE, required=False)
    message = _get(body, "message", dict, required=False)
    if message is not None:
        _get(message, "text", str, required=False)
        blocks = _get(message, "blocks", list, required=False) or []
        if not all(isinstance(b, dict) for b in blocks):
            raise Refused("bad_blocks")


def _view(body: dict[str, Any]) -> None:
    _tenant(body)
    _id(_get(body, "user", dict), "id")
    _id(body, "trigger_id", _OPAQUE, required=False)
    view = _get(body, "view", dict)
    _get(view, "type", str)
    _get(view, "callback_id", str, required=False)
    _get(view, "private_metadata", str, required=False)
    state = _get(view, "state", dict, required=False)
    values = _get(state, "values", dict, required=False) if state is not None else None
    for block in (values or {}).values():
        if not isinstance(block, dict) or not all(isinstance(v, dict) for v in block.values()):
            raise Refused("bad_state")
        for element in block.values():
            _get(element, "value", str, required=False)
            option = _get(element, "selected_option", dict, required=False)
            if option is not None:
                _get(option, "value", str)


def _event(body: dict[str, Any]) -> None:
    _tenant(body)
    _id(body, "event_id", _OPAQUE)
    stamp = _get(body, "event_time", int, required=False)
    if stamp is not None and not 0 <= stamp < MAX_EVENT_TIME:
        raise Refused("bad_event_time")
    event = _get(body, "event", dict)
    kind = _get(event, "type", str)
    if kind == "app_home_opened":
        _id(event, "user")
        _get(event, "tab", str, required=False)
    elif kind == "tokens_revoked":
        tokens = _get(event, "tokens", dict)
        for key in ("oauth", "bot"):
            ids = _get(tokens, key, list, required=False) or []
            if not all(isinstance(i, str) and _ID.fullmatch(i) for i in ids):
                raise Refused(f"bad_tokens_{key}")


@dataclass
class RefusalLog:
    """One short line per refused request, at most `burst` in a `window`; past that, one line when
    the window ends says how many were not logged, so a flood cannot fill the disk."""

    burst: int = 20
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _opened: float = field(default=-math.inf, init=False)
    _logged: int = field(default=0, init=False)
    _held: int = field(default=0, init=False)

    def __call__(self, status: int | str, reason: str) -> None:
        now = self.clock()
        if now - self._opened >= self.window:
            if self._held:
                log.warning("%d more refused Slack requests were not logged", self._held)
            self._opened, self._logged, self._held = now, 0, 0
        if self._logged < self.burst:
            self._logged += 1
            log.warning("refused a Slack request: %s %s", status, reason)
        else:
            self._held += 1
