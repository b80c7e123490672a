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
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from bot import actions
from bot.app import Throttled
from bot.shapes import Shape, may, need, problem, unstorable

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
    if reason := unstorable(body) or problem(body, ANY) or problem(body, _kind_of(body)):
        raise Refused(reason)


def _kind_of(body: dict[str, Any]) -> Shape:
    if "command" in body:
        return SLASH
    if "ssl_check" in body:
        return Shape()  # Bolt answers Slack's SSL check itself
    # By the body's `type`; a type none of our listeners takes is left to Bolt (which answers 404).
    kind = body.get("type")
    return KINDS.get(kind, KIND) if isinstance(kind, str) else KIND


def _named_tenant(body: dict[str, Any]) -> str | None:
    """Someone's workspace: the team (or the Enterprise Grid org) is named, as an id."""
    team, enterprise, user = (body.get(key) or {} for key in ("team", "enterprise", "user"))
    named = team.get("id") or enterprise.get("id") or user.get("team_id")
    return None if named or body.get("team_id") or body.get("enterprise_id") else "missing_team"


def _our_click(action: dict[str, Any]) -> str | None:
    action_id, value = action["action_id"], action.get("value")
    if _GROUP_BUTTON.fullmatch(action_id):
        # A group's buttons carry their id as their value too: a click whose value says
        # anything else was not made on a button we sent. (Whether the clicker is in that
        # group, in this workspace, the core checks.)
        if value != action_id:
            return "bad_value"
        if actions.decode(action_id) is None:
            return "bad_action_id"
    if action_id == "jb:division" and action.get("selected_option") is None:
        return "missing_selected_option"
    return None


def _in_time(body: dict[str, Any]) -> str | None:
    stamp = body.get("event_time")
    return "bad_event_time" if stamp is not None and not 0 <= stamp < MAX_EVENT_TIME else None


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
ANY = Shape({key: may(dict) for key in _OBJECTS} | {"authorizations": may(list, each=need(dict))})
KIND = Shape({"type": need(str)})
_OPTION = may(dict, shape=Shape({"value": need(str)}))
# Someone's workspace, named by one of these as an id (the rule: by at least one).
_TENANT = Shape(
    {
        "team": may(dict, shape=Shape({"id": may(str, _ID)})),
        "enterprise": may(dict, shape=Shape({"id": may(str, _ID)})),
        "team_id": may(str, _ID),
        "enterprise_id": may(str, _ID),
        "user": may(dict, shape=Shape({"team_id": may(str, _ID)})),
    },
    _named_tenant,
)
_PERSON = _TENANT.plus({"user": need(dict, shape=Shape({"id": need(str, _ID), "team_id": may(str, _ID)}))})
# A slash command's form: every field a string.
SLASH = _TENANT.plus(
    {
        "command": need(str),
        "text": need(str),
        "user_id": need(str, _ID),
        "trigger_id": need(str, _OPAQUE),
        "channel_id": may(str, _ID),
        "response_url": may(str),
    }
)
_ACTION = Shape({"action_id": need(str), "value": may(str), "selected_option": _OPTION}, _our_click)
_MESSAGE = Shape({"text": may(str), "blocks": may(list, each=need(dict))})
_CONTAINER = Shape({"channel_id": may(str, _ID), "message_ts": may(str, _OPAQUE)})
_ELEMENT = Shape({"value": may(str), "selected_option": _OPTION})
_STATE = Shape({"values": may(dict, each=need(dict, each=need(dict, shape=_ELEMENT)))})
_VIEW = Shape(
    {
        "type": need(str),
        "callback_id": may(str),
        "private_metadata": may(str),
        "state": may(dict, shape=_STATE),
    }
)
_TOKENS = Shape({key: may(list, each=need(str, _ID)) for key in ("oauth", "bot")})
_EVENTS = {
    "app_home_opened": KIND.plus({"user": need(str, _ID), "tab": may(str)}),
    "tokens_revoked": KIND.plus({"tokens": need(dict, shape=_TOKENS)}),
}


def _event_fits(body: dict[str, Any]) -> str | None:
    kind = body["event"].get("type")
    return problem(body["event"], _EVENTS.get(kind, KIND) if isinstance(kind, str) else KIND)


KINDS = {
    "block_actions": _PERSON.plus(
        {
            "trigger_id": need(str, _OPAQUE),
            "actions": need(list, each=need(dict, shape=_ACTION)),
            "container": may(dict, shape=_CONTAINER),
            "message": may(dict, shape=_MESSAGE),
        },
        lambda body: None if body["actions"] else "missing_actions",
    ),
    "view_submission": _PERSON.plus({"trigger_id": may(str, _OPAQUE), "view": need(dict, shape=_VIEW)}),
    "block_suggestion": _PERSON.plus({"value": need(str), "action_id": need(str)}),
    "event_callback": _TENANT.plus(
        {"event_id": need(str, _OPAQUE), "event_time": may(int), "event": need(dict)},
        lambda body: _in_time(body) or _event_fits(body),
    ),
    "url_verification": KIND.plus({"challenge": need(str)}),
}
KINDS["view_closed"] = KINDS["view_submission"]


class RefusalLog(Throttled):
    """One short line per refused request, at most `burst` in a `window`; past that, one line when
    the window ends says how many were not logged, so a flood cannot fill the disk."""

    def __init__(
        self, burst: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        held = "%d more refused Slack requests were not logged"
        super().__init__(log, "refused a Slack request: %s %s", held, burst, window, clock)
