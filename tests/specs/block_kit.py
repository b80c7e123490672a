"""Block Kit's documented limits (Slack's Block Kit reference, as listed in specs/README.md),
which the Web API spec leaves out: it types `blocks` and `view` as plain strings."""

from __future__ import annotations

from typing import Any

from tests.specs import Findings, length

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # a modal or the Home tab
# Slack has refused block messages near 13,000 characters of block text (`msg_blocks_too_long`,
# specs/README.md: reported, not documented); stay clear of it.
MESSAGE_BLOCK_TEXT = 12_000
MESSAGE_TEXT = 40_000  # past it Slack truncates

BLOCK_TYPES = {
    "actions", "context", "divider", "file", "header", "image", "input", "markdown",
    "rich_text", "section", "video",
}  # fmt: skip
SELECTS = {"static_select", "multi_static_select", "external_select", "multi_external_select"}
PICKERS = {
    "users_select", "multi_users_select", "conversations_select", "multi_conversations_select",
    "channels_select", "multi_channels_select", "datepicker", "timepicker", "datetimepicker",
    "plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input",
    "file_input",
}  # fmt: skip
CHOICES = {"checkboxes": 10, "radio_buttons": 10, "overflow": 5}


def check_message(f: Findings, blocks: Any, where: str = "blocks") -> None:
    if not isinstance(blocks, list):
        f.add(where, "must be a JSON array of blocks")
        return
    f.more_than(where, blocks, MESSAGE_BLOCKS)
    _blocks(f, blocks, where)
    text = sum(length(t) for t in _texts(blocks))
    if text > MESSAGE_BLOCK_TEXT:
        f.add(where, f"{text} characters of block text; Slack refuses near 13,000 (msg_blocks_too_long)")


def check_text(f: Findings, text: Any, where: str = "text") -> None:
    if isinstance(text, str) and length(text) > MESSAGE_TEXT:
        f.add(where, f"{length(text)} characters; Slack truncates past {MESSAGE_TEXT}")


def check_view(f: Findings, view: Any, where: str = "view") -> None:
    if not isinstance(view, dict):
        f.add(where, "must be a JSON object")
        return
    kind = view.get("type")
    if kind not in ("modal", "home"):
        f.add(f"{where}.type", f"{kind!r} is not a view type (modal, home)")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        f.add(f"{where}.blocks", "required: a JSON array of blocks")
    else:
        f.more_than(f"{where}.blocks", blocks, SURFACE_BLOCKS)
        _blocks(f, blocks, f"{where}.blocks")
    if kind == "modal":
        if "title" not in view:
            f.add(f"{where}.title", "a modal needs a title")
        for key in ("title", "submit", "close"):
            if key in view:
                _text_object(f, view[key], f"{where}.{key}", 24, plain=True)
        if "submit" not in view and any(
            b.get("type") == "input" for b in blocks or [] if isinstance(b, dict)
        ):
            f.add(f"{where}.submit", "a modal with input blocks needs a submit button")
    f.longer_than(f"{where}.private_metadata", view.get("private_metadata"), 3000)
    f.longer_than(f"{where}.callback_id", view.get("callback_id"), 255)
    f.longer_than(f"{where}.external_id", view.get("external_id"), 255)


def _blocks(f: Findings, blocks: list[Any], where: str) -> None:
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}[{i}]"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            f.add(at, "a block is an object with a `type`")
            continue
        kind = block["type"]
        if kind not in BLOCK_TYPES:
            f.add(f"{at}.type", f"{kind!r} is not a Block Kit block type")
        block_id = block.get("block_id")
        if block_id is not None:
            f.longer_than(f"{at}.block_id", block_id, 255)
            if block_id in block_ids:
                f.add(f"{at}.block_id", f"{block_id!r} repeats; block ids are unique per message or view")
            block_ids.add(block_id)
        if kind == "section":
            if "text" not in block and "fields" not in block:
                f.add(at, "a section needs text or fields")
            if "text" in block:
                _text_object(f, block["text"], f"{at}.text", 3000)
            if "fields" in block:
                f.more_than(f"{at}.fields", block["fields"], 10, 1)
                for j, field in enumerate(block["fields"] or []):
                    _text_object(f, field, f"{at}.fields[{j}]", 2000)
            if "accessory" in block:
                _element(f, block["accessory"], f"{at}.accessory")
        elif kind == "header":
            _text_object(f, block.get("text"), f"{at}.text", 150, plain=True)
        elif kind == "context":
            elements = block.get("elements")
            f.more_than(f"{at}.elements", elements, 10, 1)
            for j, element in enumerate(elements or []):
                if isinstance(element, dict) and element.get("type") == "image":
                    _element(f, element, f"{at}.elements[{j}]")
                else:
                    _text_object(f, element, f"{at}.elements[{j}]", 3000)
        elif kind == "actions":
            elements = block.get("elements")
            f.more_than(f"{at}.elements", elements, 25, 1)
            action_ids: set[str] = set()
            for j, element in enumerate(elements or []):
                _element(f, element, f"{at}.elements[{j}]")
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if action_id is not None and action_id in action_ids:
                    f.add(f"{at}.elements[{j}].action_id", f"{action_id!r} repeats within the block")
                action_ids.add(action_id)
        elif kind == "input":
            _text_object(f, block.get("label"), f"{at}.label", 2000, plain=True)
            if "hint" in block:
                _text_object(f, block["hint"], f"{at}.hint", 2000, plain=True)
            _element(f, block.get("element"), f"{at}.element")
        elif kind == "image":
            _element(f, block, at)


