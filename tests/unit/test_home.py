"""A member's own page (Slack's Home tab) as the core describes it: its controls, their words and
commands, and how a picked division travels back, whatever the platform that draws it."""

from __future__ import annotations

from bot import commands as c
from bot import home
from bot.domain.model import Lang
from bot.forms import DivisionChoice
from bot.grammar import OpenProfile
from bot.i18n import texts
from bot.messages import Style


def test_the_page_shows_the_status_line_by_line_and_the_controls_in_order() -> None:
    shown = home.view("You're in.\nNext round: Monday", texts(Lang.EN, "slack"), note="Paused.")
    assert shown.status == ("You're in.", "Next round: Monday") and shown.note == "Paused."
    assert [b.label for b in shown.membership] == ["Join", "Pause", "Resume", "Leave"]
    assert [b.style for b in shown.membership] == [Style.PRIMARY, Style.DEFAULT, Style.DEFAULT, Style.DANGER]
    assert shown.profile.label == "Edit profile"


def test_the_page_speaks_the_workspace_language() -> None:
    english = home.view("x", texts(Lang.EN, "slack"))
    indonesian = home.view("x", texts(Lang.ID, "slack"))
    assert [b.action_id for b in english.membership] == [b.action_id for b in indonesian.membership]
    assert [b.label for b in english.membership] != [b.label for b in indonesian.membership]


def test_each_button_means_its_command_and_nothing_else_means_one() -> None:
    shown = home.view("x", texts(Lang.EN, "slack"))
    meant = [home.command_for(b.action_id) for b in (*shown.membership, shown.profile)]
    assert meant == [c.Join(), c.Pause(), c.Resume(), c.Leave(), OpenProfile()]
    assert home.command_for("jb:home:delete_everything") is None
    assert home.command_for(home.DIVISION) is None  # a pick, read with division_named


def test_a_picked_division_reads_back_as_its_name() -> None:
    known = ["Sales", "Customer Success"]
    for choice in (DivisionChoice("Sales"), DivisionChoice("Research", new=True)):
        value = home.division_value(choice, 150)
        assert home.division_named(value, known) == choice.name


def test_a_new_division_too_long_to_carry_travels_as_an_id() -> None:
    long = DivisionChoice("é" * 64 + "\u0301" * 100, new=True)
    value = home.division_value(long, 150)
    assert len(value) <= 150 and value.startswith(home.KNOWN)
    assert home.division_named(value, []) is None  # nobody has it yet: not guessed
    assert home.division_named(value, [long.name]) == long.name


def test_a_division_gone_since_the_picker_was_filled_is_not_guessed() -> None:
    assert home.division_named(home.division_id("Old name"), ["New name"]) is None
