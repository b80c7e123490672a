"""People's text as plain text (profile fields) and as shown in a shout-out, per platform."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import markup, validation
from bot.domain.markup import AT, SHOWN_AT

# The cases the attack used, and their Discord counterparts.
DECEPTIVE_DIVISION = "<https://evil.example/sso|People Team (click to verify)>"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (DECEPTIVE_DIVISION, "People Team (click to verify)"),
        ("<https://evil.example>", "https://evil.example"),
        ("<mailto:a@example.com|write to us>", "write to us"),
        ("<@U0ANA|ana> fans", f"{AT}ana fans"),
        ("<@U0ANA>", f"{AT}U0ANA"),
        ("<#C0GENERAL|general>", "#general"),
        ("Tim <!channel>", f"Tim {AT}channel"),
        ("<!group>", f"{AT}group"),
        ("<!here|here>", f"{AT}here"),
        ("<!subteam^S0ENG|@eng>", f"{AT}eng"),
        ("<!subteam^S0ENG>", f"{AT}group"),
        ("<!date^1700000000^{date}|Nov 14>", "Nov 14"),
        # Discord.
        ("[People Team](https://evil.example/sso)", "People Team"),
        ("[https://good.example](<https://evil.example>)", "https://good.example"),
        ("@everyone Finance", f"{AT}everyone Finance"),
        ("@here", f"{AT}here"),
        ("<@&123456789012345678>", f"{AT}123456789012345678"),
        ("<@!42> team", f"{AT}42 team"),
        ("<#42>", "#42"),
        # What is left of markup cannot pair up with the next field's in a composed message.
        ("a <b", "a ‹b"),
        ("R&D >", "R&D ›"),
        ("[click", "[click"),
        ("](https://evil.example)", "] (https://evil.example)"),
        ("Penjualan & Pemasaran", "Penjualan & Pemasaran"),
    ],
)
def test_a_division_is_stored_as_plain_text(typed: str, stored: str) -> None:
    assert validation.division(typed) == stored


def test_interests_are_stored_as_plain_text() -> None:
    assert validation.interests(
        "<https://evil.example|jazz, click here>, <!channel>, [x](https://e.example)"
    ) == (
        "jazz",
        "click here",
        f"{AT}channel",
        "x",
    )


def test_a_stored_division_passes_validation_again() -> None:
    # The division picker offers stored names; choosing one must not be refused as hidden text.
    for typed in (DECEPTIVE_DIVISION, "Tim <!channel>", "@everyone", "<@&1>"):
        stored = validation.division(typed)
        assert validation.division(stored) == stored


ACTIVE = re.compile(r"<|>|\]\(|@(everyone|here|channel)\b", re.I)


@given(st.text(alphabet="<>[]()|!@#&^:/ abcUSC0123everyonhl", max_size=60))
def test_no_markup_survives_in_plain_text(typed: str) -> None:
    stored = markup.plain(typed)
    assert not ACTIVE.search(stored), stored
    assert markup.plain(stored) == stored


@pytest.mark.parametrize(
    ("given_text", "shown"),
    [
        ("<@U0ANA> saved the day", "<@U0ANA> saved the day"),
        ("see <#C0OPS>", "see <#C0OPS>"),
        ("<https://evil.example|https://docs.example>", "https://docs.example (<https://evil.example>)"),
        ("<https://docs.example|docs.example>", "<https://docs.example>"),
        ("<https://docs.example>", "<https://docs.example>"),
        ("thanks <!group>", f"thanks {SHOWN_AT}group"),
        ("thanks <!subteam^S0ENG|@eng>", f"thanks {SHOWN_AT}eng"),
        ("<!channel>", f"{SHOWN_AT}channel"),
        ("R&amp;D &lt;3", "R&amp;D &lt;3"),  # Slack's escapes stay escaped: shown as typed
    ],
)
def test_a_slack_shout_out_keeps_mentions_and_shows_where_links_go(given_text: str, shown: str) -> None:
    assert markup.slack_shown(given_text) == shown


@pytest.mark.parametrize(
    ("given_text", "shown"),
    [
        ("<@42> saved the day", "<@42> saved the day"),
        ("[https://docs.example](https://evil.example)", "https://docs.example (<https://evil.example>)"),
        ("[docs](<https://docs.example>)", "docs (<https://docs.example>)"),
        ("@everyone look", f"{SHOWN_AT}everyone look"),
        ("@here", f"{SHOWN_AT}here"),
        ("<@&123> rocks", f"{SHOWN_AT}123 rocks"),
    ],
)
def test_a_discord_shout_out_keeps_mentions_and_shows_where_links_go(given_text: str, shown: str) -> None:
    assert markup.discord_shown(given_text) == shown
