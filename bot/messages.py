"""What the core says, as meaning rather than layout; every adapter renders each kind.

Texts arrive already in the program's language. Mentions are written `<@USER_ID>`, the
form Slack and Discord share; the console adapter swaps them for display names.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Style(StrEnum):
    PRIMARY = "primary"
    DEFAULT = "default"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    action_id: str
    label: str
    style: Style = Style.DEFAULT


@dataclass(frozen=True, slots=True)
class PersonLine:
    user_id: str
    detail: str  # division, local time zone, interests: already worded


# Where a message goes.
@dataclass(frozen=True, slots=True)
class ToChannel:
    channel_id: str


@dataclass(frozen=True, slots=True)
class ToGroup:
    """A group's own conversation, opened on first use (a Slack group DM, a Discord thread)."""

    group_id: int
    user_ids: tuple[str, ...]
    parent_channel_id: str  # where a platform that cannot open group DMs makes a private thread
    title: str


@dataclass(frozen=True, slots=True)
class ToUser:
    user_id: str


Destination = ToChannel | ToGroup | ToUser


# What is said.
@dataclass(frozen=True, slots=True)
class RoundAnnouncement:
    title: str
    text: str
    groups: tuple[tuple[str, ...], ...]  # user ids per group, for mentions
    group_lines: tuple[str, ...]  # the first groups only (see rounds.ANNOUNCED_GROUPS_MAX)
    footer: str
    more: str = ""  # "… and 570 more." when groups were left out of the list


@dataclass(frozen=True, slots=True)
class Intro:
    group_id: int
    title: str
    text: str
    people: tuple[PersonLine, ...]
    reasons: tuple[str, ...]
    icebreaker: str
    window: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class CheckIn:
    group_id: int
    text: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class ShoutOut:
    title: str
    text: str
    recipients: tuple[str, ...]
    giver: str | None  # None when Jembatan itself celebrates a milestone
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """A direct word to one person: why they sit out a round, a nudge, a question."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class StatsReport:
    title: str
    text: str
    rows: tuple[tuple[str, str], ...]


Message = RoundAnnouncement | Intro | CheckIn | ShoutOut | Notice | StatsReport
MESSAGE_KINDS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (RoundAnnouncement, Intro, CheckIn, ShoutOut, Notice, StatsReport)
}
DESTINATION_KINDS: dict[str, type[Any]] = {cls.__name__: cls for cls in (ToChannel, ToGroup, ToUser)}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    title: str
    mime_type: str = "image/png"


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one person's command, shown only to them."""

    text: str
    message: Message | None = None
    attachments: tuple[Attachment, ...] = ()
    update: str | None = None  # for a button click: the new text for the clicked message


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data and f.default is not dataclasses.MISSING:
            continue  # a field added since the row was queued
        value = data[f.name]
        if f.name == "buttons":
            value = tuple(Button(b["action_id"], b["label"], Style(b["style"])) for b in value)
        elif f.name == "people":
            value = tuple(PersonLine(**p) for p in value)
        elif f.name in ("groups", "rows"):
            value = tuple(tuple(g) for g in value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def dump(item: Message | Destination) -> str:
    return json.dumps({"kind": type(item).__name__, "data": _plain(item)}, ensure_ascii=False)


def load_message(raw: str) -> Message:
    doc = json.loads(raw)
    return _build(MESSAGE_KINDS[doc["kind"]], doc["data"])  # type: ignore[no-any-return]


def load_destination(raw: str) -> Destination:
    doc = json.loads(raw)
    return _build(DESTINATION_KINDS[doc["kind"]], doc["data"])  # type: ignore[no-any-return]
