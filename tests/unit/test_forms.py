"""The profile form, as every platform reads it: typed fields → one command, or each field's problem."""

from __future__ import annotations

from bot import commands as c
from bot import forms


def test_an_empty_field_leaves_that_part_of_the_profile_alone() -> None:
    typed = {"division": " Sales ", "timezone": "", "interests": "   "}
    assert forms.profile(typed) == c.UpdateProfile("Sales", None, None)
    assert forms.profile({}) == c.UpdateProfile()


def test_a_well_formed_form_has_no_problems() -> None:
    form = c.UpdateProfile("Customer Success", "Asia/Jakarta", "jazz, climbing")
    assert forms.problems(form) == {}
    assert forms.problems(c.UpdateProfile()) == {}


def test_each_bad_field_names_its_own_fix() -> None:
    found = forms.problems(c.UpdateProfile("x" * 65, "Mars/Olympus", "ok"))
    assert set(found) == {"division", "timezone"}
    assert found["division"].key == "error.division_long" and found["division"].params == {"max": 64}
    assert found["timezone"].key.startswith("error.")


def test_the_form_checks_are_the_ones_the_core_applies() -> None:
    # Whatever the form lets through, the core accepts; whatever it stops, the core refuses.
    from bot.domain import validation

    for division in ("Sales", "", "\u202eevil", "x" * 65):
        refused = "division" in forms.problems(c.UpdateProfile(division=division or None))
        try:
            validation.division(division) if division else None
            accepted = True
        except validation.InvalidInput:
            accepted = False
        assert refused != accepted, division


def test_the_division_picker_offers_what_is_typed_then_the_known_divisions_containing_it() -> None:
    known = ["Finance", "Customer Success", "Legal & Finance"]
    assert forms.division_choices("  fin ", known, 10) == [
        forms.DivisionChoice("fin", new=True),
        forms.DivisionChoice("Finance"),
        forms.DivisionChoice("Legal & Finance"),
    ]
    assert forms.division_choices("FINANCE", known, 10)[0] == forms.DivisionChoice(
        "Finance"
    )  # known: not new
    assert forms.division_choices("", known, 2) == [
        forms.DivisionChoice("Finance"),
        forms.DivisionChoice("Customer Success"),
    ]
