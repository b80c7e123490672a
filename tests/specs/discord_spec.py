"""Holds a Discord HTTP API request against Discord's OpenAPI 3.1 spec
(shared/specs/discord_openapi.json) plus the documented limits the spec lacks: the route and
verb exist, path and query parameters have their types, the bot authenticates where it must,
and the JSON body validates (JSON Schema 2020-12, as OpenAPI 3.1 uses) with no unknown fields.

The spec lists each object's fields but never forbids others, so every object schema is made
closed here (`unevaluatedProperties: false`): a misspelt field is a field Discord ignores.
Its unions are discriminated (by a `type` constant, or null against a value), so no value can
match two branches, and each `oneOf` is checked as `anyOf`, which stops at the branch that
matches instead of trying all: the same verdicts, several times faster.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.specs import Findings, Violation, length, load

SPEC = "discord_openapi.json"
BASE = "urn:jembatan:discord-openapi"

CONTENT = 2000
EMBEDS_TOTAL = 6000
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
# Discord's pattern for command and option names is ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$;
# Python's re has no \p{…}, so: letters and digits by Unicode category, the two scripts by block.
SCRIPT_BLOCKS = (("\u0900", "\u097f"), ("\ua8e0", "\ua8ff"), ("\u0e00", "\u0e7f"))  # Devanagari (+Ext.), Thai
COMMAND_TOTAL = 8000
CHAT_INPUT = 1
SUBCOMMANDS = (1, 2)  # option types that hold options, not values
MESSAGE_CALLBACKS = (4, 7)  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
LINK_STYLE = 5
BOOLEAN_QUERY = {"True": True, "true": True, "1": True, "False": False, "false": False, "0": False}


@dataclass(frozen=True)
class Route:
    verb: str
    template: str
    pattern: re.Pattern[str]
    operation: dict[str, Any]
    parameters: dict[str, tuple[dict[str, Any], str]]  # by name: the parameter, its schema's pointer
    pointer: str  # JSON pointer to the operation within the spec


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@cache
def _spec() -> dict[str, Any]:
    spec = copy.deepcopy(load(SPEC))

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and not {"additionalProperties", "unevaluatedProperties"} & node.keys():
                node["unevaluatedProperties"] = False
            if "oneOf" in node and "anyOf" not in node:
                node["anyOf"] = node.pop("oneOf")
            for key, value in node.items():
                if key != "multipart/form-data":  # its allOf merges objects; we read payload_json
                    close(value)
        elif isinstance(node, list):
            for item in node:
                close(item)

    close(spec)
    return spec


@cache
def routes() -> list[Route]:
    found = []
    for template, item in _spec()["paths"].items():
        at = f"/paths/{_escape(template)}"
        shared = {
            p["name"]: (p, f"{at}/parameters/{i}/schema") for i, p in enumerate(item.get("parameters", []))
        }
        regex_text = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        for verb, operation in item.items():
            if verb == "parameters":
                continue
            own = {
                p["name"]: (p, f"{at}/{verb}/parameters/{i}/schema")
                for i, p in enumerate(operation.get("parameters", []))
            }
            found.append(
                Route(
                    verb.upper(),
                    template,
                    re.compile(regex_text),
                    operation,
                    shared | own,
                    f"{at}/{verb}",
                )
            )
    # A literal segment beats a parameter: /users/@me before /users/{user_id}.
    return sorted(found, key=lambda r: r.template.count("{"))


@cache
def _registry() -> Registry[Any]:
    return Registry().with_resource(BASE, DRAFT202012.create_resource(_spec()))


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{BASE}#{pointer}"}, registry=_registry())


def _errors(f: Findings, pointer: str, value: Any, where: str) -> None:
    for error in _validator(pointer).iter_errors(value):
        for shown in _explain(error):
            f.add(where + _path(shown.absolute_path), _say(shown))


def _explain(error: ValidationError) -> list[ValidationError]:
    """Inside a oneOf/anyOf, the branch whose `type` matched is the one meant: report its
    errors, not that no branch matched (Discord's unions are discriminated by `type`)."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    meant = [errors for errors in branches.values() if not any(_other_kind(e) for e in errors)]
    meant.sort(key=len)
    if len(meant) == 1 or (len(meant) > 1 and len(meant[0]) < len(meant[1])):
        return [shown for inner in meant[0] for shown in _explain(inner)]
    return [best_match([error]) or error]


def _other_kind(error: ValidationError) -> bool:
    path = list(error.relative_path)
    return (path == ["type"] and error.validator in ("enum", "const")) or (
        not path and error.validator == "type"
    )


def _say(error: ValidationError) -> str:
    message = error.message
    if error.validator in ("maxLength", "minLength") and isinstance(error.instance, str):
        limit = "at most" if error.validator == "maxLength" else "at least"
        message = f"{len(error.instance)} characters; {limit} {error.validator_value}"
    elif error.validator in ("maxItems", "minItems") and isinstance(error.instance, list):
        limit = "at most" if error.validator == "maxItems" else "at least"
        message = f"{len(error.instance)} items; {limit} {error.validator_value}"
    elif error.validator == "unevaluatedProperties":
        message = message.replace("Unevaluated properties are not allowed", "unknown field(s)")
    return message if len(message) < 300 else message[:300] + "…"


def _path(parts: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def check(
    verb: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: Any,
    files: list[str] | None = None,
) -> list[Violation]:
    """`path` is below /api/v10; `body` the JSON body (or a multipart request's payload_json)."""
    same_path = [r for r in routes() if r.pattern.fullmatch(path)]
    if not same_path:
        return [Violation(f"Discord {verb} {path}", "", "no such route in Discord's spec")]
    route = next((r for r in same_path if r.verb == verb), None)
    if route is None:
        verbs = sorted({r.verb for r in same_path})
        return [Violation(f"Discord {verb} {path}", "", f"the route takes {', '.join(verbs)}, not {verb}")]
    f = Findings(f"Discord {verb} {route.template}")
    match = route.pattern.fullmatch(path)
    assert match is not None
    for name, value in match.groupdict().items():
        _parameter(f, route, name, value)
    for name, value in query.items():
        if name not in route.parameters or route.parameters[name][0].get("in") != "query":
            f.add(f"?{name}", "not a query parameter of this route")
        else:
            _parameter(f, route, name, value)
    security = route.operation.get("security", [{}])
    auth = headers.get("Authorization", "")
    if auth.startswith("Bearer "):  # a person's OAuth2 token: only on routes that take one
        if not any("OAuth2" in option for option in security):
            f.add("Authorization", "this route takes no OAuth2 (`Bearer …`) token")
    elif {} not in security and not auth.startswith("Bot "):
        f.add("Authorization", "this route needs the bot's token (`Bot …`)")
    _body(f, route, body, files or [])
    if body is not None and not f.found:
        _limits(f, route, body)
    return f.found


def _parameter(f: Findings, route: Route, name: str, raw: str) -> None:
    parameter, pointer = route.parameters[name]
    kind = parameter.get("schema", {}).get("type")
    value: Any = raw
    if kind == "boolean":  # Discord's reference, "Boolean Query Strings"
        value = BOOLEAN_QUERY.get(raw, raw)
    elif kind == "integer" and raw.lstrip("-").isdigit():
        value = int(raw)
    _errors(f, pointer, value, f"{{{name}}}" if parameter["in"] == "path" else f"?{name}")


def _body(f: Findings, route: Route, body: Any, files: list[str]) -> None:
    request_body = route.operation.get("requestBody")
    if request_body is None:
        if body is not None or files:
            f.add("body", "this route takes no body")
        return
    if body is None:
        if request_body.get("required") and not files:
            f.add("body", "this route needs a body")
        return
    if "application/json" not in request_body["content"]:
        f.add("body", "this route takes no JSON body")
        return
    if files and "multipart/form-data" not in request_body["content"]:
        f.add("files", "this route takes no files")
    sent = _library_ids(_library_fields(route, body))
    _errors(f, f"{route.pointer}/requestBody/content/application~1json/schema", sent, "body")


def _library_fields(route: Route, body: Any) -> Any:
    """Fields discord.py 2.7 adds to every request of a kind, whatever the caller passes, that the
    spec does not list (Discord accepts them). Not in specs/README.md's list of the library's
    quirks, which predates them; each is dropped only with the exact value the library sends:
    - every embed's `flags: 0` (Embed.to_dict);
    - `tts: false` in an UPDATE_MESSAGE callback's data (interaction_message_response_params);
    - `nsfw: false` on each registered command (Command.to_dict)."""
    body = copy.deepcopy(body)

    def embeds_of(message: Any) -> None:
        for embed in (message.get("embeds") or []) if isinstance(message, dict) else []:
            if isinstance(embed, dict) and embed.get("flags") == 0:
                del embed["flags"]

    if isinstance(body, dict):
        embeds_of(body)
        data = body.get("data")
        embeds_of(data)
        update = route.template.endswith("/callback") and body.get("type") == 7
        if update and isinstance(data, dict) and data.get("tts") is False:
            del data["tts"]
    if route.template.endswith("/commands") and isinstance(body, list):
        for command in body:
            if isinstance(command, dict) and command.get("nsfw") is False:
                del command["nsfw"]
    return body


def _library_ids(node: Any, key: str = "") -> Any:
    """discord.py sends some ids as JSON numbers where the spec has strings of digits
    (allowed_mentions users and roles, recipient ids, attachment ids): the library's, not ours
    (specs/README.md). Turn exactly those into strings before validating."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ("recipient_id", "id") and isinstance(v, int) and key in ("", "attachments"):
                v = str(v)
            out[k] = _library_ids(v, k)
        return out
    if isinstance(node, list):
        if key in ("users", "roles"):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in node]
        return [_library_ids(v, key) for v in node]
    return node


def _limits(f: Findings, route: Route, body: Any) -> None:
    template = route.template
    if template in ("/channels/{channel_id}/messages", "/webhooks/{webhook_id}/{webhook_token}") or (
        template.endswith("/messages/@original")
    ):
        check_message(f, body, "body")
    elif template.endswith("/callback") and isinstance(body, dict):
        data = body.get("data") or {}
        if body.get("type") in MESSAGE_CALLBACKS:
            check_message(f, data, "body.data")
        elif body.get("type") == MODAL:
            check_modal(f, data, "body.data")
        elif body.get("type") == AUTOCOMPLETE_RESULT:
            f.more_than("body.data.choices", data.get("choices"), 25)
    elif template.endswith("/threads") and isinstance(body, dict):
        f.longer_than("body.name", body.get("name"), 100, 1)
        if body.get("auto_archive_duration") not in (None, 60, 1440, 4320, 10080):
            f.add("body.auto_archive_duration", "one of 60, 1440, 4320, 10080")
    elif template.endswith("/commands") and isinstance(body, list):
        for i, command in enumerate(body):
            check_command(f, command, f"body[{i}]")


def check_message(f: Findings, message: Any, where: str) -> None:
    if not isinstance(message, dict):
        return
    f.longer_than(f"{where}.content", message.get("content"), CONTENT)
    f.longer_than(f"{where}.nonce", message.get("nonce"), 25)
    embeds = message.get("embeds") or []
    f.more_than(f"{where}.embeds", embeds, 10)
    total = 0
    for i, embed in enumerate(embeds):
        at = f"{where}.embeds[{i}]"
        total += _embed(f, embed, at)
    if total > EMBEDS_TOTAL:
        f.add(f"{where}.embeds", f"{total} characters in all embeds; the limit is {EMBEDS_TOTAL}")
    mentions = message.get("allowed_mentions")
    if isinstance(mentions, dict):
        parse = mentions.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and mentions.get(kind):
                f.add(
                    f"{where}.allowed_mentions", f"parse has {kind!r} and a {kind} list: Discord refuses both"
                )
            f.more_than(f"{where}.allowed_mentions.{kind}", mentions.get(kind), 100)
    _components(f, message.get("components") or [], f"{where}.components")


def _embed(f: Findings, embed: Any, at: str) -> int:
    if not isinstance(embed, dict):
        return 0
    f.longer_than(f"{at}.title", embed.get("title"), 256)
    f.longer_than(f"{at}.description", embed.get("description"), 4096)
    fields = embed.get("fields") or []
    f.more_than(f"{at}.fields", fields, 25)
    texts = [embed.get("title"), embed.get("description")]
    for j, field in enumerate(fields):
        f.longer_than(f"{at}.fields[{j}].name", field.get("name"), 256)
        f.longer_than(f"{at}.fields[{j}].value", field.get("value"), 1024)
        texts += [field.get("name"), field.get("value")]
    footer, author = embed.get("footer") or {}, embed.get("author") or {}
    f.longer_than(f"{at}.footer.text", footer.get("text"), 2048)
    f.longer_than(f"{at}.author.name", author.get("name"), 256)
    texts += [footer.get("text"), author.get("name")]
    return sum(length(t) for t in texts if isinstance(t, str))


def _components(f: Findings, rows: list[Any], where: str) -> None:
    action_rows = [r for r in rows if isinstance(r, dict) and r.get("type") == ACTION_ROW]
    f.more_than(where, action_rows, ACTION_ROWS)
    custom_ids: set[str] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW:
            continue
        buttons = [c for c in row.get("components") or [] if c.get("type") == BUTTON]
        f.more_than(f"{where}[{i}].components", buttons, BUTTONS_PER_ROW)
        for j, component in enumerate(row.get("components") or []):
            at = f"{where}[{i}].components[{j}]"
            f.longer_than(f"{at}.label", component.get("label"), 80)
            custom_id = component.get("custom_id")
            if component.get("type") == BUTTON and component.get("style") == LINK_STYLE:
                if custom_id is not None or not component.get("url"):
                    f.add(at, "a link button has a url and no custom_id")
                continue
            if not isinstance(custom_id, str):
                f.add(f"{at}.custom_id", "required")
                continue
            f.longer_than(f"{at}.custom_id", custom_id, 100, 1)
            if custom_id in custom_ids:
                f.add(f"{at}.custom_id", f"{custom_id!r} repeats; custom ids are unique per message")
            custom_ids.add(custom_id)


def check_modal(f: Findings, modal: Any, where: str) -> None:
    if not isinstance(modal, dict):
        return
    f.longer_than(f"{where}.title", modal.get("title"), 45, 1)
    f.longer_than(f"{where}.custom_id", modal.get("custom_id"), 100, 1)
    components = modal.get("components") or []
    f.more_than(f"{where}.components", components, 5, 1)
    for i, component in enumerate(components):
        at = f"{where}.components[{i}]"
        inner = component.get("components") or [component.get("component")]
        f.longer_than(f"{at}.label", component.get("label"), 45)
        for j, item in enumerate(inner):
            if isinstance(item, dict) and item.get("type") == TEXT_INPUT:
                f.longer_than(f"{at}.components[{j}].label", item.get("label"), 45)
                f.longer_than(f"{at}.components[{j}].custom_id", item.get("custom_id"), 100, 1)


def check_command(f: Findings, command: Any, where: str) -> None:
    if not isinstance(command, dict):
        return
    chat_input = command.get("type", CHAT_INPUT) == CHAT_INPUT
    _name(f, command.get("name"), f"{where}.name", chat_input)
    if chat_input:
        f.longer_than(f"{where}.description", command.get("description"), 100, 1)
    total = _options(f, command.get("options") or [], f"{where}.options")
    total += sum(length(command.get(k) or "") for k in ("name", "description"))
    if total > COMMAND_TOTAL:
        f.add(where, f"{total} characters of names, descriptions and values; the limit is {COMMAND_TOTAL}")


def _name(f: Findings, name: Any, where: str, chat_input: bool) -> None:
    if not isinstance(name, str):
        f.add(where, "required")
    elif chat_input and (not _command_name(name) or name != name.lower()):
        f.add(where, f"{name!r} is not a lower-case command name of 1–32 letters, digits, - _ '")


def _command_name(name: str) -> bool:
    return 1 <= len(name) <= 32 and all(
        char in "-_'"
        or unicodedata.category(char)[0] in "LN"
        or any(low <= char <= high for low, high in SCRIPT_BLOCKS)
        for char in name
    )


def _options(f: Findings, options: list[Any], where: str) -> int:
    f.more_than(where, options, 25)
    total = 0
    for i, option in enumerate(options):
        at = f"{where}[{i}]"
        _name(f, option.get("name"), f"{at}.name", True)
        f.longer_than(f"{at}.description", option.get("description"), 100, 1)
        total += sum(length(option.get(k) or "") for k in ("name", "description"))
        choices = option.get("choices") or []
        f.more_than(f"{at}.choices", choices, 25)
        total += sum(length(c.get("name") or "") + length(str(c.get("value", ""))) for c in choices)
        if option.get("type") in SUBCOMMANDS:
            total += _options(f, option.get("options") or [], f"{at}.options")
    return total
