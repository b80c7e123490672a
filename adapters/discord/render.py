"""Core messages as Discord messages: content, one embed, persistent buttons, who may be pinged. Pure."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Protocol, assert_never

import discord

from bot.domain import markup
from bot.domain.lengths import cut as clip
from bot.domain.lengths import split, units
from bot.messages import (
    Attachment,
    Button,
    CheckIn,
    Intro,
    Message,
    Notice,
    Reply,
    RoundAnnouncement,
    ShoutOut,
    StatsReport,
    Style,
)

# Discord's limits: message content, embed description/title/footer, field value, pingable users.
CONTENT, DESCRIPTION, TITLE, FOOTER, FIELD = 2000, 4096, 256, 2048, 1024
EMBEDS_TOTAL = 6000  # title, description, fields and footer of all a message's embeds together
MAX_PINGS = 100
# Our button ids (bot.actions decodes them); the template only says "this is ours".
# In DMs Discord does not say which server a click belongs to, so DM buttons carry it: `@<guild>`.
BUTTON_TEMPLATE = re.compile(r"(?P<action>jb:[a-z]{1,16}:\d{1,18}:[a-z_]{1,16})(?:@(?P<guild>\d{1,20}))?")
_MENTION = re.compile(r"<@!?(\d{1,20})>")
_STYLES = {
    Style.PRIMARY: discord.ButtonStyle.primary,
    Style.DEFAULT: discord.ButtonStyle.secondary,
    Style.DANGER: discord.ButtonStyle.danger,
}
_COLOUR = discord.Colour(0x2E86AB)


class ButtonHandler(Protocol):
    async def press(self, interaction: discord.Interaction[Any], custom_id: str) -> None: ...


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_TEMPLATE):
    """A button whose custom id carries everything a click needs, so it works after any restart."""

    def __init__(
        self, custom_id: str, label: str = "…", style: discord.ButtonStyle = discord.ButtonStyle.secondary
    ):
        super().__init__(discord.ui.Button(label=label[:80], style=style, custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ButtonHandler = interaction.client
        await handler.press(interaction, self.custom_id)


@dataclass(frozen=True)
class Rendered:
    content: str | None
    embed: discord.Embed | None = None
    buttons: tuple[Button, ...] = ()
    pings: tuple[str, ...] = ()  # the only users this message may notify
    files: tuple[Attachment, ...] = ()

    def view(self, guild_id: str | None = None) -> discord.ui.View | None:
        """The buttons; `guild_id` is stamped on them for a DM, where clicks arrive without a server."""
        if not self.buttons:
            return None
        suffix = f"@{guild_id}" if guild_id else ""
        view = discord.ui.View(timeout=None)
        for b in self.buttons[:25]:
            view.add_item(ActionButton(b.action_id + suffix, b.label, _STYLES[b.style]))
        return view

    def allowed_mentions(self) -> discord.AllowedMentions:
        users = [discord.Object(int(u)) for u in self.pings[:MAX_PINGS] if u.isdigit()]
        return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)

    def discord_files(self) -> list[discord.File]:
        return [
            discord.File(io.BytesIO(a.content), filename=a.filename, description=a.title) for a in self.files
        ]

    def sent_with(self, **fixed: Any) -> dict[str, Any]:
        """discord.py's `send()` arguments for this message; `fixed` ones (a nonce…) win."""
        sent: dict[str, Any] = {"allowed_mentions": self.allowed_mentions()}
        if self.content:
            sent["content"] = self.content
        if self.embed is not None:
            sent["embed"] = self.embed
        if self.files:
            sent["files"] = self.discord_files()
        return sent | fixed


def mentioned(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MENTION.findall(text)))


def _mentions(user_ids: tuple[str, ...], prefix: str = "") -> tuple[str, tuple[str, ...]]:
    """As many mentions as fit one message (and Discord's 100-user ping limit)."""
    text, used = prefix, list[str]()
    for user in dict.fromkeys(user_ids):
        piece = f"<@{user}>"
        if len(used) >= MAX_PINGS or units(text) + len(piece) + 1 > CONTENT:
            break
        text = f"{text} {piece}" if text else piece
        used.append(user)
    return text, tuple(used)


