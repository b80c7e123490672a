"""Payload shapes as tables: a payload fits its shape or is refused with the first reason, a short
fixed phrase, never an exception."""

from __future__ import annotations

import re

from bot.shapes import Shape, may, need, problem, unstorable

ID = re.compile(r"[A-Z][A-Z0-9]{1,10}")
CLICK = Shape(
    {
        "user": need(dict, shape=Shape({"id": need(str, ID)})),
        "actions": need(list, each=need(dict, shape=Shape({"action_id": need(str)}))),
        "count": may(int),
        "values": may(dict, each=need(dict)),
    },
    lambda body: None if body["actions"] else "missing_actions",
)


def test_a_payload_that_fits_has_no_problem_and_what_may_be_left_out_may_be_null() -> None:
    assert problem({"user": {"id": "U1"}, "actions": [{"action_id": "a"}]}, CLICK) is None
    assert problem({"user": {"id": "U1"}, "actions": [{"action_id": "a"}], "count": None}, CLICK) is None


def test_the_first_thing_wrong_is_named() -> None:
    assert problem({}, CLICK) == "missing_user"
    assert problem({"user": "U1", "actions": []}, CLICK) == "bad_user"
    assert problem({"user": {"id": "u1"}, "actions": []}, CLICK) == "bad_id"  # not the pattern
    assert problem({"user": {}, "actions": []}, CLICK) == "missing_id"


def test_every_item_of_a_list_and_every_value_of_a_map_is_checked() -> None:
    user = {"id": "U1"}
    assert problem({"user": user, "actions": [{"action_id": "a"}, "b"]}, CLICK) == "bad_actions"
    assert problem({"user": user, "actions": [{"action_id": "a"}, None]}, CLICK) == "bad_actions"
    assert problem({"user": user, "actions": [{"action_id": 1}]}, CLICK) == "bad_action_id"
    assert problem({"user": user, "actions": [{"action_id": "a"}], "values": {"x": 1}}, CLICK) == "bad_values"


def test_the_shapes_rule_runs_once_its_fields_fit() -> None:
    assert problem({"user": {"id": "U1"}, "actions": []}, CLICK) == "missing_actions"


def test_true_is_no_number() -> None:
    assert (
        problem({"user": {"id": "U1"}, "actions": [{"action_id": "a"}], "count": True}, CLICK) == "bad_count"
    )


def test_a_shape_grows_with_plus_and_both_rules_hold() -> None:
    more = CLICK.plus({"team": need(str)}, lambda body: "too_many" if body.get("count", 0) > 9 else None)
    fits = {"user": {"id": "U1"}, "actions": [{"action_id": "a"}], "team": "T1"}
    assert problem(fits, more) is None
    assert problem({**fits, "team": None}, more) == "missing_team"
    assert problem({**fits, "count": 10}, more) == "too_many"
    assert problem({**fits, "actions": []}, more) == "missing_actions"


def test_what_no_database_column_can_hold_is_named_however_deep() -> None:
    deep: object = "ok"
    for _ in range(10_000):
        deep = [deep]
    assert unstorable({"a": deep, "b": {"c": 1.5}}) is None
    assert unstorable({"a": ["x\x00y"]}) == "nul_character"
    assert unstorable({"k\ud800": 1}) == "lone_surrogate"
    assert unstorable([float("nan")]) == "malformed_json"
