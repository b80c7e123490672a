"""Block Kit for every message kind: golden files, Slack's size limits, no mass pings."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from adapters.slack.render import (
    BLOCKS_MAX,
    SECTION_MAX,
    Rendered,
    context,
    render,
    reply_blocks,
    with_status,
)
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
from tests.specs import slack_spec

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


def posted(shown: Rendered) -> list[str]:
    """What Slack's spec and Block Kit's limits (tests/specs) say of posting this."""
    args = {"channel": "C1", "text": shown.text, "blocks": json.dumps(shown.blocks)}
    return [str(v) for v in slack_spec.check_call("chat.postMessage", args, token_in_header=True)]


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_message_kind_is_a_post_slack_accepts(kind: str) -> None:
    assert posted(render(SAMPLES[kind])) == []


def test_a_round_of_a_thousand_pairs_fits_in_one_message_and_says_how_many_more() -> None:
    # Slack refused a 1,200-person round's announcement (12,420 characters of blocks) as too long.
    groups = tuple((f"U{2 * i:05d}", f"U{2 * i + 1:05d}") for i in range(1000))
    lines = tuple(f"<@{a}> × <@{b}>" for a, b in groups)
    shown = render(RoundAnnouncement("Title " * 40, "text", groups, lines, "footer"))
    assert posted(shown) == []
    assert len(shown.blocks) <= BLOCKS_MAX
    assert all(len(b.get("text", {}).get("text", "")) <= SECTION_MAX for b in shown.blocks)
    assert shown.blocks[0]["type"] == "header" and len(shown.blocks[0]["text"]["text"]) <= 150
    text = "\n".join(b["text"]["text"] for b in shown.blocks if b["type"] == "section")
    listed = text.count(" × ")
    assert 300 < listed < 1000 and "<@U00000> × <@U00001>" in text
    assert text.endswith(f"… (+{1000 - listed})")  # the groups left out are counted
    assert shown.blocks[-1] == context("footer")


def test_a_long_answer_is_cut_to_what_slack_accepts() -> None:
    # A preview of 600 groups, as `round preview` answers it.
    text = "\n".join(f"Group {i}: <@U{i:05d}> × <@U{i + 1:05d}> · Finance × Sales" for i in range(600))
    blocks = reply_blocks(text)
    assert slack_spec.check_response_url({"text": "…", "blocks": blocks}) == []
    assert blocks[-1]["text"]["text"].endswith(")") and "… (+" in blocks[-1]["text"]["text"]


def test_limits_are_counted_in_utf16_units_so_emoji_fit_too() -> None:
    # Neither platform says whether it counts code points or UTF-16 units (an emoji is two).
    shown = render(ShoutOut("🎉" * 200, "🎉" * 2999, ("U2",), "U1"))
    assert posted(shown) == []
    assert shown.blocks[1]["text"]["text"] == "🎉" * 1499 + "…"


def test_a_status_line_replaces_the_last_one_and_keeps_the_buttons() -> None:
    blocks = render(SAMPLES["Intro"]).blocks
    once = with_status(blocks, "✅ <@U1> says you met", "jb:meetup:7:met")
    twice = with_status(once, "⏳ <@U2> says not yet", "jb:meetup:7:not_yet")
    assert len(twice) == len(blocks) + 1
    assert twice[-1]["type"] == "actions" and twice[-2]["block_id"] == "jb-status:jb:meetup:7:not_yet"


def test_a_shout_out_shows_where_its_links_go_and_pings_no_group() -> None:
    giver_words = (
        "<https://evil.example/sso|https://docs.example> thanks <!group> and <!subteam^S0ENG|@eng>, "
        "with <@U3>"
    )
    shown = render(ShoutOut("📣 <@U1> gives a shout-out to <@U2>", giver_words, ("U2",), "U1"))
    blocks = json.dumps(shown.blocks, ensure_ascii=False)
    # A link labelled with another address shows the address it really opens.
    assert "|https://docs.example>" not in blocks
    assert "https://docs.example (<https://evil.example/sso>)" in blocks
    assert "<!" not in blocks and "@\u200bgroup" in blocks and "@\u200beng" in blocks  # readable, not mangled
    assert "<@U3>" in blocks  # a person mentioned through Slack's own mention stays mentioned


def test_an_intro_shows_a_division_stored_before_it_was_plain_as_plain_words() -> None:
    intro = SAMPLES["Intro"]
    assert isinstance(intro, Intro)
    stored = PersonLine("U1", "<https://evil.example/sso|People Team (click to verify)> · Asia/Jakarta")
    shown = json.dumps(render(dataclasses.replace(intro, people=(stored,))).blocks, ensure_ascii=False)
    assert "People Team (click to verify) · Asia/Jakarta" in shown and "evil.example" not in shown
