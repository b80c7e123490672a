"""Core messages as Block Kit: a pure function per kind, within Slack's size limits.

Texts arrive worded and localized, with mentions already in Slack's `<@U…>` form. What is
added here is layout only, plus one guard: a special mention (`<!here>`, `<!channel>`,
`<!subteam^…>`) never survives into a post, wherever in the text it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from bot.domain import markup
from bot.domain.lengths import cut, listed, packed, units
from bot.messages import (
    Button,
    CheckIn,
    Intro,
    Message,
    Notice,
    RoundAnnouncement,
    ShoutOut,
    StatsReport,
    Style,
)

Block = dict[str, Any]

SECTION_MAX = 3000  # characters in a section's text
HEADER_MAX = 150
BUTTON_MAX = 75
FIELD_MAX = 2000
BLOCKS_MAX = 50
FALLBACK_MAX = 3000  # the notification text; the blocks carry the rest
# Slack refuses block messages near 13,000 characters of text (msg_blocks_too_long: seen, not
# documented), so a long list stops here and says how many more there are.
BLOCK_TEXT_MAX = 10_000
STATUS_BLOCK = "jb-status"  # the context line a button click writes on the message
ACTIONS_BLOCK = "jb-actions"


@dataclass(frozen=True)
class Rendered:
    text: str  # the notification and accessibility fallback
    blocks: list[Block] = field(default_factory=list)


def safe(text: str) -> str:
    """Keep the words of a special mention (`<!here>`, `<!group>`, `<!subteam^…>`), lose the ping."""
    return markup.slack_calm(text)


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": cut(safe(text), SECTION_MAX)}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(safe(text), limit), "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def header(text: str) -> Block:
    return {"type": "header", "text": _plain(text, HEADER_MAX)}


def title(text: str) -> Block:
    """A header, unless the title mentions someone: plain text would show `<@U1>` literally."""
    if "<@" in text or "<#" in text:
        return section(f"*{text}*")
    return header(text)


def context(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [_mrkdwn(text)]}
    if block_id:
        block["block_id"] = block_id
    return block


def sections(lines: Iterable[str]) -> list[Block]:
    """Lines packed into as few sections as the size limit allows."""
    return [section(piece) for piece in packed(lines, SECTION_MAX)]


def button(b: Button) -> Block:
    # The value repeats the id: a click whose value differs was not made on a button we sent.
    element: Block = {
        "type": "button",
        "action_id": b.action_id,
        "text": _plain(b.label, BUTTON_MAX),
        "value": b.action_id,
    }
    if b.style is not Style.DEFAULT:
        element["style"] = b.style.value
    return element


def actions(buttons: Sequence[Button]) -> list[Block]:
    if not buttons:
        return []
    return [{"type": "actions", "block_id": ACTIONS_BLOCK, "elements": [button(b) for b in buttons[:25]]}]


def _fit(blocks: list[Block]) -> list[Block]:
    if len(blocks) <= BLOCKS_MAX:
        return blocks
    tail = [b for b in blocks[-2:] if b.get("type") in ("actions", "context")]
    return [*blocks[: BLOCKS_MAX - 1 - len(tail)], context("…"), *tail]


def render(message: Message) -> Rendered:
    """The message's blocks, within Slack's limits, and its notification text."""
    fallback, blocks = _blocks(message)
    return Rendered(cut(safe(fallback), FALLBACK_MAX), _fit(blocks))


def _blocks(message: Message) -> tuple[str, list[Block]]:
    """What the notification says (the heading, mostly) and the blocks, one kind at a time."""
    match message:
        case RoundAnnouncement(heading, text, _, group_lines, footer, more):
            # The core lists a bounded number of groups and says how many more; this holds for
            # any list (a row queued before that bound, say) by keeping whole lines to a budget.
            budget = BLOCK_TEXT_MAX - sum(units(t) for t in (heading, text, footer, more))
            shown = listed([f"• {line}" for line in group_lines], budget, SECTION_MAX)
            blocks = [title(heading), section(text), *sections([*shown, *([more] if more else [])])]
            return heading, [*blocks, context(footer)]
        case Intro(_, heading, text, people, reasons, icebreaker, window, buttons):
            blocks = [title(heading), section(text)]
            # A person's own words (division, interests): plain, even if stored before they were.
            blocks += sections(f"<@{p.user_id}> · {markup.plain(p.detail)}" for p in people)
            if reasons:
                blocks.append(context("\n".join(f"✓ {r}" for r in reasons)))
            return f"{heading} {text}", [*blocks, section(icebreaker), section(window), *actions(buttons)]
        case CheckIn(_, text, buttons) | Notice(text, buttons):
            return text, [section(text), *actions(buttons)]
        case ShoutOut(heading, text, _, _, tags):
            # The giver's own words: their mentions stay, a labelled link shows its address.
            blocks = [section(f"*{heading}*"), section(markup.slack_shown(text))]
            return heading, [*blocks, *([context(" ".join(f"#{tag}" for tag in tags))] if tags else [])]
        case StatsReport(heading, _, rows):
            fields = [_mrkdwn(cut(f"*{label}*\n{value}", FIELD_MAX)) for label, value in rows]
            tens = [{"type": "section", "fields": fields[i : i + 10]} for i in range(0, len(fields), 10)]
            return heading, [title(heading), *tens]
        case _:
            assert_never(message)


def with_status(blocks: Sequence[Block], status: str, cause: str) -> list[Block]:
    """The clicked message with its status line replaced: the buttons stay, so the group can
    still change its answer (not yet → met), and everyone in the conversation sees who said what.
    The line's block id remembers the button that wrote it (`cause`)."""
    kept = [b for b in blocks if not str(b.get("block_id", "")).startswith(STATUS_BLOCK)]
    line = context(status, f"{STATUS_BLOCK}:{cause}"[:255])
    at = next((i for i, b in enumerate(kept) if b.get("block_id") == ACTIONS_BLOCK), len(kept))
    return [*kept[:at], line, *kept[at:]]


def status_cause(blocks: Sequence[Block]) -> str | None:
    """Which button wrote the message's status line, as Slack sends the message back to us."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if block_id.startswith(STATUS_BLOCK + ":"):
            return block_id.removeprefix(STATUS_BLOCK + ":")
    return None


def reply_blocks(text: str) -> list[Block]:
    """A long answer (a preview of 500 groups) split into sections Slack accepts."""
    return _fit(sections(listed(text.split("\n"), BLOCK_TEXT_MAX, SECTION_MAX)))
