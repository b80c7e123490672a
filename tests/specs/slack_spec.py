"""Holds a Slack Web API call against Slack's OpenAPI spec (shared/specs/slack_web_openapi_v2.json)
plus Block Kit's limits: the method exists, required arguments are there, each value has the
documented type, JSON-encoded arguments parse and validate, and nothing unknown is sent.

Slack takes any method's arguments from the query string, a urlencoded or multipart form, or a
JSON body, by GET or POST (slack_sdk uses all of these), so an argument is looked up by name
whatever its `in:` says, and the verb is not held to the one the spec lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft4Validator

from tests.specs import Findings, Violation, block_kit, load

SPEC = "slack_web_openapi_v2.json"
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")  # typed `string` in the spec
CONVERSATION_USERS = 8  # conversations.open


@dataclass(frozen=True)
class Param:
    type: str  # string | boolean | integer | number
    required: bool = False


Method = dict[str, Param]

# Methods and arguments newer than the 2020 spec, from Slack's method reference pages
# (specs/README.md names them).
NEWER_METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": {
        "token": Param("string", True),
        "filename": Param("string", True),
        "length": Param("integer", True),
        "alt_txt": Param("string"),
        "snippet_type": Param("string"),
    },
    "files.completeUploadExternal": {
        "token": Param("string", True),
        "files": Param("string", True),  # JSON: [{"id": …, "title": …}]
        "channel_id": Param("string"),
        "channels": Param("string"),
        "initial_comment": Param("string"),
        "thread_ts": Param("string"),
        "blocks": Param("string"),
    },
    "apps.connections.open": {"token": Param("string", True)},  # the app-level token
    # Sign in with Slack. Slack's page marks client_id and client_secret required; slack_sdk
    # sends them as HTTP Basic credentials instead, which Slack takes too (OAuth 2.0, RFC 6749
    # section 2.3.1), so here they are optional arguments.
    "openid.connect.token": {
        "client_id": Param("string"),
        "client_secret": Param("string"),
        "code": Param("string"),
        "grant_type": Param("string"),
        "redirect_uri": Param("string"),
        "refresh_token": Param("string"),
    },
    "openid.connect.userInfo": {"token": Param("string", True)},
}
NEWER_ARGS: dict[str, Method] = {"chat.postMessage": {"metadata": Param("string")}}
# slack_sdk adds `team_id` to calls made through Bolt's per-request client: the library's, not
# ours (specs/README.md).
LIBRARY_ARGS: Method = {"team_id": Param("string")}

FILES_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}},
        "required": ["id"],
        "additionalProperties": False,
    },
}
METADATA_SCHEMA = {
    "type": "object",
    "properties": {"event_type": {"type": "string"}, "event_payload": {"type": "object"}},
    "required": ["event_type", "event_payload"],
    "additionalProperties": False,
}
# What a response_url takes (Slack's "Handling user interaction" page); not a Web API method.
RESPONSE_URL_KEYS = {
    "text", "blocks", "attachments", "response_type", "replace_original", "delete_original",
    "thread_ts", "mrkdwn",
}  # fmt: skip


@cache
def methods() -> dict[str, Method]:
    spec = load(SPEC)
    found: dict[str, Method] = {}
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            params = {
                p["name"]: Param(p.get("type", "string"), bool(p.get("required")))
                for p in operation.get("parameters", [])
            }
            found[path.lstrip("/")] = params
    found.update(NEWER_METHODS)
    for name, extra in NEWER_ARGS.items():
        found[name] = {**found[name], **extra}
    return found


@cache
def _blocks_validator() -> Draft4Validator:
    return Draft4Validator(load(SPEC)["definitions"]["blocks"])


def check_call(
    method: str, args: Mapping[str, Any], *, token_in_header: bool, from_json: bool = False
) -> list[Violation]:
    """`args` as received: strings from a query or form, JSON values from a JSON body."""
    f = Findings(f"Slack {method}")
    known = methods().get(method)
    if known is None:
        f.add("", "no such Web API method in Slack's spec")
        return f.found
    params = {**known, **LIBRARY_ARGS}
    for name, param in params.items():
        present = name in args or (name == "token" and token_in_header)
        if param.required and not present:
            f.add(name, "required argument missing")
    for name, value in args.items():
        param = params.get(name)
        if param is None:
            f.add(name, "not an argument of this method")
        elif name in JSON_ARGS:
            _json_arg(f, method, name, value)
        else:
            _typed(f, name, value, param.type, from_json)
    _limits(f, method, args)
    return f.found


def check_response_url(body: Any, request: str = "Slack response_url") -> list[Violation]:
    f = Findings(request)
    if not isinstance(body, dict):
        f.add("", "a response_url takes a JSON object")
        return f.found
    for key in body:
        if key not in RESPONSE_URL_KEYS:
            f.add(key, "not a field a response_url takes")
    if body.get("response_type") not in (None, "in_channel", "ephemeral"):
        f.add("response_type", f"{body['response_type']!r}; expected in_channel or ephemeral")
    if "blocks" in body:
        block_kit.check_message(f, body["blocks"])
    block_kit.check_text(f, body.get("text"))
    return f.found


def check_ack(body: Any) -> list[Violation]:
    """What the app answers one of Slack's own requests with (the HTTP response, or a Socket Mode
    ack's payload): a select's options, a modal's response_action, or a message."""
    f = Findings("Slack ack")
    if not isinstance(body, dict) or not body:
        return f.found
    if "options" in body or "option_groups" in body:
        block_kit.check_options(f, body)
    elif "response_action" in body:
        action = body["response_action"]
        if action not in ("errors", "update", "push", "clear"):
            f.add("response_action", f"{action!r}; expected errors, update, push or clear")
        if action == "errors" and not (
            isinstance(body.get("errors"), dict) and all(isinstance(v, str) for v in body["errors"].values())
        ):
            f.add("errors", "an object of block_id → message")
        if action in ("update", "push"):
            block_kit.check_view(f, body.get("view"))
    else:
        return check_response_url(body, "Slack ack")
    return f.found


