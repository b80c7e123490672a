"""Chat markup in what people type: one rule set per platform, written once, used twice.

People's words end up inside messages the bot authors: a division and interests in every
intro, a shout-out's text in the channel. Each platform turns some text into links and pings:
Slack `<url|label>`, `<@U…>`, `<#C…>`, `<!here>`, `<!subteam^…|@eng>`; Discord `[label](url)`,
`<@id>`, `<@&role>`, `<#id>`, `@everyone`, `@here`.

- Profile fields (division, interests) are stored as plain text: `plain` turns every form of
  either platform into its words, so a division is never a link or a ping anywhere it is shown.
- A shout-out names people through the platform's own mention, so it keeps personal mentions;
  `slack_shown` / `discord_shown` neutralise the rest when it is rendered: special and role
  mentions lose their ping, and a labelled link shows where it really goes.
"""

from __future__ import annotations

import re

# How a mention that must not ping is written. In stored text, FULLWIDTH COMMERCIAL AT: it reads
# as "@", neither platform takes it for a mention, and it is no hidden character (validation
# refuses those, and a stored division comes back through it from the division picker). In text
# shown once (a shout-out), "@" and a zero-width space, as Jembatan always wrote it there.
AT = "＠"
SHOWN_AT = "@\u200b"


def _label_or(label: str | None, fallback: str) -> str:
    return label.strip() if label and label.strip() else fallback


def _link(url: str, label: str | None) -> str:
    """A link that shows where it goes: its label, if any, then the address itself."""
    bare = url.strip()
    shown = (label or "").strip()
    if not shown or shown.rstrip("/") in (bare.rstrip("/"), bare.split("://", 1)[-1].rstrip("/")):
        return f"<{bare}>"
    return f"{shown} (<{bare}>)"


# ---- Slack ---------------------------------------------------------------------------------
# Everything Slack parses sits between < and >; what is inside says what it is.
_SLACK_ANGLE = re.compile(r"<([^<>]*)>")
_SLACK_SPECIAL = re.compile(r"!([^|]*)(?:\|(.*))?", re.S)
_SLACK_USER = re.compile(r"@([UWB][A-Z0-9]{1,20})(?:\|(.*))?", re.S)
_SLACK_CHANNEL = re.compile(r"#([CGD][A-Z0-9]{1,20})(?:\|(.*))?", re.S)
_SLACK_LINK = re.compile(r"([^@#!|][^|]*)(?:\|(.*))?", re.S)


def _slack_special(name: str, label: str | None, at: str) -> str:
    """`<!here>`, `<!channel>`, `<!everyone>`, `<!group>`, `<!subteam^S1|@eng>`: the words, no ping.
    `<!date^…|fallback>` pings nobody and shows its fallback."""
    keyword = name.split("^", 1)[0].lower()
    if keyword == "date":
        return _label_or(label, "")
    word = _label_or(label, "group" if keyword in ("subteam", "usergroup") else keyword or "group")
    return at + word.lstrip("@" + AT)


def slack_calm(text: str) -> str:
    """Special mentions lose their ping, wherever they are; nothing else changes."""

    def calm(match: re.Match[str]) -> str:
        if special := _SLACK_SPECIAL.fullmatch(match.group(1)):
            return _slack_special(special.group(1), special.group(2), SHOWN_AT)
        return match.group(0)

    return _SLACK_ANGLE.sub(calm, text)


def slack_plain(text: str) -> str:
    """Every Slack form as its words: `<url|label>` → label, `<@U1|ana>` → ＠ana, `<!here>` → ＠here."""

    def words(match: re.Match[str]) -> str:
        inner = match.group(1)
        if special := _SLACK_SPECIAL.fullmatch(inner):
            return _slack_special(special.group(1), special.group(2), AT)
        if user := _SLACK_USER.fullmatch(inner):
            return AT + _label_or(user.group(2), user.group(1)).lstrip("@")
        if channel := _SLACK_CHANNEL.fullmatch(inner):
            return "#" + _label_or(channel.group(2), channel.group(1)).lstrip("#")
        if link := _SLACK_LINK.fullmatch(inner):
            return _label_or(link.group(2), link.group(1))
        return match.group(0)  # `<>` or `<|x>`: not markup; the angle brackets go below

    return _SLACK_ANGLE.sub(words, text)


def slack_shown(text: str) -> str:
    """A person's Slack text as posted by the bot: their mentions of people and channels stay
    (made with Slack's own mention), special mentions lose their ping, links show their address."""

    def shown(match: re.Match[str]) -> str:
        inner = match.group(1)
        if special := _SLACK_SPECIAL.fullmatch(inner):
            return _slack_special(special.group(1), special.group(2), SHOWN_AT)
        if _SLACK_USER.fullmatch(inner) or _SLACK_CHANNEL.fullmatch(inner):
            return match.group(0)
        if link := _SLACK_LINK.fullmatch(inner):
            return _link(link.group(1), link.group(2))
        return match.group(0)

    return _SLACK_ANGLE.sub(shown, text)


def slack_unescape(text: str) -> str:
    """Slash-command text arrives escaped (`R&amp;D`); the modal's arrives as typed. One spelling."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# ---- Discord -------------------------------------------------------------------------------
_DISCORD_MENTION = re.compile(r"<(@!?|@&|#)(\d{1,20})>")
_DISCORD_MASS = re.compile(r"@(everyone|here|channel)\b", re.I)
_DISCORD_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def discord_calm(text: str) -> str:
    """`@everyone`, `@here` and role mentions lose their ping; nothing else changes."""
    text = _DISCORD_MASS.sub(lambda m: SHOWN_AT + m.group(1), text)
    return _DISCORD_MENTION.sub(lambda m: SHOWN_AT + m.group(2) if m.group(1) == "@&" else m.group(0), text)


def discord_plain(text: str) -> str:
    """Every Discord form as its words: `[label](url)` → label, `<@1>` → ＠1, `@everyone` → ＠everyone."""
    text = _DISCORD_LINK.sub(lambda m: _label_or(m.group(1), m.group(2)), text)
    text = _DISCORD_MENTION.sub(lambda m: ("#" if m.group(1) == "#" else AT) + m.group(2), text)
    # What is left cannot join a neighbour into a masked link once composed into a message.
    return _DISCORD_MASS.sub(lambda m: AT + m.group(1), text).replace("](", "] (")


def discord_shown(text: str) -> str:
    """A person's Discord text as posted by the bot: mentions of people and channels stay, mass
    and role mentions lose their ping, masked links show their address."""
    return discord_calm(_DISCORD_LINK.sub(lambda m: _link(m.group(2), m.group(1)), text))


# ---- Both ----------------------------------------------------------------------------------
def plain(text: str) -> str:
    """People's text as stored: no form of either platform survives, and no angle bracket is left
    to pair up with another field's when the core composes them into one message."""
    return discord_plain(slack_plain(text)).replace("<", "‹").replace(">", "›")


def calm(text: str) -> str:
    """Mass mentions of either platform lose their ping; personal mentions and links stay."""
    return discord_calm(slack_calm(text))
