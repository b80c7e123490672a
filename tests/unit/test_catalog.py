"""The command catalogue: every command's words exist in every language and fit where they are
shown, and the values given for its fields build the core command."""

from __future__ import annotations

import pytest

from bot import catalog
from bot import commands as c
from bot.domain.model import Lang
from bot.i18n import texts

DISCORD_DESCRIPTION = 100  # characters Discord allows in a command's or an option's description


@pytest.mark.parametrize("platform", [None, "discord", "slack"])
@pytest.mark.parametrize("lang", list(Lang))
def test_every_command_and_described_field_has_words_that_fit_a_description(
    lang: Lang, platform: str | None
) -> None:
    says = texts(lang, platform)
    keys = [catalog.ABOUT] + [e.about for e in catalog.ENTRIES]
    keys += [key for e in catalog.ENTRIES for f in e.fields if (key := e.field_about(f))]
    too_long = {key: says(key) for key in keys if not 0 < len(says(key)) <= DISCORD_DESCRIPTION}
    assert not too_long


def test_names_are_unique_and_say_only_what_a_platform_accepts() -> None:
    names = [e.name for e in catalog.ENTRIES]
    assert len(set(names)) == len(names) <= 25  # Discord takes at most 25 subcommands under one command
    for entry in catalog.ENTRIES:
        fields = [f.name for f in entry.fields]
        assert len(set(fields)) == len(fields)
        for name in [entry.name, *fields]:
            assert name.islower() and name.replace("-", "").replace("_", "").isalnum() and len(name) <= 32


def test_only_the_profile_opens_a_form_instead_of_building_a_command() -> None:
    assert [e.name for e in catalog.ENTRIES if e.build is None] == ["profile"]
    with pytest.raises(ValueError, match="form"):
        catalog.build("profile", {})


def test_slow_commands_are_those_that_make_a_round_a_chart_or_a_file() -> None:
    slow = {e.name for e in catalog.ENTRIES if e.slow}
    assert slow == {"round-now", "round-preview", "stats", "export", "export-csv"}


def test_text_is_trimmed_empty_text_is_absent_and_a_missing_flag_is_no() -> None:
    assert catalog.build("join", {"division": "  "}) == c.Join(None)
    assert catalog.build("leaderboard", {"period": None, "by_division": None}) == c.Leaderboard(
        "month", False
    )
    assert catalog.build(
        "shoutout", {"member": "7", "member2": None, "member3": "9", "achievement": " won "}
    ) == (c.GiveShoutOut(("7", "9"), "won"))


def test_limits_and_choices_are_the_ones_the_core_checks() -> None:
    from bot.domain import validation

    setup = catalog.BY_NAME["setup"].fields
    assert {f.name: f.choices for f in setup if f.choices}["weekday"] == validation.WEEKDAYS
    (weeks,) = catalog.BY_NAME["pause"].fields
    assert (weeks.low, weeks.high) == (validation.MIN_PAUSE_WEEKS, validation.MAX_PAUSE_WEEKS)
    for size in (weeks.low, weeks.high):
        assert validation.pause_weeks(size) == size


def test_timezone_choices_put_city_matches_first_and_stay_within_25() -> None:
    assert catalog.timezone_choices("jakarta")[0] == "Asia/Jakarta"
    assert catalog.timezone_choices("")[0] == "UTC"
    assert len(catalog.timezone_choices("a")) == 25
    assert catalog.timezone_choices("nowhere-at-all") == []
