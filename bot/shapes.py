"""What a platform's payload must look like, said as a table rather than as code: each kind of
payload is a `Shape`, a field table (key → `Field`: its type, whether it must be there, the
pattern a string must match, the shape of what it holds) and, where fields depend on each other,
one rule. `problem` walks a payload against a shape and names the first thing wrong with it.

Pure and platform-neutral: an adapter declares its platform's shapes (Slack's are in
adapters/slack/inbound.py) and refuses what does not fit before anything acts on it. The
reasons are short fixed phrases (`missing_user`, `bad_trigger_id`), safe to log and to answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Field:
    """One field: `kind` is its JSON type (str, int, bool, dict, list). A dict's own fields are
    `shape`; a list's items, or a dict's values whatever their keys, are each `each`."""

    kind: type
    required: bool = False
    pattern: re.Pattern[str] | None = None
    shape: Shape | None = None
    each: Field | None = None


@dataclass(frozen=True, slots=True)
class Shape:
    """A field table, and a rule over the whole object (None, or the reason it is refused)."""

    fields: Mapping[str, Field] = field(default_factory=dict)
    rule: Callable[[dict[str, Any]], str | None] | None = None

    def plus(
        self, fields: Mapping[str, Field], rule: Callable[[dict[str, Any]], str | None] | None = None
    ) -> Shape:
        """This shape with more fields and, when given, another rule (both must hold)."""
        if rule is None or self.rule is None:
            return Shape({**self.fields, **fields}, rule or self.rule)
        first, second = self.rule, rule
        return Shape({**self.fields, **fields}, lambda node: first(node) or second(node))


def need(kind: type, pattern: re.Pattern[str] | None = None, **more: Any) -> Field:
    """A field the payload must have."""
    return Field(kind, True, pattern, **more)


def may(kind: type, pattern: re.Pattern[str] | None = None, **more: Any) -> Field:
    """A field the payload may leave out (or send as null), checked when it is there."""
    return Field(kind, False, pattern, **more)


def problem(node: dict[str, Any], shape: Shape) -> str | None:
    """The first reason `node` does not fit `shape`, or None when it fits."""
    for key, spec in shape.fields.items():
        value = node.get(key)
        if value is None:
            if spec.required:
                return f"missing_{key}"
            continue
        if (reason := _value_problem(value, spec, key)) is not None:
            return reason
    return shape.rule(node) if shape.rule is not None else None


def _value_problem(value: Any, spec: Field, key: str) -> str | None:
    kind: Any = spec.kind  # (so that `value` stays Any below)
    # bool is an int to isinstance, and `true` is no time of day.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        return f"bad_{key}"
    if spec.pattern is not None and not spec.pattern.fullmatch(value):
        return f"bad_{key}"
    if spec.shape is not None and (reason := problem(value, spec.shape)) is not None:
        return reason
    if spec.each is not None:
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if item is None:
                return f"bad_{key}"
            if (reason := _value_problem(item, spec.each, key)) is not None:
                return reason
    return None


def unstorable(node: Any) -> str | None:
    """Why some string in `node` cannot go into a database column (a NUL, which PostgreSQL
    refuses; a lone surrogate, which UTF-8 cannot encode), or a number is no JSON number; None
    when all is well. Walked with a stack: a payload is as deep as JSON allows."""
    stack: list[Any] = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            if "\x00" in node:
                return "nul_character"
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return "lone_surrogate"
        elif isinstance(node, float) and not math.isfinite(node):
            return "malformed_json"
    return None
