"""A round announcement stays within what Slack and Discord accept, however big the round.

A 1,200-person round once carried 12,420 characters of blocks; Slack refuses block messages
near 13,000 (msg_blocks_too_long) and a Discord embed holds 4,096 characters of description.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.domain.model import Lang
from bot.i18n import Texts
from bot.messages import RoundAnnouncement, dump, load_message
from bot.services.rounds import round_announcement

SLACK_TEXT_SAFE = 10_000  # total characters of block text (see /work/shared/specs/README.md)


def groups_of(members: int, ids: str) -> list[tuple[str, ...]]:
    """`members` people in groups of 4 (the largest size, so the longest lines), with ids as each
    platform makes them: Slack's "U" and 10 characters, Discord's 19-digit snowflakes."""
    people = [f"U{i:010d}" if ids == "slack" else str(1_100_000_000_000_000_000 + i) for i in range(members)]
    return [tuple(people[i : i + 4]) for i in range(0, members, 4)]


def texts_in(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def assert_slack_accepts(blocks: list[dict[str, Any]]) -> None:
    assert sum(len(text) for text in texts_in(blocks)) < SLACK_TEXT_SAFE
    assert len(blocks) <= 50
    for block in blocks:
        match block["type"]:
            case "header":
                assert len(block["text"]["text"]) <= 150
            case "section":
                assert len(block["text"]["text"]) <= 3000
            case "context":
                assert 1 <= len(block["elements"]) <= 10
                assert all(len(e["text"]) <= 3000 for e in block["elements"])


def assert_discord_accepts(rendered: discord_render.Rendered) -> None:
    assert rendered.content is None or len(rendered.content) <= 2000
    embed = rendered.embed
    assert embed is not None
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= 6000  # discord.py's own count: title, description, fields, footer, author
    assert len(rendered.allowed_mentions().to_dict().get("users", [])) <= 100


@pytest.mark.parametrize("lang, more", [(Lang.EN, "… and {n} more."), (Lang.ID, "… dan {n} lainnya.")])
@pytest.mark.parametrize("members", [1_200, 5_000])
def test_a_big_rounds_announcement_lists_some_groups_and_says_how_many_more(
    members: int, lang: Lang, more: str
) -> None:
    groups = groups_of(members, "slack")
    announcement = round_announcement(Texts(lang), groups)
    assert len(announcement.group_lines) == 30
    assert announcement.more == more.format(n=len(groups) - 30)
    assert str(len(groups)) in announcement.text  # the whole round is still counted


@pytest.mark.parametrize("lang", [Lang.EN, Lang.ID])
@pytest.mark.parametrize("members", [1_200, 5_000])
def test_a_big_rounds_announcement_fits_a_slack_message(members: int, lang: Lang) -> None:
    shown = slack_render.render(round_announcement(Texts(lang), groups_of(members, "slack")))
    assert_slack_accepts(shown.blocks)
    said = "\n".join(texts_in(shown.blocks))
    assert f"<@U{29 * 4:010d}>" in said and f"<@U{30 * 4:010d}>" not in said
    assert str(members // 4 - 30) in said


@pytest.mark.parametrize("lang", [Lang.EN, Lang.ID])
@pytest.mark.parametrize("members", [1_200, 5_000])
def test_a_big_rounds_announcement_fits_a_discord_embed(members: int, lang: Lang) -> None:
    rendered = discord_render.render(round_announcement(Texts(lang), groups_of(members, "discord")))
    assert_discord_accepts(rendered)
    assert str(members // 4 - 30) in (rendered.embed.description or "")  # type: ignore[union-attr]


def test_a_small_round_lists_every_group_and_no_more_line() -> None:
    announcement = round_announcement(Texts(Lang.EN), groups_of(120, "slack"))
    assert len(announcement.group_lines) == 30 and announcement.more == ""


@pytest.mark.parametrize("members", [1_200, 5_000])
def test_an_unbounded_list_queued_before_the_limit_still_renders_within_limits(members: int) -> None:
    # An outbox row written by an earlier version lists every group and has no `more`.
    groups = groups_of(members, "discord")
    lines = tuple(" × ".join(f"<@{u}>" for u in g) for g in groups)
    data = {"title": "🌉 New pairs", "text": "x", "groups": groups, "group_lines": lines, "footer": "f"}
    old = load_message(json.dumps({"kind": "RoundAnnouncement", "data": data}))
    assert isinstance(old, RoundAnnouncement) and old.more == ""
    assert_slack_accepts(slack_render.render(old).blocks)
    assert_discord_accepts(discord_render.render(old))
    assert load_message(dump(old)) == old