def _element(f: Findings, element: Any, where: str) -> None:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        f.add(where, "an element is an object with a `type`")
        return
    kind = element["type"]
    f.longer_than(f"{where}.action_id", element.get("action_id"), 255)
    if "placeholder" in element:
        _text_object(f, element["placeholder"], f"{where}.placeholder", 150, plain=True)
    if kind == "button":
        _text_object(f, element.get("text"), f"{where}.text", 75, plain=True)
        f.longer_than(f"{where}.value", element.get("value"), 2000)
        f.longer_than(f"{where}.url", element.get("url"), 3000)
        if element.get("style") not in (None, "primary", "danger"):
            f.add(f"{where}.style", f"{element['style']!r} is not a button style (primary, danger)")
    elif kind == "image":
        f.longer_than(f"{where}.image_url", element.get("image_url"), 3000)
        f.longer_than(f"{where}.alt_text", element.get("alt_text"), 2000, 1)
    elif kind in SELECTS:
        if "options" in element:
            f.more_than(f"{where}.options", element["options"], 100, 1)
            _options(f, element["options"], f"{where}.options")
        if "option_groups" in element:
            f.more_than(f"{where}.option_groups", element["option_groups"], 100, 1)
            for j, group in enumerate(element["option_groups"] or []):
                _text_object(f, group.get("label"), f"{where}.option_groups[{j}].label", 75, plain=True)
                f.more_than(f"{where}.option_groups[{j}].options", group.get("options"), 100, 1)
                _options(f, group.get("options") or [], f"{where}.option_groups[{j}].options")
        if kind.endswith("static_select") and "options" not in element and "option_groups" not in element:
            f.add(where, "a static select needs options or option_groups")
    elif kind in CHOICES:
        f.more_than(f"{where}.options", element.get("options"), CHOICES[kind], 1)
        _options(f, element.get("options") or [], f"{where}.options")
    elif kind == "plain_text_input":
        if isinstance(element.get("max_length"), int) and element["max_length"] > 3000:
            f.add(f"{where}.max_length", "at most 3000")
    elif kind not in PICKERS:
        f.add(f"{where}.type", f"{kind!r} is not a Block Kit element type")


def check_options(f: Findings, body: dict[str, Any]) -> None:
    """The answer to a select's `block_suggestion`: at most 100 options (or option groups)."""
    if "options" in body:
        f.more_than("options", body["options"], 100)
        _options(f, body["options"] or [], "options")
    for j, group in enumerate(body.get("option_groups") or []):
        _text_object(f, group.get("label"), f"option_groups[{j}].label", 75, plain=True)
        f.more_than(f"option_groups[{j}].options", group.get("options"), 100, 1)
        _options(f, group.get("options") or [], f"option_groups[{j}].options")


def _options(f: Findings, options: list[Any], where: str) -> None:
    for j, option in enumerate(options):
        at = f"{where}[{j}]"
        if not isinstance(option, dict):
            f.add(at, "an option is an object")
            continue
        _text_object(f, option.get("text"), f"{at}.text", 75)
        if not isinstance(option.get("value"), str):
            f.add(f"{at}.value", "required: a string")
        f.longer_than(f"{at}.value", option.get("value"), 150)
        if "description" in option:
            _text_object(f, option["description"], f"{at}.description", 75)


def _text_object(f: Findings, obj: Any, where: str, limit: int, *, plain: bool = False) -> None:
    if not isinstance(obj, dict):
        f.add(where, "required: a text object")
        return
    kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
    if obj.get("type") not in kinds:
        f.add(f"{where}.type", f"{obj.get('type')!r}; expected {' or '.join(kinds)}")
    if not isinstance(obj.get("text"), str):
        f.add(f"{where}.text", "required: a string")
        return
    f.longer_than(f"{where}.text", obj["text"], limit, 1)


def _texts(node: Any) -> list[str]:
    """Every text object's text in a block tree: what Slack counts towards a message's size."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if isinstance(node, dict):
        own = (
            [node["text"]]
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str)
            else []
        )
        return own + [t for key, value in node.items() if key != "text" or not own for t in _texts(value)]
    return []
