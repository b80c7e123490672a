"""Block Kit for every message kind: golden files, Slack's size limits, no mass pings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.slack.render import BLOCKS_MAX, SECTION_MAX, render, with_status
from bot.messages import (
    MESSAGE_KINDS,
    Button,
    CheckIn,
    Intro,
    Message,
    Notice,
    PersonLine,
    RoundAnnouncement,
    ShoutOut,
    StatsReport,
    Style,
)

GOLDEN = Path(__file__).parent / "golden" / "blocks.json"
BUTTONS = (
    Button("jb:meetup:7:met", "We met ✅", Style.PRIMARY),
    Button("jb:meetup:7:not_yet", "Not yet"),
    Button("jb:meetup:7:skipped", "Skip this round", Style.DANGER),
)
SAMPLES: dict[str, Message] = {
    "RoundAnnouncement": RoundAnnouncement(
        "🌉 New Jembatan pairs are here!",
        "2 conversation(s) across our teams this round.",
        (("U1", "U2"), ("U3", "U4")),
        ("<@U1> × <@U2>", "<@U3> × <@U4>"),
        "Check your messages for your intro.",
    ),
    "Intro": Intro(
        7,
        "Hello <@U1> & <@U2> 👋",
        "You've been paired by Jembatan for this round.",
        (PersonLine("U1", "Finance · Asia/Jakarta"), PersonLine("U2", "Sales · Europe/Amsterdam")),
        ("You work in different divisions.",),
        "Icebreaker: you both like jazz – how did you get into it?",
        "Good time to meet: 14:00–17:00 Asia/Jakarta",
        BUTTONS,
    ),
    "CheckIn": CheckIn(7, "Halfway through the round, <@U1> & <@U2> – did you manage to meet?", BUTTONS),
    "ShoutOut": ShoutOut(
        "📣 <@U1> gives a shout-out to <@U2>", "shipped onboarding <!channel>", ("U2",), "U1", ("teamwork",)
    ),
    "Notice": Notice("We haven't heard from your group.", (Button("jb:stillin:1:keep", "Keep me in"),)),
    "StatsReport": StatsReport("Jembatan stats for <#C1>", "…", (("Rounds", "3"), ("Meetup rate", "67%"))),
}


def test_every_message_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(MESSAGE_KINDS)


def test_rendered_blocks_match_the_golden_file() -> None:
    shown = {
        kind: {"text": r.text, "blocks": r.blocks} for kind, r in ((k, render(m)) for k, m in SAMPLES.items())
    }
    if os.environ.get("JEMBATAN_UPDATE_GOLDEN"):  # a reviewed diff, never written silently
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(shown, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert shown == json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_no_special_mention_survives(kind: str) -> None:
    shown = render(SAMPLES[kind])
    assert "<!" not in json.dumps(shown.blocks) + shown.text


def test_a_round_of_a_thousand_pairs_fits_in_one_message() -> None:
    groups = tuple((f"U{2 * i:05d}", f"U{2 * i + 1:05d}") for i in range(1000))
    lines = tuple(f"<@{a}> × <@{b}>" for a, b in groups)
    shown = render(RoundAnnouncement("Title " * 40, "text", groups, lines, "footer"))
    assert len(shown.blocks) <= BLOCKS_MAX
    assert all(len(b.get("text", {}).get("text", "")) <= SECTION_MAX for b in shown.blocks)
    assert shown.blocks[0]["type"] == "header" and len(shown.blocks[0]["text"]["text"]) <= 150
    # The core lists 30 groups; a longer list (a row queued by an older version) is cut at a
    # whole line, under the block text Slack accepts (msg_blocks_too_long near 13,000).
    said = json.dumps(shown.blocks, ensure_ascii=False)
    assert "<@U00001>" in said and "<@U01999>" not in said
    assert shown.blocks[-2]["text"]["text"].endswith("<@U00811>\n…")
    texts = [b["text"]["text"] for b in shown.blocks if "text" in b]
    assert sum(map(len, texts)) < 10_000


def test_a_status_line_replaces_the_last_one_and_keeps_the_buttons() -> None:
    blocks = render(SAMPLES["Intro"]).blocks
    once = with_status(blocks, "✅ <@U1> says you met", "jb:meetup:7:met")
    twice = with_status(once, "⏳ <@U2> says not yet", "jb:meetup:7:not_yet")
    assert len(twice) == len(blocks) + 1
    assert twice[-1]["type"] == "actions" and twice[-2]["block_id"] == "jb-status:jb:meetup:7:not_yet"