def _typed(f: Findings, name: str, value: Any, kind: str, from_json: bool) -> None:
    if from_json and not isinstance(value, str):
        ok = {
            "string": False,
            "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
        }[kind]
        if not ok:
            f.add(name, f"{value!r} is not a {kind}")
        return
    if not isinstance(value, str):
        f.add(name, f"{type(value).__name__} where a form value is a string")
        return
    if kind == "boolean" and value.lower() not in ("true", "false", "1", "0"):
        f.add(name, f"{value!r} is not a boolean")
    elif kind == "integer" and not value.lstrip("-").isdigit():
        f.add(name, f"{value!r} is not an integer")
    elif kind == "number":
        try:
            float(value)
        except ValueError:
            f.add(name, f"{value!r} is not a number")


def _json_arg(f: Findings, method: str, name: str, value: Any) -> None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as bad:
            f.add(name, f"does not parse as JSON ({bad.msg})")
            return
    if name == "blocks":
        for error in _blocks_validator().iter_errors(value):
            f.add(name + _path(error.absolute_path), error.message)
        block_kit.check_message(f, value, name)
    elif name == "view":
        block_kit.check_view(f, value, name)
    elif name == "attachments":
        if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
            f.add(name, "must be a JSON array of objects")
    else:
        schema = FILES_SCHEMA if name == "files" else METADATA_SCHEMA
        for error in Draft4Validator(schema).iter_errors(value):
            f.add(name + _path(error.absolute_path), error.message)


def _limits(f: Findings, method: str, args: Mapping[str, Any]) -> None:
    if method == "conversations.open" and "users" in args:
        users = args["users"]
        ids = [u for u in (users.split(",") if isinstance(users, str) else users) if u]
        if len(ids) > CONVERSATION_USERS:
            f.add("users", f"{len(ids)} users; conversations.open takes at most {CONVERSATION_USERS}")
    if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
        block_kit.check_text(f, args.get("text"))
        if method != "chat.update" and not any(args.get(k) for k in ("text", "blocks", "attachments")):
            f.add("text", "a message needs text, blocks or attachments (Slack answers no_text)")


def _path(parts: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


async def check_request(request: Any) -> list[Violation]:
    """Read an aiohttp request to /api/<method> as Slack would, then check it."""
    method = request.match_info["method"]
    args: dict[str, Any] = dict(request.query)
    from_json = False
    if request.method == "POST" and request.body_exists:  # the body may have been read already
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                return [Violation(f"Slack {method}", "", "the JSON body does not parse")]
            if not isinstance(body, dict):
                return [Violation(f"Slack {method}", "", "a JSON body must be an object")]
            args.update(body)
            from_json = True
        else:
            form = await request.post()
            args.update({k: v if isinstance(v, str) else "<file>" for k, v in form.items()})
    auth = request.headers.get("Authorization", "")
    return check_call(method, args, token_in_header=auth.startswith("Bearer "), from_json=from_json)