def _lines_within(lines: list[str], budget: int) -> list[str]:
    """The first lines whose text fits `budget` UTF-16 units, then "…" if any were left out."""
    kept: list[str] = []
    for line in lines:
        budget -= units(line) + 1
        if budget < 2:
            return [*kept, "…"]
        kept.append(line)
    return kept


def _embed(description: str, *, title: str | None = None, footer: str | None = None) -> discord.Embed:
    embed = discord.Embed(description=clip(description, DESCRIPTION), colour=_COLOUR)
    if title:
        embed.title = clip(title, TITLE)
    if footer:
        room = EMBEDS_TOTAL - len(embed.title or "") - len(embed.description or "")
        embed.set_footer(text=clip(footer, min(FOOTER, room)))
    return embed


def render(message: Message) -> Rendered:
    match message:
        case RoundAnnouncement(title, text, groups, lines, footer, more):
            content, pinged = _mentions(tuple(u for g in groups for u in g))
            # The core lists a bounded number of groups; whole lines are kept within the
            # description's limit for any list (e.g. a row queued before that bound existed).
            room = DESCRIPTION - units(text) - units(more) - 3
            listed = _lines_within([f"• {line}" for line in lines], room)
            body = "\n".join([text, "", *listed, *([more] if more else [])]) if lines else text
            return Rendered(content or None, _embed(body, title=title, footer=footer), pings=pinged)
        case Intro(_, title, text, people, reasons, icebreaker, window, buttons):
            # Embed titles do not render mentions, so the greeting (which pings) is the content.
            # A person's own words (division, interests): plain, even if stored before they were.
            about = [text, "", *(f"• <@{p.user_id}> · {markup.plain(p.detail)}" for p in people)]
            if reasons:
                about += ["", *(f"✓ {r}" for r in reasons)]
            about += ["", f"*{icebreaker}*", window]
            pings = tuple(p.user_id for p in people)
            return Rendered(clip(title, CONTENT), _embed("\n".join(about)), buttons, pings)
        case CheckIn(_, text, buttons):
            return Rendered(clip(text, CONTENT), None, buttons, mentioned(text))
        case ShoutOut(title, text, recipients, _, tags):
            # A shout-out's title names the people recognised; a milestone's does not, so they
            # are added: the content is where a mention notifies.
            unnamed = tuple(r for r in recipients if f"<@{r}>" not in title)
            shout, _ = _mentions(unnamed, clip(title, CONTENT - 200))
            tagged = " ".join(f"#{tag}" for tag in tags) or None
            # The giver's own words: their mentions stay (pinging only the recipients), a masked
            # link shows its address, and mass and role mentions lose their ping.
            return Rendered(shout, _embed(markup.discord_shown(text), footer=tagged), pings=recipients)
        case Notice(text, buttons):
            # A word to one person in their DMs: it names others (a nudge) without pinging them.
            return Rendered(clip(text, CONTENT), None, buttons)
        case StatsReport(title, _, rows):
            embed = _embed(f"**{title}**")
            for label, value in rows[:25]:
                embed.add_field(name=clip(label, TITLE), value=clip(value or "–", FIELD), inline=True)
            return Rendered(None, embed)
        case _:
            assert_never(message)


def reply(answer: Reply) -> list[Rendered]:
    """An answer shown only to the person who asked: its message kind if it has one, else its text.
    Files ride on the first part; a chart becomes the embed's image."""
    if answer.message is not None:
        first = render(answer.message)
        parts = [first]
    else:
        parts = [Rendered(text) for text in split(answer.text or "…", CONTENT)]
    if not answer.attachments:
        return parts
    first = parts[0]
    embed = first.embed
    images = [a for a in answer.attachments if a.mime_type.startswith("image/")]
    if embed is not None and images:
        embed.set_image(url=f"attachment://{images[0].filename}")
    parts[0] = Rendered(first.content, embed, first.buttons, first.pings, tuple(answer.attachments))
    return parts
